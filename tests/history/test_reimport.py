"""A re-import in batches (history/reimport.py): lines whose records all came from the source are
compared a batch at a time and corrected in bulk, with the rules and access-log entries of one
line at a time through the actions."""

from __future__ import annotations

import copy
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessLogEntry
from decisions.models import Application, Decision
from history import fictional
from history.importer import LOGGED_AS, Loader, Target, load, validate_file
from history.models import ImportRun
from intake.models import Intake
from provision.models import Closure, Order
from tests.factories import SupportKindFactory
from tests.history.test_batches import MODELS, load_and_look
from tests.history.test_import import logged_items, run, write

PEOPLE = 60


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(code="bryta-isolering")
    kind.provider_units.add(org["north"])
    return kind


@pytest.fixture
def imported(kind, manager, tmp_path) -> list[dict]:
    """A fictional file of PEOPLE people, imported once."""
    lines = fictional.lines(PEOPLE, seed=11)
    run(write(tmp_path, lines), manager)
    return lines


def _people(lines):
    return [line for line in lines if not line.get("unidentified")]


def corrected(lines: list[dict]) -> tuple[list[dict], dict]:
    """The file with one correction of each kind the batch forms make, and one that goes one
    line at a time (a closure's date); and what each correction should change."""
    lines = copy.deepcopy(lines)
    people = _people(lines)
    granted = [p for p in people if any(d.get("period_to") for d in p.get("decisions", []))]
    closed = [p for p in people if p.get("closure") and p not in granted[:2]]
    intake = people[0]["intakes"][0]
    intake["reason"] = "Korrigerad."
    first = granted[0]["decisions"][0]
    to = datetime.date.fromisoformat(first["period_to"]) - datetime.timedelta(days=1)
    first["period_to"] = to.isoformat()
    second = granted[1]["decisions"][0]
    applied = datetime.date.fromisoformat(second["decided_on"]) - datetime.timedelta(days=5)
    second["applied_on"] = applied.isoformat()
    closed[0]["closure"]["reason_text"] = "Korrigerad text."
    moved = datetime.date.fromisoformat(closed[1]["closure"]["closed_on"]) + datetime.timedelta(
        days=3
    )
    closed[1]["closure"]["closed_on"] = moved.isoformat()
    expected = {
        "intake": (intake["id"], "outcome_reason", "Korrigerad."),
        "decision": (first["id"], "period_to", to),
        "application": (second["id"], "applied_on", applied),
        "closure": (closed[0]["id"], "reason_text", "Korrigerad text."),
        "moved": (closed[1]["id"], "closed_on", moved),
    }
    return lines, expected


def _rows() -> dict:
    """Every record's stored fields, by model and id."""
    return {
        model.__name__: {str(r[model._meta.pk.attname]): r for r in model.objects.values()}
        for model in MODELS
    }


def _changed(before: dict, after: dict) -> set[tuple[str, str]]:
    """(model, field) of every value that differs."""
    found = set()
    for model, rows in after.items():
        for pk, row in rows.items():
            old = before[model].get(pk)
            if old is None:
                found.add((model, "created"))
                continue
            found |= {(model, name) for name, value in row.items() if old[name] != value}
    return found


def test_an_unchanged_re_import_changes_nothing_and_logs_nothing(imported, manager, tmp_path):
    before, entries = _rows(), AccessLogEntry.objects.count()
    path = write(tmp_path, imported)
    with CaptureQueriesContext(connection) as queries:
        out, err = run(path, manager)
    assert err == ""
    assert "corrected 0" in out and "person 0" in out
    assert _rows() == before
    assert AccessLogEntry.objects.count() == entries
    # Compared a batch at a time: a few queries for all the lines, not tens per line.
    assert len(queries) < 60


def test_a_corrected_re_import_changes_exactly_what_changed_and_logs_it(
    imported, manager, tmp_path
):
    lines, expected = corrected(imported)
    before = _rows()
    entries = set(AccessLogEntry.objects.values_list("pk", flat=True))
    out, err = run(write(tmp_path, lines), manager)
    assert err == ""
    assert "corrected 5" in out
    after = _rows()
    changed = _changed(before, after)
    # The period's last day is kept on a closed case's grant only while it has not passed
    # (decisions.0012): a period of the past corrected within the past changes nothing there.
    corrected_to = expected["decision"][2]
    still_running = corrected_to + datetime.timedelta(days=1) >= timezone.now().date()
    running_until = {("Decision", "left_running_until")} if still_running else set()
    # The moved closure's pending follow-ups, if it has any, move with it.
    assert (
        changed - {("FollowUp", "due_on")}
        == {
            ("Intake", "outcome_reason"),
            ("Decision", "period_to"),
            ("Order", "period_to"),
            ("Application", "applied_on"),
            ("Closure", "reason_text"),
            ("Closure", "closed_on"),
            ("Case", "closed_on"),
            ("Case", "last_entry_at"),
            # Kept by the database from the case's closing day (decisions.0011).
            ("Decision", "case_ended_on"),
        }
        | running_until
    )
    assert f"intake {expected['intake'][0]}.outcome_reason: " in out
    assert f"decision {expected['application'][0]}.applied_on: " in out
    assert Intake.objects.filter(outcome_reason="Korrigerad.").count() == 1
    decision = Decision.objects.get(number=f"H-gamla-{expected['decision'][0]}")
    assert decision.period_to == expected["decision"][2] == decision.order.period_to
    application = Decision.objects.get(number=f"H-gamla-{expected['application'][0]}").application
    assert application.applied_on == expected["application"][2]
    assert Closure.objects.filter(reason_text="Korrigerad text.").count() == 1
    new = AccessLogEntry.objects.exclude(pk__in=entries)
    # One entry per corrected person, naming each record corrected.
    assert set(new.values_list("record_type", "action")) == {(LOGGED_AS, "update")}
    assert new.count() == len(set(new.values_list("person_id", flat=True)))
    logged = logged_items(new)
    assert logged[("intake", "update", "history: outcome_reason")] == 1
    assert logged[("decision", "update", "history")] == 2
    assert logged[("order", "update", "history")] == 1
    assert logged[("application", "update", "history")] == 1
    assert logged[("closure", "update", "history")] == 2
    assert logged[("case", "update", "history")] == 1
    assert all(detail.startswith("history") for _type, _action, detail in logged)
    assert len(ImportRun.objects.first().changes) == 5  # the order follows its decision unlisted


def test_the_batches_correct_as_one_line_at_a_time_would(imported, kind, manager, org, tmp_path):
    """The same records, access-log entries, counts and listed corrections both ways."""
    lines, _expected = corrected(imported)
    path = write(tmp_path, lines)
    checked = validate_file(path.read_text(encoding="utf-8").splitlines())
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    one_by_one, _ = load_and_look(checked, target, batched=False)
    batched, _ = load_and_look(checked, target, batched=True)
    assert batched == one_by_one


def test_settled_corrections_go_through_no_line_one_at_a_time(
    imported, kind, manager, org, tmp_path, monkeypatch
):
    lines, expected = corrected(imported)
    moved = next(p for p in lines if p.get("id") == expected["moved"][0])
    moved["closure"]["closed_on"] = next(
        p for p in imported if p.get("id") == expected["moved"][0]
    )["closure"]["closed_on"]
    one_at_a_time = []
    monkeypatch.setattr(Loader, "one", lambda self, row: one_at_a_time.append(row.line))
    path = write(tmp_path, lines)
    checked = validate_file(path.read_text(encoding="utf-8").splitlines())
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    loaded = load(checked.rows, target, file_name="f", file_sha256="0" * 64, lines=1, rejected=0)
    assert one_at_a_time == []
    assert loaded.counts["corrected"] == 4


def test_a_correction_a_rule_refuses_names_the_line_as_one_at_a_time(
    imported, kind, manager, org, tmp_path
):
    lines = copy.deepcopy(imported)
    granted = next(p for p in lines if any(d.get("period_to") for d in p.get("decisions", [])))
    decision = next(d for d in granted["decisions"] if d.get("period_to"))
    decision["period_to"] = "2000-01-01"  # before the period starts: validate_decision refuses
    granted["intakes"][0]["reason"] = "Korrigerad."  # the same line: not corrected either
    path = write(tmp_path, lines)
    checked = validate_file(path.read_text(encoding="utf-8").splitlines())
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    one_by_one, refused = load_and_look(checked, target, batched=False)
    batched, refused_batched = load_and_look(checked, target, batched=True)
    assert refused_batched == refused
    assert any("period_to" in r for r in refused)
    assert batched == one_by_one
    assert not Intake.objects.filter(outcome_reason="Korrigerad.").exists()


@pytest.mark.parametrize("copy_from", [200, 1])
def test_the_access_log_verifies_after_an_import_and_a_corrected_re_import(
    kind, manager, tmp_path, monkeypatch, copy_from
):
    """On PostgreSQL with copy_from=1 every insert, the log's included, is a COPY."""
    monkeypatch.setattr("core.bulk.COPY_FROM", copy_from)
    lines = fictional.lines(30, seed=5)
    run(write(tmp_path, lines), manager)
    fixed, _expected = corrected(lines)
    run(write(tmp_path, fixed), manager)
    assert Application.objects.exists() and Order.objects.exists()
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    assert "holds" in out.getvalue()


def test_the_collector_is_as_before_after_an_import_even_one_that_fails():
    import gc

    from history.importer import fewer_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() != before and gc.get_freeze_count() > 0
        raise RuntimeError
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0

"""The legacy import: the documented example loads, figures counted by hand, rejections, dry run,
idempotence. The example file is docs/examples/history.jsonl (six people, worked out below)."""

from __future__ import annotations

import datetime
import io
import json
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Min

from audit.models import AccessLogEntry
from decisions.models import Decision
from intake.models import Intake
from people.models import Case, Person
from provision.models import Closure, FollowUp, Order, OrderStatus
from tests.factories import PersonFactory, SupportKindFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "history.jsonl"


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(code="bryta-isolering")
    kind.provider_units.add(org["north"])
    return kind


def run(path, officer, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_history",
        str(path),
        "--user",
        officer.username,
        "--unit",
        "Myndigheten",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def write(tmp_path, lines: list) -> Path:
    path = tmp_path / "history.jsonl"
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def example_lines() -> list[dict]:
    return [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]


def test_the_documented_example_gives_the_figures_counted_by_hand(kind, officer):
    out, err = run(EXAMPLE, officer)
    assert err == ""
    assert "6 lines read, 6 valid, 0 rejected" in out
    # Six people, six intakes (psychiatry 3, relative 1, health centre 1, the person 1).
    assert Person.objects.count() == 6
    sources = dict(Intake.objects.values_list("source").annotate(n=Count("id")))
    assert sources == {"psychiatry": 3, "relative": 1, "health_centre": 1, "self": 1}
    outcomes = dict(Intake.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes == {"talk_offered": 4, "not_target_group": 1, "referred": 1}
    # Five decisions (3 grants, 1 partial, 1 rejection) for four people, one with two.
    by_outcome = dict(Decision.objects.values_list("outcome").annotate(n=Count("id")))
    assert by_outcome == {"grant": 3, "partial": 1, "rejection": 1}
    per_person = Decision.objects.values("person").annotate(n=Count("id"))
    assert len(per_person) == 4
    assert sorted(row["n"] for row in per_person) == [1, 1, 1, 2]
    # Four orders: three started; the two closed people's orders ended, U-002's goes on.
    assert Order.objects.count() == 4
    firsts = sorted(
        Order.objects.filter(accepted_on__isnull=False)
        .values("person")
        .annotate(first=Min("accepted_on"))
        .values_list("first", flat=True)
    )
    assert [d.year for d in firsts] == [2011, 2012, 2014]
    assert Order.objects.filter(status=OrderStatus.ACCEPTED).count() == 1
    # Two closures; contact time 2011-04-10 → 2012-11-10 = 580 days, 2014-04-15 → 2015-10-15
    # = 548 days.
    closures = {c.person.last_name: c for c in Closure.objects.select_related("person")}
    assert set(closures) == {"Arkivsson", "Förut"}
    assert closures["Arkivsson"].occupation == "work"
    assert closures["Förut"].isolation == "as_before"
    # Consent gives two follow-ups, one recorded as done, the other still pending.
    follow = dict(FollowUp.objects.values_list("months", "status"))
    assert follow == {6: "done", 12: "pending"}
    assert FollowUp.objects.get(months=12).due_on == datetime.date(2013, 11, 10)
    # Cases: U-002 open (support goes on); the others closed.
    assert Case.objects.filter(status="open").count() == 1
    assert Decision.objects.get(number="H-U-001-B2").replaces.number == "H-U-001-B1"


def test_a_second_import_of_the_same_file_adds_nothing(kind, officer):
    run(EXAMPLE, officer)
    counts = [m.objects.count() for m in (Person, Intake, Decision, Order, Closure, FollowUp)]
    out, _ = run(EXAMPLE, officer)
    assert "person 0, intake 0, decision 0, order 0, closure 0, skipped 13" in out
    assert [m.objects.count() for m in (Person, Intake, Decision, Order, Closure, FollowUp)] == (
        counts
    )


def test_a_new_decision_added_to_the_file_is_all_a_second_import_adds(kind, officer, tmp_path):
    run(EXAMPLE, officer)
    lines = example_lines()
    lines[1]["decisions"].append(
        {
            "id": "U-002-B2",
            "kind": "renewal",
            "decided_on": "2013-05-01",
            "outcome": "grant",
            "period_from": "2013-05-10",
            "period_to": "2014-05-09",
            "started_on": "2013-05-10",
        }
    )
    out, _ = run(write(tmp_path, lines), officer)
    assert "person 0, intake 0, decision 1, order 1" in out
    assert Decision.objects.filter(person__last_name="Förrsson").count() == 2


def test_dry_run_reports_what_it_would_create_and_saves_nothing(kind, officer):
    out, _ = run(EXAMPLE, officer, "--dry-run")
    assert "Dry run, nothing saved. Would create: person 6, intake 6, decision 5, order 4" in out
    assert Person.objects.count() == 0
    assert Decision.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_every_rejected_line_is_named_and_nothing_is_loaded(kind, officer, tmp_path):
    lines = example_lines()
    lines[1]["personal_number"] = "19850620-9802"  # wrong check digit
    lines[3]["decisions"][0]["reasons"] = ""  # a rejection without reasons
    lines[4]["intakes"][0]["source"] = "neighbour"
    path = write(tmp_path, [*lines, "{not json", lines[0]])
    with pytest.raises(CommandError):
        run(path, officer)
    assert Person.objects.count() == 0
    assert Intake.objects.count() == 0


def test_rejections_give_line_and_reason(kind, officer, tmp_path, capsys):
    lines = example_lines()
    lines[1]["personal_number"] = "19850620-9802"
    lines[3]["decisions"][0]["reasons"] = ""
    lines[4]["intakes"][0]["source"] = "neighbour"
    path = write(tmp_path, [*lines, "{not json", lines[0]])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_history",
            str(path),
            "--user",
            officer.username,
            "--unit",
            "Myndigheten",
            stdout=io.StringIO(),
            stderr=err,
        )
    rejected = err.getvalue().splitlines()
    assert len(rejected) == 5
    assert rejected[0].startswith(("line 2:", "rad 2:")) and "personal_number" in rejected[0]
    assert "decisions[0].reasons" in rejected[1] and "4:" in rejected[1]
    assert "intakes[0].source" in rejected[2] and "5:" in rejected[2]
    assert "7:" in rejected[3]  # not JSON
    assert "8:" in rejected[4] and "U-001" in rejected[4]  # the same id as line 1


def test_skip_invalid_loads_the_valid_lines_only(kind, officer, tmp_path):
    lines = example_lines()
    lines[2]["intakes"][0]["received_on"] = "2013-02-30"
    out, err = run(write(tmp_path, lines), officer, "--skip-invalid")
    assert "line 3" in err or "rad 3" in err
    assert Person.objects.count() == 5
    assert not Person.objects.filter(last_name="Gammal").exists()


def test_an_existing_person_is_not_registered_twice(kind, officer):
    PersonFactory(personal_number="199001059857", first_name="Ebba", last_name="Arkivsson")
    run(EXAMPLE, officer)
    assert Person.objects.filter(personal_number="199001059857").count() == 1
    assert Decision.objects.filter(person__personal_number="199001059857").count() == 2


def test_the_import_is_in_the_access_log_and_the_application_log_has_no_names(
    kind, officer, caplog
):
    with caplog.at_level(logging.INFO, logger="brygga.history"):
        run(EXAMPLE, officer)
    entries = AccessLogEntry.objects.filter(username=officer.username, detail="import")
    assert entries.filter(record_type="person").count() == 6
    assert entries.filter(record_type="decision").count() == 5
    text = caplog.text
    assert "history import" in text
    for secret in ("Arkivsson", "19900105", "Ebba"):
        assert secret not in text


def test_the_report_gives_the_figures_a_person_counts_from_the_example(kind, officer):
    from reports import figures

    run(EXAMPLE, officer)
    start, end = datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)
    assert figures.intakes_by_source(start, end) == {
        "psychiatry": 3,
        "relative": 1,
        "health_centre": 1,
        "self": 1,
    }
    assert figures.not_offered(start, end) == 2  # not in the target group, referred
    assert figures.new_people_per_year(start, end) == {2011: 1, 2012: 1, 2014: 1}
    assert figures.people_with_decision(start, end) == {"people": 4, "more_than_one": 1}
    assert figures.decisions_by_outcome(start, end) == {"grant": 3, "partial": 1, "rejection": 1}
    # On 2013-01-01 only U-002 is in support (U-001 closed 2012-11-10).
    assert figures.ongoing_decisions(datetime.date(2013, 1, 1)) == 1
    ended = figures.contact_time_ended(start, end)
    assert (ended["n"], ended["min"], ended["max"]) == (2, 548, 580)
    assert ended["mean"] == 564
    assert figures.closure_reasons(start, end) == {"goals_reached": 1, "declined": 1}


def test_a_stated_sex_stands_and_only_a_missing_one_is_read_from_the_number(
    kind, officer, tmp_path
):
    lines = example_lines()[:2]
    lines[0]["sex"] = "X"  # 19900105-9857: the number's sex digit says M
    lines[1].pop("sex", None)
    run(write(tmp_path, lines), officer)
    stated = Person.objects.get(personal_number="199001059857")
    assert stated.sex == "X"
    unstated = Person.objects.exclude(pk=stated.pk).get()
    assert unstated.sex == ("M" if int(unstated.personal_number[-2]) % 2 else "F")


def test_a_sex_other_than_f_m_or_x_is_refused(kind, officer, tmp_path):
    lines = example_lines()[:1]
    lines[0]["sex"] = "male"
    with pytest.raises(CommandError):
        run(write(tmp_path, lines), officer)
    assert not Person.objects.exists()

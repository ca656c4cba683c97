"""The history import: the documented example loads, figures counted by hand, rejections, dry run,
idempotence, corrections, sources. The example file is docs/examples/history.jsonl (seven people,
one of them with what the earlier system never recorded, and a line of two unidentified intakes;
worked out below)."""

from __future__ import annotations

import datetime
import io
import json
import logging
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Min

from audit.events import combined_items
from audit.models import AccessLogEntry
from decisions.models import Application, Decision
from history.importer import LOGGED_AS
from history.models import ImportRun
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


def run(path, user, *extra, source="gamla"):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_history",
        str(path),
        "--user",
        user.username,
        "--unit",
        "Myndigheten",
        "--source",
        source,
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def logged_items(entries) -> Counter:
    """(record type, action, detail) of every record the import's entries name (each entry is
    one person's, `audit.events.combined`), counted."""
    return Counter(
        (record_type, action, detail)
        for entry in entries
        if entry.record_type == LOGGED_AS
        for record_type, _id, action, detail in combined_items(entry.detail)
    )


def write(tmp_path, lines: list) -> Path:
    path = tmp_path / "history.jsonl"
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def example_lines() -> list[dict]:
    return [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]


def test_the_documented_example_gives_the_figures_counted_by_hand(kind, manager):
    out, err = run(EXAMPLE, manager)
    assert err == ""
    assert "8 lines read, 8 valid, 0 rejected" in out
    # Seven people; nine intakes, two of them of nobody identified (psychiatry 3, relative 2,
    # health centre 1, the person 1, municipal 1, anonymous 1).
    assert Person.objects.count() == 7
    sources = dict(Intake.objects.values_list("source").annotate(n=Count("id")))
    assert sources == {
        "psychiatry": 3,
        "relative": 2,
        "health_centre": 1,
        "self": 1,
        "municipal": 1,
        "anonymous": 1,
    }
    assert Intake.objects.filter(person__isnull=True).count() == 2
    outcomes = dict(Intake.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes == {
        "talk_offered": 5,
        "not_target_group": 1,
        "referred": 1,
        "no_action": 1,
        "declined": 1,
    }
    # Six decisions (4 grants, 1 partial, 1 rejection) for five people, one with two.
    by_outcome = dict(Decision.objects.values_list("outcome").annotate(n=Count("id")))
    assert by_outcome == {"grant": 4, "partial": 1, "rejection": 1}
    per_person = Decision.objects.values("person").annotate(n=Count("id"))
    assert len(per_person) == 5
    assert sorted(row["n"] for row in per_person) == [1, 1, 1, 1, 2]
    # Five orders, four started; the three closed people's orders ended, U-002's goes on.
    assert Order.objects.count() == 5
    firsts = sorted(
        Order.objects.filter(accepted_on__isnull=False)
        .values("person")
        .annotate(first=Min("accepted_on"))
        .values_list("first", flat=True)
    )
    assert [d.year for d in firsts] == [2010, 2011, 2012, 2014]
    assert Order.objects.filter(status=OrderStatus.ACCEPTED).count() == 1
    # Three closures; contact time 2011-04-10 → 2012-11-10 = 580 days, 2014-04-15 →
    # 2015-10-15 = 548 days, 2010-10-11 → 2011-06-10 = 242 days.
    closures = {c.person.last_name: c for c in Closure.objects.select_related("person")}
    assert set(closures) == {"Arkivsson", "Förut", "Okänd"}
    assert closures["Arkivsson"].occupation == "work"
    assert closures["Förut"].isolation == "as_before"
    # U-007's earlier system recorded only the date: the rest is unknown, not invented.
    unknown = closures["Okänd"]
    assert (unknown.reason, unknown.occupation, unknown.isolation) == ("unknown",) * 3
    assert unknown.follow_up_consent is None
    # Consent gives two follow-ups, one recorded as done, the other still pending.
    follow = dict(FollowUp.objects.values_list("months", "status"))
    assert follow == {6: "done", 12: "pending"}
    assert FollowUp.objects.get(months=12).due_on == datetime.date(2013, 11, 10)
    # Cases: U-002 open (support goes on); the others closed; none for the unidentified.
    assert Case.objects.filter(status="open").count() == 1
    assert Decision.objects.get(number="H-gamla-U-001-B2").replaces.number == "H-gamla-U-001-B1"


def test_imported_applications_are_not_waiting_for_a_decision(kind, manager):
    """Each imported application comes with its decision: none is on an officer's list of
    applications waiting for one (`Application.decided`)."""
    run(EXAMPLE, manager)
    applications = Application.objects.all()
    assert applications.count() == Decision.objects.count() > 0
    assert not applications.filter(decided=False).exists()
    assert not applications.filter(decisions__isnull=True).exists()


def test_a_second_import_of_the_same_file_adds_nothing(kind, manager):
    run(EXAMPLE, manager)
    counts = [m.objects.count() for m in (Person, Intake, Decision, Order, Closure, FollowUp)]
    out, _ = run(EXAMPLE, manager)
    assert (
        "person 0, joined 0, intake 0, decision 0, order 0, closure 0, corrected 0, unchanged 19"
        in out
    )
    assert [m.objects.count() for m in (Person, Intake, Decision, Order, Closure, FollowUp)] == (
        counts
    )


def test_a_new_decision_added_to_the_file_is_all_a_second_import_adds(kind, manager, tmp_path):
    run(EXAMPLE, manager)
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
    out, _ = run(write(tmp_path, lines), manager)
    assert "person 0, joined 0, intake 0, decision 1, order 1" in out
    assert Decision.objects.filter(person__last_name="Förrsson").count() == 2


def test_dry_run_reports_what_it_would_create_and_saves_nothing(kind, manager):
    out, _ = run(EXAMPLE, manager, "--dry-run")
    assert (
        "Dry run, nothing saved. Would create: person 7, joined 0, intake 9, decision 6, order 5"
        in out
    )
    assert Person.objects.count() == 0
    assert Decision.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_every_rejected_line_is_named_and_nothing_is_loaded(kind, manager, tmp_path):
    lines = example_lines()[:6]
    lines[1]["personal_number"] = "19850620-9802"  # wrong check digit
    lines[3]["decisions"][0]["reasons"] = ""  # a rejection without reasons
    lines[4]["intakes"][0]["source"] = "neighbour"
    path = write(tmp_path, [*lines, "{not json", lines[0]])
    with pytest.raises(CommandError):
        run(path, manager)
    assert Person.objects.count() == 0
    assert Intake.objects.count() == 0


def test_rejections_give_line_and_reason(kind, manager, tmp_path, capsys):
    lines = example_lines()[:6]
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
            manager.username,
            "--unit",
            "Myndigheten",
            "--source",
            "gamla",
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


def test_skip_invalid_loads_the_valid_lines_only(kind, manager, tmp_path):
    lines = example_lines()
    lines[2]["intakes"][0]["received_on"] = "2013-02-30"
    out, err = run(write(tmp_path, lines), manager, "--skip-invalid")
    assert "line 3" in err or "rad 3" in err
    assert Person.objects.count() == 6
    assert not Person.objects.filter(last_name="Gammal").exists()


def test_an_existing_person_is_not_registered_twice(kind, manager):
    PersonFactory(personal_number="199001059857", first_name="Ebba", last_name="Arkivsson")
    run(EXAMPLE, manager)
    assert Person.objects.filter(personal_number="199001059857").count() == 1
    assert Decision.objects.filter(person__personal_number="199001059857").count() == 2


def test_the_import_is_in_the_access_log_and_the_application_log_has_no_names(
    kind, manager, caplog
):
    with caplog.at_level(logging.INFO, logger="brygga.history"):
        run(EXAMPLE, manager)
    # One entry per imported person, naming the run, and one for the unidentified intakes.
    entries = AccessLogEntry.objects.filter(username=manager.username)
    run_id = str(ImportRun.objects.get().pk)
    assert set(entries.values_list("record_type", "record_id", "action")) == {
        ("history_import", run_id, "create")
    }
    assert entries.filter(person_id__isnull=False).count() == 7
    assert entries.filter(person_id__isnull=True).count() == 1
    # Its detail names each record the line made, as the actions that make them log it.
    items = logged_items(entries)
    assert items[("person", "create", "import")] == 7
    assert items[("decision", "create", "")] == 6
    assert items[("order", "create", "")] == 5
    assert items[("closure", "create", "")] == 3
    people = {str(p) for p in Person.objects.values_list("pk", flat=True)}
    for entry in entries.filter(person_id__isnull=False):
        made = {i[1] for i in combined_items(entry.detail) if i[0] == "person"}
        assert made == {str(entry.person_id)} and made <= people
    # The unidentified intakes, each by its own id, in the entry about no one.
    unidentified = entries.get(person_id__isnull=True)
    assert {i[0] for i in combined_items(unidentified.detail)} == {"intake"}
    assert logged_items([unidentified])[("intake", "create", "")] == 2
    text = caplog.text
    assert "history import" in text
    for secret in ("Arkivsson", "19900105", "Ebba"):
        assert secret not in text


def test_the_report_gives_the_figures_a_person_counts_from_the_example(kind, manager):
    from reports import figures
    from reports.report import build_report

    run(EXAMPLE, manager)
    start, end = datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)
    assert figures.intakes_by_source(start, end) == {
        "psychiatry": 3,
        "relative": 2,
        "health_centre": 1,
        "self": 1,
        "municipal": 1,
        "anonymous": 1,
    }
    # Phone: U-001, U-002, U-006, X-001; U-007 and X-002 never recorded how contact was made.
    assert figures.intakes_by_channel(start, end) == {
        "phone": 4,
        "email": 1,
        "letter": 1,
        "web": 1,
        "unknown": 2,
    }
    # Not in the target group (U-003), referred (U-005), and the two unidentified ones.
    assert figures.not_offered(start, end) == 4
    assert figures.new_people_per_year(start, end) == {2010: 1, 2011: 1, 2012: 1, 2014: 1}
    assert figures.people_with_decision(start, end) == {"people": 5, "more_than_one": 1}
    assert figures.decisions_by_outcome(start, end) == {"grant": 4, "partial": 1, "rejection": 1}
    # On 2013-01-01 only U-002 is in support (U-001 closed 2012-11-10, U-007 2011-06-10).
    assert figures.ongoing_decisions(datetime.date(2013, 1, 1)) == 1
    ended = figures.contact_time_ended(start, end)
    assert (ended["n"], ended["min"], ended["max"]) == (3, 242, 580)
    assert ended["mean"] == pytest.approx((242 + 548 + 580) / 3)
    assert figures.closure_reasons(start, end) == {
        "goals_reached": 1,
        "declined": 1,
        "unknown": 1,
    }
    assert figures.situation_after(start, end, "occupation")["closure"] == {
        "work": 1,
        "none": 1,
        "unknown": 1,
    }
    assert figures.follow_up_status(start, end)["consent"] == {
        "consented": 1,
        "not_consented": 1,
        "unknown": 1,
    }
    # Those who started 2010–2015: U-007 (242 days), U-001 (580), U-006 (548) have ended;
    # U-002 (started 2012-05-20) is still in support.
    started = figures.contact_time_started(start, end)
    assert (started["n"], started["min"], started["max"], started["ongoing"]) == (3, 242, 580, 1)
    # Those who started 2012–2015: U-006 ended, U-002 goes on.
    later = figures.contact_time_started(datetime.date(2012, 1, 1), end)
    assert (later["n"], later["mean"], later["ongoing"]) == (1, 548, 1)
    report = build_report(start, end, suppress=False)
    tables = {t["key"]: t for s in report["sections"] for t in s["tables"]}
    rows = {row["key"]: row["values"] for row in tables["contact_time_started"]["rows"]}
    assert rows["n"] == [3]
    assert rows["max"] == [round(580 / figures.DAYS_PER_MONTH, 1)]
    ongoing = tables["contact_time_started_ongoing"]["rows"][0]["values"][0]
    assert ongoing == 1
    not_offered = tables["not_offered"]["rows"][0]["values"][0]
    assert not_offered == 4


# A second source, corrections, unknowns, unidentified intakes, people already in Brygga


def _line(pid, number, **extra) -> dict:
    return {
        "id": pid,
        "personal_number": number,
        "first_name": "Test",
        "last_name": f"Person {pid}",
        **extra,
    }


SECOND_SOURCE = [
    _line(
        "U-001",  # the same id as the example's first person, from another system
        "19700101-9806",
        intakes=[
            {
                "id": "U-001-A1",
                "received_on": "2016-01-10",
                "source": "self",
                "channel": "phone",
                "outcome": "talk_offered",
            }
        ],
        decisions=[
            {
                "id": "U-001-B1",
                "decided_on": "2016-02-01",
                "outcome": "grant",
                "period_from": "2016-02-01",
                "period_to": "2016-12-31",
                "started_on": "2016-02-05",
            }
        ],
    ),
]


def test_ids_belong_to_their_source(kind, manager, tmp_path):
    run(EXAMPLE, manager)
    out, err = run(write(tmp_path, SECOND_SOURCE), manager, source="annat")
    assert err == ""
    assert "Created: person 1, joined 0, intake 1, decision 1, order 1" in out
    other = Person.objects.get(personal_number="197001019806")
    assert other.intakes.count() == 1
    assert Decision.objects.get(number="H-annat-U-001-B1").person == other
    # The first source's U-001 is untouched, and its re-import still finds its own records.
    assert Decision.objects.filter(person__last_name="Arkivsson").count() == 2
    out, _ = run(EXAMPLE, manager)
    assert "person 0, joined 0, intake 0, decision 0" in out


def test_a_corrected_re_import_updates_the_record_and_lists_old_and_new(kind, manager, tmp_path):
    run(EXAMPLE, manager)
    lines = example_lines()
    lines[0]["closure"]["closed_on"] = "2012-12-01"
    lines[1]["decisions"][0]["period_to"] = "2013-06-30"
    out, err = run(write(tmp_path, lines), manager)
    assert err == ""
    assert "corrected 2" in out
    assert "closure U-001.closed_on: 2012-11-10 → 2012-12-01" in out
    assert "decision U-002-B1.period_to: 2013-05-09 → 2013-06-30" in out
    closure = Closure.objects.get(person__last_name="Arkivsson")
    assert closure.closed_on == datetime.date(2012, 12, 1)
    assert closure.case.closed_on == datetime.date(2012, 12, 1)
    # The pending 12-month follow-up moves with the closure.
    assert FollowUp.objects.get(months=12).due_on == datetime.date(2013, 12, 1)
    decision = Decision.objects.get(number="H-gamla-U-002-B1")
    assert decision.period_to == datetime.date(2013, 6, 30)
    assert decision.order.period_to == datetime.date(2013, 6, 30)
    logged = logged_items(AccessLogEntry.objects.filter(action="update"))
    assert logged[("closure", "update", "history")] == 1
    assert logged[("decision", "update", "history")] == 1


def test_a_correction_that_breaks_a_rule_is_refused_with_the_line(kind, manager, tmp_path):
    run(EXAMPLE, manager)
    lines = example_lines()
    lines[5]["closure"]["closed_on"] = "2014-04-01"  # before the support started (2014-04-15)
    with pytest.raises(CommandError):
        _out, err = run(write(tmp_path, lines), manager)
    assert Closure.objects.get(person__last_name="Förut").closed_on == datetime.date(2015, 10, 15)


def test_unidentified_intakes_are_imported_and_counted_as_not_offered(kind, manager, tmp_path):
    from reports import figures

    lines = [
        *example_lines()[:6],
        {
            "unidentified": True,
            "intakes": [
                {
                    "id": "X-1",
                    "received_on": "2012-05-01",
                    "source": "anonymous",
                    "channel": "phone",
                    "outcome": "no_action",
                    "person_description": "Mamma till en son, 25 år",
                },
                {
                    "id": "X-2",
                    "received_on": "2013-09-01",
                    "source": "relative",
                    "outcome": "declined",
                },
            ],
        },
    ]
    out, err = run(write(tmp_path, lines), manager)
    assert err == ""
    assert "person 6, joined 0, intake 8" in out
    unidentified = Intake.objects.filter(person__isnull=True)
    assert unidentified.count() == 2
    assert unidentified.filter(case__isnull=True).count() == 2
    start, end = datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)
    # The example's two (not in the target group, referred) and the two unidentified ones.
    assert figures.not_offered(start, end) == 4
    assert figures.intakes_by_channel(start, end)["unknown"] == 1


def test_an_unidentified_line_names_no_person_and_holds_intakes_only(kind, manager, tmp_path):
    line = {"unidentified": True, "first_name": "Anna", "intakes": [], "decisions": [{}]}
    _out, err = run(write(tmp_path, [line]), manager, "--skip-invalid")
    assert "first_name" in err and "decisions" in err and "intakes" in err


def test_what_the_earlier_system_never_recorded_is_counted_as_unknown(kind, manager, tmp_path):
    from reports import figures
    from reports.report import build_report

    lines = example_lines()[:6]
    closure = lines[5]["closure"]
    for key in ("reason", "occupation", "isolation", "follow_up_consent"):
        del closure[key]
    del lines[4]["intakes"][0]["channel"]
    out, err = run(write(tmp_path, lines), manager)
    assert err == ""
    start, end = datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)
    assert figures.closure_reasons(start, end) == {"goals_reached": 1, "unknown": 1}
    assert figures.situation_after(start, end, "occupation")["closure"] == {
        "work": 1,
        "unknown": 1,
    }
    assert figures.follow_up_status(start, end)["consent"] == {
        "consented": 1,
        "not_consented": 0,
        "unknown": 1,
    }
    assert figures.intakes_by_channel(start, end)["unknown"] == 1
    report = build_report(start, end, suppress=False)
    tables = {t["key"]: t for s in report["sections"] for t in s["tables"]}
    reasons = {row["key"]: row["values"][0] for row in tables["closure_reason"]["rows"]}
    assert reasons["unknown"] == 1
    isolation = {row["key"]: row["values"][0] for row in tables["isolation"]["rows"]}
    assert isolation["unknown"] == 1


def test_an_existing_persons_history_joins_their_open_case(kind, manager, org):
    from tests.factories import CaseFactory

    person = PersonFactory(personal_number="198506209801", first_name="Olle", last_name="Förrsson")
    case = CaseFactory(
        person=person, authority_unit=org["authority"], opened_on=datetime.date(2024, 1, 10)
    )
    out, _ = run(EXAMPLE, manager)
    assert "person 6, joined 1" in out
    cases = Case.objects.filter(person=person)
    assert list(cases) == [case]
    case.refresh_from_db()
    assert case.opened_on == datetime.date(2012, 3, 1)  # the history's first date
    assert Decision.objects.get(number="H-gamla-U-002-B1").case == case


def test_a_history_that_ended_before_the_open_case_is_an_earlier_closed_case(kind, manager, org):
    from tests.factories import CaseFactory

    person = PersonFactory(personal_number="199001059857", first_name="Ebba", last_name="Arkivsson")
    case = CaseFactory(
        person=person, authority_unit=org["authority"], opened_on=datetime.date(2024, 1, 10)
    )
    run(EXAMPLE, manager)
    case.refresh_from_db()
    assert case.status == "open"
    earlier = Case.objects.filter(person=person).exclude(pk=case.pk).get()
    assert earlier.status == "closed" and earlier.closed_on == datetime.date(2012, 11, 10)


def test_the_import_needs_the_authority_and_provider_roles(kind, officer):
    with pytest.raises(CommandError, match="utförarenheten|provider unit"):
        run(EXAMPLE, officer)
    assert Person.objects.count() == 0


def test_imported_decisions_ask_no_letter_and_no_delegation(kind, manager):
    run(EXAMPLE, manager)
    rejection = Decision.objects.get(number="H-gamla-U-004-B1")
    assert rejection.from_history
    assert rejection.application.communication_exemption == ""
    # Nor delegation: the manager recording it has none, and the decision was recorded.


def test_a_stated_sex_stands_and_only_a_missing_one_is_read_from_the_number(
    kind, manager, tmp_path
):
    lines = example_lines()[:2]
    lines[0]["sex"] = "X"  # 19900105-9857: the number's sex digit says M
    lines[1].pop("sex", None)
    run(write(tmp_path, lines), manager)
    stated = Person.objects.get(personal_number="199001059857")
    assert stated.sex == "X"
    unstated = Person.objects.exclude(pk=stated.pk).get()
    assert unstated.sex == ("M" if int(unstated.personal_number[-2]) % 2 else "F")


def test_a_sex_other_than_f_m_or_x_is_refused(kind, manager, tmp_path):
    lines = example_lines()[:1]
    lines[0]["sex"] = "male"
    with pytest.raises(CommandError, match="rejected"):
        run(write(tmp_path, lines), manager)
    assert not Person.objects.exists()


def test_a_file_is_checked_as_it_is_loaded_and_the_run_counts_every_line(
    kind, manager, tmp_path, monkeypatch
):
    """Lines are checked batch by batch as the load reads them (`checking`), while the batch
    before is written: a line late in the file, invalid or with an id an early line used, is
    still named, and the run counts the file's lines and its rejected ones."""
    from history import fictional
    from history.models import ImportRun

    monkeypatch.setattr("history.batch.BATCH", 8)
    monkeypatch.setattr("history.batch.FIRST", 4)
    lines = fictional.lines(40, seed=5)
    lines[33]["intakes"][0]["received_on"] = "2013-02-30"
    lines[37]["id"] = lines[2]["id"]  # an id the third line used
    checked_when_loaded: list[int] = []
    from history import importer

    load = importer.load

    def spy(rows, *args, progress=None, checked=None, **kwargs):
        def told(done):
            checked_when_loaded.append(checked.lines)
            progress(done)

        return load(rows, *args, progress=told, checked=checked, **kwargs)

    monkeypatch.setattr("history.management.commands.import_history.load", spy)
    out, err = run(write(tmp_path, lines), manager, "--skip-invalid")
    rejected = err.splitlines()
    assert rejected[0].startswith(("line 34:", "rad 34:")) and "received_on" in rejected[0]
    assert rejected[1].startswith(("line 38:", "rad 38:")) and lines[2]["id"] in rejected[1]
    # The first batch was loaded before the whole file had been checked.
    n = len(lines)
    assert checked_when_loaded[0] < n and checked_when_loaded[-1] == n
    assert "lines loaded" in out and f"{n} lines read, {n - 2} valid, 2 rejected" in out
    run_ = ImportRun.objects.get()
    assert (run_.lines, run_.rejected) == (n, 2)
    people = len([line for line in lines if not line.get("unidentified")]) - 2
    assert Person.objects.count() == people


def test_the_register_extract_shows_the_import_as_one_row_of_the_person(kind, manager):
    """What the person reads of the log: the import of their history as one row, in words."""
    from django.utils import translation

    from retention.extract import build

    run(EXAMPLE, manager)
    person = Person.objects.get(personal_number="199001059857")
    with translation.override("sv"):
        data = build(person)
    imported = [r for r in data["access_summary"] if "Import från tidigare system" in r["what"]]
    assert len(imported) == 1 and imported[0]["what"].endswith("skapad")
    assert manager.get_full_name() in imported[0]["who"]
    # The JSON names the entry, whose detail lists what the import made of the person.
    entry = AccessLogEntry.objects.get(person_id=person.pk)
    made = {record_type for record_type, *_ in combined_items(entry.detail)}
    assert {"person", "case", "intake", "decision"} <= made

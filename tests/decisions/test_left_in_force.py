"""The officer's "Decisions still in force in a closed case", read through the closing day the
database keeps on each decision (`Decision.case_ended_on`, decisions.0011): the same rows, in
the same order, shown to the same people as when they were computed from the cases."""

from __future__ import annotations

import datetime
import io
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.bulk import COPY_FROM, insert, unsaved
from core.sections import first_rows
from core.vendor_sql import run_per_vendor
from decisions.ending import replaced_by_later, running_past
from decisions.models import GRANTED, NO_END, Application, Decision, DecisionKind, Outcome
from decisions.sections import LEFT_IN_FORCE
from people import access
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus
from tests import factories
from tests.factories import CaseFactory, PersonFactory, SupportKindFactory, UserFactory
from tests.test_queries import assert_same_queries, queries_for
from tests.test_worklist_pages import _every_page

URL = "/arbetslista/beslut-i-avslutade-arenden/"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def computed(user, today: datetime.date) -> list[Decision]:
    """The list as it was computed before the stored day: joined to the cases."""
    named = CaseStaff.objects.filter(case__person_id=OuterRef("person_id"), user=user)
    return list(
        Decision.objects.filter(case__status=CaseStatus.CLOSED)
        .filter(case__in=access.own_cases(user).values("pk"))
        .filter(Q(person__protected_identity=False) | Exists(named))
        .filter(running_past(today))
        .exclude(replaced_by_later())
        .annotate(ended=Coalesce("case__closed_on", "case__opened_on"))
        .order_by("ended", "number")
    )


def stored(user, today: datetime.date) -> list[Decision]:
    return list(LEFT_IN_FORCE.rows(user, today).order_by(*LEFT_IN_FORCE.keys))


def expected_day(case: Case) -> datetime.date | None:
    if case.status != CaseStatus.CLOSED:
        return None
    return case.closed_on or case.opened_on


def assert_marks_follow_the_cases():
    """Each decision's stored days, as its case and period give them: the period's last day
    only while it has not passed by the database's date (UTC on Django's connections)."""
    database_today = timezone.now().date()
    for decision in Decision.objects.select_related("case"):
        ended = expected_day(decision.case)
        assert decision.case_ended_on == ended, decision.number
        until = decision.period_to or NO_END
        running = ended is not None and decision.outcome in GRANTED and until >= database_today
        assert decision.left_running_until == (until if running else None), decision.number


def migration(name: str):
    return import_module(f"decisions.migrations.{name}")


def run_sql(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        run_per_vendor({connection.vendor: statements})(None, editor)


def vendor_sql(module, suffix: str = "") -> list[str]:
    return getattr(module, f"{connection.vendor.upper()}{suffix}")


@pytest.fixture
def kind(db):
    return SupportKindFactory(name="Stöd", code="stod")


@pytest.fixture
def decide(officer, kind):
    """decide(case, **fields) -> a decision on the case, inserted as the model inserts it."""

    def _decide(case, *, outcome=Outcome.GRANT, period_to=None, replaces=None, kind_of=None):
        return factories.decision(
            case,
            kind,
            officer,
            days(-200),
            on=replaces.application if replaces else None,
            applied_on=days(-300),
            outcome=outcome,
            kind=kind_of or (DecisionKind.RENEWAL if replaces else DecisionKind.NEW),
            replaces=replaces,
            period_from=days(-190),
            period_to=period_to,
        )

    return _decide


def a_case(unit, *, closed_on=None, status=CaseStatus.CLOSED, protected=False, opened=-400):
    person = PersonFactory(protected_identity=protected)
    return CaseFactory(
        person=person,
        authority_unit=unit,
        status=status,
        opened_on=days(opened),
        closed_on=closed_on,
    )


def close(case: Case, closed_on: datetime.date | None) -> Case:
    case.status, case.closed_on = CaseStatus.CLOSED, closed_on
    case.save()
    return case


def reopen(case: Case) -> Case:
    case.status, case.closed_on = CaseStatus.OPEN, None
    case.save()
    return case


@pytest.fixture
def story(org, officer, decide):
    """Cases closed, reopened and closed again; decisions running, run out, replaced, ended,
    rejected; periods past, future and open; protected people; another authority's case."""
    unit = org["authority"]
    shown, hidden = [], []
    closed = a_case(unit, closed_on=days(-100))
    shown += [decide(closed, period_to=days(90)), decide(closed, outcome=Outcome.PARTIAL)]
    hidden += [decide(closed, period_to=days(-5)), decide(closed, outcome=Outcome.REJECTION)]
    hidden.append(decide(closed, period_to=days(0)))  # runs out today: not past it
    shown.append(decide(closed, period_to=days(1)))
    # Closed with no closing day recorded: the opening day stands in for it.
    shown.append(decide(a_case(unit, opened=-500), period_to=None))
    hidden.append(decide(a_case(unit, status=CaseStatus.OPEN), period_to=days(30)))
    hidden.append(decide(reopen(close(a_case(unit, status=CaseStatus.OPEN), days(-30)))))
    again = close(reopen(a_case(unit, closed_on=days(-300))), days(-20))
    shown.append(decide(again, period_to=days(60)))
    replaced = a_case(unit, closed_on=days(-100))  # the same day as `closed`: by number then
    renewed = decide(replaced, period_to=days(10))
    shown.append(decide(replaced, replaces=renewed, period_to=days(200)))
    ended = decide(replaced, period_to=days(50))
    hidden += [
        renewed,
        ended,
        decide(
            replaced,
            replaces=ended,
            outcome=Outcome.ENDED,
            period_to=days(-1),
            kind_of=DecisionKind.ENDING,
        ),
    ]
    kept = decide(replaced, period_to=days(40))  # a change was rejected: it stands
    shown.append(kept)
    hidden.append(
        decide(replaced, replaces=kept, outcome=Outcome.REJECTION, kind_of=DecisionKind.CHANGE)
    )
    hidden.append(decide(a_case(unit, closed_on=days(-50), protected=True), period_to=days(9)))
    named = a_case(unit, closed_on=days(-60), protected=True)
    CaseStaff.objects.create(case=named, user=officer, role=CaseStaffRole.OFFICER)
    shown.append(decide(named, period_to=days(9)))
    hidden.append(decide(a_case(org["other_authority"], closed_on=days(-70)), period_to=None))
    return {"shown": shown, "hidden": hidden}


def test_the_stored_day_gives_the_rows_order_and_people_the_cases_gave(officer, story):
    today = timezone.localdate()
    rows = stored(officer, today)
    assert rows == computed(officer, today)
    assert {d.pk for d in rows} == {d.pk for d in story["shown"]}
    assert [(d.case_ended_on, d.number) for d in rows] == sorted(
        (expected_day(d.case), d.number) for d in rows
    )
    assert_marks_follow_the_cases()


def test_another_authoritys_officer_and_a_coordinator_see_none_of_it(
    outsider_officer, coordinator, story
):
    today = timezone.localdate()
    assert stored(outsider_officer, today) == computed(outsider_officer, today) != []
    assert stored(coordinator, today) == computed(coordinator, today) == []


def test_the_list_follows_the_day_it_is_read(officer, story):
    """The stored days say that the case is closed and until when a decision may run; whether
    it still runs is asked of the day the list is read: today or later (a passed period's day
    is cleared, so a list as of an earlier day is not what the stored days give)."""
    assert assert_marks_follow_the_cases() is None
    for day in (days(0), days(1), days(9), days(45), days(100), days(400)):
        assert stored(officer, day) == computed(officer, day)
    assert stored(officer, days(400)) == [d for d in stored(officer, days(0)) if not d.period_to]


def test_a_case_closed_reopened_and_closed_again_moves_its_decisions(officer, org, decide):
    case = a_case(org["authority"], status=CaseStatus.OPEN)
    decision = decide(case, period_to=days(30))
    today = timezone.localdate()
    assert stored(officer, today) == []
    close(case, days(-3))
    assert stored(officer, today) == [decision]
    assert Decision.objects.get(pk=decision.pk).case_ended_on == days(-3)
    case.closed_on = days(-8)  # the closing day corrected
    case.save()
    assert Decision.objects.get(pk=decision.pk).case_ended_on == days(-8)
    reopen(case)
    assert stored(officer, today) == []
    assert Decision.objects.get(pk=decision.pk).case_ended_on is None
    close(case, None)
    assert Decision.objects.get(pk=decision.pk).case_ended_on == case.opened_on
    assert stored(officer, today) == computed(officer, today) == [decision]


def test_cases_closed_and_reopened_in_bulk_mark_their_decisions(officer, org, decide):
    """As the history import and the synthetic data do: past `Case.save`."""
    cases = [a_case(org["authority"], status=CaseStatus.OPEN) for _n in range(3)]
    decisions = [decide(case, period_to=days(30)) for case in cases]
    Case.objects.filter(pk__in=[c.pk for c in cases[:2]]).update(
        status=CaseStatus.CLOSED, closed_on=days(-4)
    )
    cases[2].status, cases[2].closed_on = CaseStatus.CLOSED, days(-9)
    Case.objects.bulk_update([cases[2]], ["status", "closed_on"])
    today = timezone.localdate()
    assert stored(officer, today) == computed(officer, today)
    assert [d.pk for d in stored(officer, today)] == [decisions[2].pk, *sorted_pks(decisions[:2])]
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.OPEN, closed_on=None)
    assert stored(officer, today) == computed(officer, today)
    assert len(stored(officer, today)) == 2
    assert_marks_follow_the_cases()


def sorted_pks(decisions):
    return [d.pk for d in sorted(decisions, key=lambda d: d.number)]


def test_decisions_inserted_in_bulk_into_a_closed_case_are_marked(officer, org, kind):
    """The history import's batches: COPY on PostgreSQL (200 rows or more), bulk_create below
    that; whatever day the rows carry is replaced by their case's."""
    case = a_case(org["authority"], closed_on=days(-12))
    rows = {"applications": [], "decisions": []}
    for n in range(COPY_FROM + 1):
        application = unsaved(
            Application,
            person_id=case.person_id,
            case_id=case.pk,
            support_kind_id=kind.pk,
            applied_on=days(-300),
            form="written",
            what="Stöd",
            created_by=officer,
        )
        rows["applications"].append(application)
        rows["decisions"].append(
            unsaved(
                Decision,
                number=f"H-bulk-{n:04}",
                application_id=application.pk,
                person_id=case.person_id,
                case_id=case.pk,
                support_kind_id=kind.pk,
                decided_on=days(-200),
                outcome=Outcome.GRANT,
                content="Beslut.",
                period_to=days(20),
                legal_basis="SoL",
                decided_by=officer,
                from_history=True,
                case_ended_on=days(-1000),
            )
        )
    insert(Application, rows["applications"])
    insert(Decision, rows["decisions"][:-1])
    Decision._base_manager.bulk_create(rows["decisions"][-1:])
    assert set(Decision.objects.values_list("case_ended_on", flat=True)) == {days(-12)}
    today = timezone.localdate()
    assert len(stored(officer, today)) == COPY_FROM + 1
    assert stored(officer, today) == computed(officer, today)


def test_a_day_written_to_a_decision_is_taken_from_its_case_again(officer, org, decide):
    decision = decide(a_case(org["authority"], closed_on=days(-7)), period_to=days(5))
    Decision._base_manager.filter(pk=decision.pk).update(case_ended_on=days(-999))
    assert Decision.objects.get(pk=decision.pk).case_ended_on == days(-7)
    Decision._base_manager.filter(pk=decision.pk).update(
        case_ended_on=None, left_running_until=days(-999)
    )
    assert Decision.objects.get(pk=decision.pk).case_ended_on == days(-7)
    assert Decision.objects.get(pk=decision.pk).left_running_until == days(5)
    # A corrected re-import corrects the period (decisions.actions.correct_history_decision).
    Decision._base_manager.filter(pk=decision.pk).update(period_to=days(-1))
    assert stored(officer, timezone.localdate()) == []
    Decision._base_manager.filter(pk=decision.pk).update(period_to=None)
    assert Decision.objects.get(pk=decision.pk).left_running_until == NO_END
    assert stored(officer, timezone.localdate()) == computed(officer, timezone.localdate())
    assert_marks_follow_the_cases()
    # Moved to another case (people.merging.merge_case moves every row of a case): its day.
    into = a_case(org["authority"], status=CaseStatus.OPEN)
    Decision._base_manager.filter(pk=decision.pk).update(case=into)
    assert Decision.objects.get(pk=decision.pk).case_ended_on is None


def test_the_migration_marks_the_decisions_already_there(officer, story):
    """Its backfill, run on decisions whose days were lost (the triggers dropped meanwhile)."""
    first, second = (
        migration("0011_ha_decision_case_ended_on"),
        migration("0012_left_in_force_ends"),
    )
    run_sql(vendor_sql(first, "_REVERSE"))
    run_sql(["UPDATE decisions_decision SET case_ended_on = NULL, left_running_until = NULL"])
    assert not Decision.objects.filter(case_ended_on__isnull=False).exists()
    run_sql([*first.BACKFILL, *vendor_sql(first)])
    # 0011 marked every grant of a closed case, also those whose period has passed.
    assert Decision.objects.filter(left_running_until__lt=days(0)).exists()
    run_sql([*vendor_sql(second), *second.CLEAR[connection.vendor]])
    assert_marks_follow_the_cases()
    today = timezone.localdate()
    assert stored(officer, today) == computed(officer, today) != []


def test_the_list_page_pages_through_every_row_in_order(login, officer, org, decide):
    unit = org["authority"]
    for n in range(56):
        # Seven closing days, eight cases each: the number orders the rows of a day.
        decide(a_case(unit, closed_on=days(-10 - n % 7)), period_to=days(30 + n))
    client = login(officer)
    rows = _every_page(client, URL)
    assert rows == computed(officer, timezone.localdate())
    assert len(rows) == 56
    start = first_rows(LEFT_IN_FORCE, officer, timezone.localdate())
    assert list(start) == rows[:10] and start.more


def test_the_list_page_runs_the_same_queries_for_few_rows_or_many(login, officer, org, decide):
    unit = org["authority"]
    decide(a_case(unit, closed_on=days(-10)), period_to=days(30))
    client = login(officer)
    client.get(URL)
    few = queries_for(client, URL)
    for n in range(30):
        decide(a_case(unit, closed_on=days(-n)), period_to=days(n + 1))
    many = queries_for(client, URL)
    assert_same_queries(few, many)
    assert len(client.get(URL).context["page"].rows) == 31


def test_a_protected_person_shows_only_to_an_officer_named_on_the_case(org, decide):
    unit = org["authority"]
    from organisation.models import Role

    named, other = (
        UserFactory(username=f"officer-{n}", roles=[(unit, Role.OFFICER)]) for n in (1, 2)
    )
    case = a_case(unit, closed_on=days(-5), protected=True)
    CaseStaff.objects.create(case=case, user=named, role=CaseStaffRole.OFFICER)
    decision = decide(case, period_to=days(5))
    today = timezone.localdate()
    assert stored(named, today) == computed(named, today) == [decision]
    assert stored(other, today) == computed(other, today) == []


def test_the_daily_job_clears_the_days_that_have_passed_and_the_list_stays(officer, org, decide):
    """A period that ends after its case closed keeps its day until the daily job: the list
    never shows it (it asks for a day after today), and the job takes it out of the index."""
    unit = org["authority"]
    running = decide(a_case(unit, closed_on=days(-30)), period_to=days(20))
    endless = decide(a_case(unit, closed_on=days(-40)), period_to=None)
    passing = decide(a_case(unit, closed_on=days(-50)), period_to=days(30))
    second = migration("0012_left_in_force_ends")
    # The period "ends" three days ago while the day is still marked, as if it had been
    # written when the day was ahead: written with the triggers as they were before 0012.
    run_sql(vendor_sql(second, "_REVERSE"))
    Decision._base_manager.filter(pk=passing.pk).update(period_to=days(-3))
    run_sql(vendor_sql(second))
    assert Decision.objects.get(pk=passing.pk).left_running_until == days(-3)
    today = timezone.localdate()
    before = stored(officer, today)
    assert before == computed(officer, today) == [endless, running]  # by closing day

    out = io.StringIO()
    call_command("clear_ended_periods", stdout=out)
    assert "cleared: 1" in out.getvalue()
    assert Decision.objects.get(pk=passing.pk).left_running_until is None
    assert Decision.objects.get(pk=running.pk).left_running_until == days(20)
    assert Decision.objects.get(pk=endless.pk).left_running_until == NO_END
    assert stored(officer, today) == before
    assert_marks_follow_the_cases()
    # Run again, there is nothing left to clear.
    call_command("clear_ended_periods", stdout=out)
    assert "cleared: 0" in out.getvalue()


def test_a_period_written_as_already_ended_is_never_marked(officer, org, decide):
    decision = decide(a_case(org["authority"], closed_on=days(-30)), period_to=days(-2))
    assert Decision.objects.get(pk=decision.pk).left_running_until is None
    case = a_case(org["authority"], status=CaseStatus.OPEN)
    ended = decide(case, period_to=days(-2))
    close(case, days(-1))
    assert Decision.objects.get(pk=ended.pk).left_running_until is None
    assert stored(officer, timezone.localdate()) == []

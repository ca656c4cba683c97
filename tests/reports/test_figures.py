"""Each figure of the report on a small world whose answers are worked out by hand."""

from __future__ import annotations

import datetime

import pytest

from delivery.models import Visit
from groups.models import Attendance, Group, GroupSession, HeadCount, MeetingPlace, OpenActivity
from people.models import CaseStaffRole
from provision.models import FollowUp
from reports import figures
from tests.factories import CaseStaffFactory

D = datetime.date
YEAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))

pytestmark = pytest.mark.django_db


def test_intakes_count_inside_the_period_boundaries_only(world):
    world.intake(D(2024, 12, 31), source="relative")
    world.intake(D(2025, 1, 1), source="psychiatry", channel="phone")
    world.intake(D(2025, 12, 31), source="psychiatry", channel="email")
    world.intake(D(2025, 6, 1), source="self", channel="web")
    world.intake(D(2026, 1, 1), source="relative")

    assert figures.intakes_by_source(*YEAR_2025) == {"psychiatry": 2, "self": 1}
    assert figures.intakes_by_channel(*YEAR_2025) == {"phone": 1, "email": 1, "web": 1}


def test_intakes_not_offered_support_are_counted_with_their_reason(world):
    world.intake(D(2025, 2, 1), outcome="talk_offered")
    world.intake(D(2025, 2, 2), outcome="talk_offered")
    world.intake(D(2025, 2, 3), outcome="not_target_group")
    world.intake(D(2025, 2, 4), outcome="declined")
    world.intake(D(2025, 2, 5), outcome="declined")
    world.intake(D(2025, 2, 6))  # still open

    assert figures.intake_outcomes(*YEAR_2025) == {
        "talk_offered": 2,
        "not_target_group": 1,
        "declined": 2,
        "open": 1,
    }
    assert figures.not_offered(*YEAR_2025) == 3


def test_days_from_intake_to_talk_decision_and_start(world, coordinator):
    from intake.models import AssessmentTalk

    first = world.person()
    second = world.person()
    one = world.intake(D(2025, 1, 1), person=first, outcome="talk_offered")
    two = world.intake(D(2025, 3, 1), person=second, outcome="talk_offered")
    for intake, held_on in ((one, D(2025, 1, 11)), (two, D(2025, 3, 21))):
        AssessmentTalk.objects.create(
            intake=intake,
            person=intake.person,
            held_on=held_on,
            place="premises",
            created_by=coordinator,
        )
    world.decision(first, D(2024, 12, 1))  # before the intake: not its decision
    world.start(first, D(2025, 3, 1), decided_on=D(2025, 2, 1))

    times = figures.intake_lead_times(*YEAR_2025)

    assert times["talk"]["n"] == 2
    assert times["talk"]["mean"] == 15  # 10 and 20 days
    assert times["talk"]["median"] == 15
    assert (times["talk"]["min"], times["talk"]["max"]) == (10, 20)
    assert (times["decision"]["n"], times["decision"]["mean"]) == (1, 31)
    assert (times["start"]["n"], times["start"]["mean"]) == (1, 59)


def test_new_people_are_counted_in_the_year_of_their_first_start(world):
    a, b, c, d = (world.person() for _ in range(4))
    world.start(a, D(2024, 12, 31))
    world.start(a, D(2025, 5, 1))  # a second order: not a new person in 2025
    world.start(b, D(2025, 1, 1))
    world.start(b, D(2025, 6, 1))
    world.start(c, D(2025, 12, 31))
    world.start(d, D(2026, 1, 1))

    assert figures.new_people_per_year(*YEAR_2025) == {2025: 2}
    assert figures.new_people_per_year(D(2024, 1, 1), D(2026, 12, 31)) == {
        2024: 1,
        2025: 2,
        2026: 1,
    }


def test_new_people_by_the_source_of_their_first_intake(world):
    a, b, c = (world.person() for _ in range(3))
    world.intake(D(2024, 5, 1), person=a, source="psychiatry")
    world.intake(D(2025, 2, 1), person=a, source="relative")  # a later intake does not count
    world.intake(D(2025, 1, 5), person=b, source="relative")
    for person in (a, b, c):
        world.start(person, D(2025, 3, 1))

    assert figures.new_people_by_source(*YEAR_2025) == {"psychiatry": 1, "relative": 1, "": 1}


def test_people_with_a_decision_and_with_more_than_one(world):
    a, b, c = (world.person() for _ in range(3))
    world.decision(a, D(2025, 1, 1))
    world.decision(a, D(2025, 12, 31), kind="renewal")
    world.decision(b, D(2025, 6, 1), outcome="rejection")
    world.decision(c, D(2024, 12, 31))  # before the period
    world.decision(c, D(2025, 2, 1))

    assert figures.people_with_decision(*YEAR_2025) == {"people": 3, "more_than_one": 1}


def test_ongoing_decisions_on_a_date(world):
    a, b, c, d, e = (world.person() for _ in range(5))
    world.decision(a, D(2025, 1, 1), period_from=D(2025, 1, 1), period_to=D(2025, 12, 31))
    world.decision(a, D(2025, 6, 1), period_from=D(2025, 6, 1))  # same person: counted once
    world.decision(b, D(2025, 1, 1), outcome="partial", period_from=D(2025, 1, 1))
    world.decision(c, D(2025, 1, 1), outcome="rejection")
    world.decision(d, D(2025, 1, 1), period_from=D(2025, 1, 1))
    world.close(d, D(2025, 9, 30))  # closed before the date
    world.decision(e, D(2026, 1, 1), period_from=D(2026, 1, 1))  # not yet decided

    assert figures.ongoing_decisions(D(2025, 12, 31)) == 2
    assert figures.ongoing_decisions(D(2025, 9, 29)) == 3


def test_contact_time_of_ended_and_ongoing_cases(world):
    a, b, c = (world.person() for _ in range(3))
    world.start(a, D(2024, 1, 1))
    world.close(a, D(2024, 12, 31))  # 365 days
    world.start(b, D(2024, 3, 1))
    world.close(b, D(2024, 6, 29))  # 120 days
    world.start(c, D(2024, 7, 1))  # ongoing

    ended = figures.contact_time_ended(D(2024, 1, 1), D(2024, 12, 31))
    assert ended["n"] == 2
    assert ended["mean"] == pytest.approx(242.5)
    assert ended["median"] == pytest.approx(242.5)
    assert (ended["min"], ended["max"]) == (120, 365)
    assert figures.contact_time_distribution(D(2024, 1, 1), D(2024, 12, 31)) == {
        "0-6": 1,
        "6-12": 1,  # 365 days is 11.99 months
        "12-24": 0,
        "24-36": 0,
        "36-": 0,
    }
    # The report asks for both at once (one query on PostgreSQL): the same figures.
    assert figures.ended_contact_figures(D(2024, 1, 1), D(2024, 12, 31)) == (
        ended,
        figures.contact_time_distribution(D(2024, 1, 1), D(2024, 12, 31)),
    )
    ongoing = figures.contact_time_ongoing(D(2024, 12, 31))
    assert (ongoing["n"], ongoing["mean"]) == (1, 183)
    # Closure on the last day of the period counts; a day later does not.
    assert figures.contact_time_ended(D(2024, 1, 1), D(2024, 12, 30))["n"] == 1


def test_decisions_and_appeals(world, officer):
    from decisions.models import Appeal

    a = world.person()
    world.decision(a, D(2025, 1, 1))
    rejection = world.decision(a, D(2025, 2, 1), outcome="rejection")
    world.decision(a, D(2025, 3, 1), outcome="partial", kind="renewal")
    world.decision(a, D(2026, 3, 1), outcome="rejection")
    Appeal.objects.create(
        decision=rejection,
        received_on=D(2025, 2, 10),
        decision_received_on=D(2025, 2, 3),
        deadline=D(2025, 2, 24),
        in_time=True,
        status="judged",
        judgment="upheld",
        judgment_on=D(2025, 9, 1),
        registered_by=officer,
    )
    Appeal.objects.create(
        decision=rejection,
        received_on=D(2025, 4, 1),
        decision_received_on=D(2025, 2, 3),
        deadline=D(2025, 2, 24),
        in_time=False,
        status="dismissed",
        registered_by=officer,
    )

    assert figures.decisions_by_outcome(*YEAR_2025) == {"grant": 1, "rejection": 1, "partial": 1}
    assert figures.decisions_by_kind(*YEAR_2025) == {"new": 2, "renewal": 1}
    assert figures.appeals_by_status(*YEAR_2025) == {"judged": 1, "dismissed": 1}
    assert figures.appeals_in_time(*YEAR_2025) == {"in_time": 1, "late": 1}
    assert figures.appeal_judgments(*YEAR_2025) == {"upheld": 1}


def test_caseload_visits_per_week_and_cancellations(world, coordinator, colleague):
    people = [world.person() for _ in range(3)]
    for person in people[:2]:
        CaseStaffFactory(
            case=person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
        )
    CaseStaffFactory(case=people[2].cases.first(), user=colleague, role=CaseStaffRole.COORDINATOR)
    world.close(people[1], D(2025, 6, 1))

    loads = {
        row["user_id"]: row["cases"] for row in figures.caseload_per_coordinator(D(2025, 7, 1))
    }
    assert loads == {coordinator.pk: 1, colleague.pk: 1}
    loads = {
        row["user_id"]: row["cases"] for row in figures.caseload_per_coordinator(D(2025, 5, 1))
    }
    assert loads == {coordinator.pk: 2, colleague.pk: 1}

    def visit(day, status, by):
        Visit.objects.create(
            person=people[0],
            planned_at=datetime.datetime(2025, 3, day, 10, tzinfo=datetime.UTC),
            place="Lokalen",
            status=status,
            created_by=by,
        )

    for day in (3, 4, 5, 10):
        visit(day, "held", coordinator)
    visit(11, "cancelled_person", coordinator)
    visit(12, "no_show", colleague)
    two_weeks = (D(2025, 3, 3), D(2025, 3, 16))
    rows = figures.visits_per_coordinator(*two_weeks)
    assert [(r["user_id"], r["visits"], r["per_week"]) for r in rows] == [(coordinator.pk, 4, 2.0)]
    assert figures.visits_by_status(*two_weeks) == {"held": 4, "cancelled_person": 1, "no_show": 1}


def test_group_attendance_per_session(world, org, coordinator):
    group = Group.objects.create(
        name="Eftermiddag",
        unit=org["north"],
        weekdays="0",
        start_time="14:00",
        created_by=coordinator,
    )
    people = [world.person() for _ in range(4)]
    present_per_session = {D(2025, 3, 3): 2, D(2025, 3, 10): 4, D(2025, 3, 17): 0}
    for day, present in present_per_session.items():
        session = GroupSession.objects.create(
            group=group, date=day, start_time="14:00", duration_minutes=60
        )
        for index, person in enumerate(people):
            Attendance.objects.create(
                session=session, person=person, present=index < present, recorded_by=coordinator
            )
    GroupSession.objects.create(
        group=group, date=D(2025, 3, 24), start_time="14:00", duration_minutes=60, cancelled=True
    )

    result = figures.group_attendance(*YEAR_2025)
    assert (result["sessions"], result["cancelled"]) == (3, 1)
    assert (result["mean"], result["low"], result["high"]) == (2, 0, 4)
    assert figures.group_attendance_distribution(*YEAR_2025) == {0: 1, 2: 1, 4: 1}


def test_meeting_place_head_counts(org):
    place = MeetingPlace.objects.create(name="Tinget", unit=org["meeting_place"])
    evening = OpenActivity.objects.create(meeting_place=place, name="Vux-kväll")
    HeadCount.objects.create(activity=evening, date=D(2025, 3, 3), count=10, age_18_24=6)
    HeadCount.objects.create(activity=evening, date=D(2025, 3, 5), count=14, age_18_24=4)
    HeadCount.objects.create(activity=evening, date=D(2026, 1, 1), count=99)

    [row] = figures.head_counts(*YEAR_2025)
    assert (row["place"], row["activity"], row["days"], row["visitors"]) == (
        "Tinget",
        "Vux-kväll",
        2,
        24,
    )
    assert (row["mean"], row["min"], row["max"]) == (12, 10, 14)
    assert row["bands"]["age_18_24"] == 10


def test_situation_at_closure_and_six_and_twelve_months_after(world, officer):
    a, b, c = (world.person() for _ in range(3))
    world.close(a, D(2025, 1, 31), occupation="studies", isolation="partly", consent=True)
    world.close(b, D(2025, 2, 28), occupation="none", isolation="as_before", consent=True)
    world.close(c, D(2024, 12, 31), occupation="work", isolation="none", consent=True)
    FollowUp.objects.filter(person=a, months=6).update(
        status="done", occupation="work", isolation="none", done_on=D(2025, 8, 1)
    )
    FollowUp.objects.filter(person=b, months=6).update(status="refused")

    occupation = figures.situation_after(*YEAR_2025, "occupation")
    assert occupation == {
        "closure": {"studies": 1, "none": 1},
        "after_6": {"work": 1},
        "after_12": {},
    }
    status = figures.follow_up_status(*YEAR_2025)
    assert status["consent"] == {"consented": 2, "not_consented": 0, "unknown": 0}
    assert status["after_6"] == {"done": 1, "refused": 1}
    assert status["after_12"] == {"pending": 2}
    assert figures.closure_reasons(*YEAR_2025) == {"goals_reached": 2}

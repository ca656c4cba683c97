"""Regressions found by counting the demo's figures by hand: each case worked out on paper."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from delivery.models import Visit
from groups.models import Attendance, Group, GroupSession, HeadCount, MeetingPlace, OpenActivity
from instruments.models import Response
from people.models import CaseStaffRole
from reports.report import build_report
from reports.views import presets
from tests.factories import CaseStaffFactory

D = datetime.date
YEAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))

pytestmark = pytest.mark.django_db


def _table(report, key):
    return next(t for s in report["sections"] for t in s["tables"] if t["key"] == key)


def _response(person, occasion, day, total, officer):
    return Response.objects.create(
        person=person,
        case=person.cases.first(),
        code="madrs-s",
        version="1",
        occasion=occasion,
        administered_on=day,
        status="complete",
        total=total,
        computable=True,
        created_by=officer,
    )


def test_scores_given_at_a_visit_are_in_the_report(world, officer):
    # By hand: MADRS-S at start 30; at visits 22 and 18 (mean 20, lowest 18, highest 22).
    # The demo's visit-occasion MADRS-S (22 on 2026-09-24) was missing from the report.
    a, b = world.person(), world.person()
    _response(a, "start", D(2025, 1, 10), 30, officer)
    _response(a, "visit", D(2025, 3, 10), 22, officer)
    _response(b, "visit", D(2025, 4, 10), 18, officer)

    scores = _table(build_report(*YEAR_2025, suppress=False), "scores_madrs-s")

    assert scores["columns"] == ["Start (kartläggning, före insats)", "Under insatsen (besök)"]
    values = {row["key"]: row["values"] for row in scores["rows"]}
    assert values["n"] == [1, 2]
    assert values["mean"] == [30, 20]
    assert (values["min"], values["max"]) == ([30, 18], [30, 22])


def test_score_tables_have_no_rows_that_are_always_empty(world, officer):
    # Median and quartiles are not computed for scores; the page showed them as rows of "–".
    _response(world.person(), "start", D(2025, 1, 10), 30, officer)

    scores = _table(build_report(*YEAR_2025, suppress=False), "scores_madrs-s")

    assert [row["key"] for row in scores["rows"]] == ["n", "mean", "min", "max"]


def test_a_coordinator_has_the_same_number_in_caseload_and_visits(world, coordinator, colleague):
    # Anna (colleague) has one open case and registered no visit; Britt (coordinator) has one
    # open case and two held visits. In name order Anna is Coordinator 1, Britt Coordinator 2,
    # in both tables (the visits table used to call Britt "Coordinator 1").
    colleague.first_name, colleague.last_name = "Anna", "A"
    coordinator.first_name, coordinator.last_name = "Britt", "B"
    colleague.save()
    coordinator.save()
    anna_person, britt_person = world.person(), world.person()
    CaseStaffFactory(case=anna_person.cases.first(), user=colleague, role=CaseStaffRole.COORDINATOR)
    CaseStaffFactory(
        case=britt_person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
    )
    for day in (3, 10):
        Visit.objects.create(
            person=britt_person,
            planned_at=datetime.datetime(2025, 3, day, 10, tzinfo=datetime.UTC),
            place="Hemma",
            status="held",
            created_by=coordinator,
        )

    report = build_report(*YEAR_2025, suppress=True)

    caseload = [(r["label"], r["values"]) for r in _table(report, "caseload")["rows"]]
    visits = [(r["label"], r["values"][0]) for r in _table(report, "visits_per_week")["rows"]]
    # One case each, rounded for analysts like any count of people (0 means 0–2).
    assert caseload == [("Koordinator 1", [0]), ("Koordinator 2", [0])]
    assert visits == [("Koordinator 2", 2)]


def test_all_years_starts_at_the_first_head_count_before_any_intake(world, org):
    # A meeting place counted visitors in 2019; the first intake came in 2025. "All years"
    # must start in 2019, or the 2019 visitors are in no preset at all.
    place = MeetingPlace.objects.create(name="Tinget", unit=org["meeting_place"])
    evening = OpenActivity.objects.create(meeting_place=place, name="Vux-kväll")
    HeadCount.objects.create(activity=evening, date=D(2019, 5, 2), count=7)
    world.intake(D(2025, 2, 1))

    all_years = presets()[-1]

    assert all_years["label"] is None
    assert all_years["start"] == D(2019, 5, 2)
    assert all_years["end"] == timezone.localdate()
    [row] = _table(build_report(all_years["start"], all_years["end"]), "head_counts")["rows"]
    assert row["values"][:2] == [1, 7]


def test_a_session_whose_attendance_is_not_taken_is_not_counted_as_held(world, org, coordinator):
    # By hand: two sessions took place with 1 and 2 of 2 present (mean 1.5, fewest 1); the
    # session of the period's last day has no attendance yet. The report said 3 held, fewest
    # 0, mean 1.0 (the demo: 10 held, fewest 0, mean 1.3, where a person counts 9, 1 and 1.4).
    group = Group.objects.create(
        name="Eftermiddag",
        unit=org["north"],
        weekdays="0",
        start_time="14:00",
        created_by=coordinator,
    )
    people = [world.person(), world.person()]
    for day, present in ((D(2025, 12, 1), 1), (D(2025, 12, 8), 2)):
        session = GroupSession.objects.create(
            group=group, date=day, start_time="14:00", duration_minutes=60
        )
        for index, person in enumerate(people):
            Attendance.objects.create(
                session=session, person=person, present=index < present, recorded_by=coordinator
            )
    GroupSession.objects.create(
        group=group, date=D(2025, 12, 15), start_time="14:00", duration_minutes=60
    )

    report = build_report(D(2025, 1, 1), D(2025, 12, 15), suppress=True)

    rows = {r["key"]: r["values"][0] for r in _table(report, "group_sessions")["rows"]}
    assert rows == {
        "sessions": 2,
        "cancelled": 0,
        "not_recorded": 1,
        "mean": 1.5,
        "min": 1,
        "max": 2,
    }
    distribution = _table(report, "group_distribution")
    assert [r["values"][0] for r in distribution["rows"]][:3] == [0, 1, 1]
    assert distribution["total"]["values"][0] == 2

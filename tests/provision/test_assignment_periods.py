"""Caseloads as they were: assignments carry periods, so a past date shows who had whom then,
and the statistics and the capacity page agree on it."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from people import staffing
from people.models import CaseStaffRole, StaffPeriod
from provision import actions
from provision.closure import close_case
from reports.report import build_report
from tests.provision.conftest import TODAY

BEFORE = TODAY + datetime.timedelta(days=30)  # after the acceptance, before the reassignment


def _report_caseload(on_date) -> dict[str, int]:
    report = build_report(on_date, on_date, suppress=False, named_staff=True)
    staff = next(s for s in report["sections"] if s["key"] == "staff")
    table = next(t for t in staff["tables"] if t["key"] == "caseload")
    return {row["label"]: row["values"][0] for row in table["rows"]}


def _capacity_caseload(client, on_date) -> dict[str, int]:
    response = client.get("/uppdrag/kapacitet/", {"on": on_date.isoformat()})
    assert response.status_code == 200
    return {
        row.user.get_full_name() or row.user.username: row.load
        for row in response.context["coordinators"]
        if row.load
    }


@pytest.fixture
def moved(make_order, coordinator, colleague, manager):
    """Two people accepted with `coordinator` on TODAY; one moved to `colleague` today."""
    orders = [make_order() for _ in range(2)]
    for order in orders:
        actions.accept_order(user=manager, order=order, coordinator=coordinator, today=TODAY)
    actions.reassign(
        user=manager, from_user=coordinator, to_user=colleague, case_ids=[orders[0].case_id]
    )
    return orders


def _name(user):
    return user.get_full_name() or user.username


def test_a_past_date_shows_the_coordinator_before_the_reassignment(
    moved, coordinator, colleague, manager, login
):
    today = timezone.localdate()
    assert today > BEFORE

    before, after = _report_caseload(BEFORE), _report_caseload(today)
    assert before == {_name(coordinator): 2}
    assert after == {_name(colleague): 1, _name(coordinator): 1}
    # The capacity page says the same for the same dates.
    client = login(manager)
    assert _capacity_caseload(client, BEFORE) == before
    page = client.get("/uppdrag/kapacitet/").context["coordinators"]
    assert {_name(r.user): r.load for r in page if r.load} == after


def test_nobody_carries_a_case_from_the_day_it_closed(make_order, coordinator, manager):
    order = make_order()
    actions.accept_order(user=manager, order=order, coordinator=coordinator, today=TODAY)
    closed_on = TODAY + datetime.timedelta(days=40)
    close_case(
        user=coordinator,
        case=order.case,
        reason="goals_reached",
        occupation="work",
        isolation="none",
        follow_up_consent=False,
        closed_on=closed_on,
    )
    assert staffing.caseloads_on(closed_on - datetime.timedelta(days=1)) == {coordinator.pk: 1}
    assert staffing.caseloads_on(closed_on) == {}
    assert staffing.caseloads_on(TODAY - datetime.timedelta(days=1)) == {}  # not yet started


def test_the_migration_rebuilds_the_periods_from_the_assignment_history(
    moved, coordinator, colleague
):
    StaffPeriod.objects.all().delete()
    migration = importlib.import_module("provision.migrations.0007_backfill_staff_periods")
    migration.backfill(apps, None)

    today = timezone.localdate()
    assert staffing.caseloads_on(BEFORE) == {coordinator.pk: 2}
    assert staffing.caseloads_on(today) == {coordinator.pk: 1, colleague.pk: 1}
    assert staffing.caseloads_on(TODAY - datetime.timedelta(days=1)) == {}
    periods = StaffPeriod.objects.filter(role=CaseStaffRole.COORDINATOR)
    assert sorted((p.user_id, p.valid_from, str(p.valid_to)) for p in periods) == sorted(
        [
            (coordinator.pk, TODAY, str(today)),  # moved away today
            (colleague.pk, today, "None"),
            (coordinator.pk, TODAY, "None"),
        ]
    )


def test_a_future_or_bad_date_on_the_capacity_page_is_refused(manager, login):
    client = login(manager)
    future = timezone.localdate() + datetime.timedelta(days=1)
    response = client.get("/uppdrag/kapacitet/", {"on": future.isoformat()})
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    assert client.get("/uppdrag/kapacitet/", {"on": "2026-13-01"}).status_code == 400


def test_a_corrected_closing_date_moves_the_end_of_the_assignments(
    make_order, coordinator, manager
):
    from provision.closure import correct_history_closure

    order = make_order()
    actions.accept_order(user=manager, order=order, coordinator=coordinator, today=TODAY)
    first = TODAY + datetime.timedelta(days=40)
    closure = close_case(
        user=coordinator,
        case=order.case,
        reason="goals_reached",
        occupation="work",
        isolation="none",
        follow_up_consent=False,
        closed_on=first,
    )
    later = first + datetime.timedelta(days=20)
    correct_history_closure(user=coordinator, closure=closure, changes={"closed_on": later})

    assert staffing.caseloads_on(first) == {coordinator.pk: 1}
    assert staffing.caseloads_on(later) == {}

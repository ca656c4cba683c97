"""Places counted live, the waiting list, and the manager's capacity page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import CaseStaffRole
from provision import actions
from provision.closure import close_case
from provision.models import AssignmentEvent, OrderStatus
from reports.models import CapacityForecast
from tests.factories import CaseStaffFactory
from tests.provision.conftest import TODAY


def _kind_row(data, kind):
    return next(k for k in data["kinds"] if k.pk == kind.pk)


def test_places_count_accepted_orders_in_their_period(make_order, manager, kind):
    make_order(status=OrderStatus.ACCEPTED)  # no period: counts
    make_order(
        status=OrderStatus.ACCEPTED,
        period_from=TODAY - datetime.timedelta(days=30),
        period_to=TODAY + datetime.timedelta(days=30),
    )
    make_order(status=OrderStatus.ACCEPTED, period_to=TODAY - datetime.timedelta(days=1))
    make_order(status=OrderStatus.NEW)
    make_order(status=OrderStatus.ENDED)

    assert _kind_row(actions.capacity(manager, TODAY), kind).used == 2

    make_order(status=OrderStatus.ACCEPTED)
    assert _kind_row(actions.capacity(manager, TODAY), kind).used == 3  # live, no cache


def test_follow_up_places_count_consenting_closures_of_the_last_year(
    make_order, manager, coordinator, kind
):
    def closed(days_ago, consent):
        # Support started before the closure (a case is never closed before its start).
        started = TODAY - datetime.timedelta(days=days_ago + 1)
        order = make_order(status=OrderStatus.ACCEPTED, decided_on=started)
        close_case(
            user=coordinator,
            case=order.case,
            reason="goals_reached",
            occupation="work",
            isolation="none",
            follow_up_consent=consent,
            closed_on=TODAY - datetime.timedelta(days=days_ago),
        )

    closed(10, True)
    closed(300, True)
    closed(400, True)  # more than a year ago: the place is free again
    closed(10, False)  # no consent: no follow-up, no place

    assert _kind_row(actions.capacity(manager, TODAY), kind).follow_up_used == 2


def test_waiting_list_is_ordered_by_decision_date_with_days_waited(make_order, manager):
    late = make_order(decided_on=TODAY - datetime.timedelta(days=3))
    early = make_order(decided_on=TODAY - datetime.timedelta(days=40))
    make_order(decided_on=TODAY - datetime.timedelta(days=90), status=OrderStatus.ACCEPTED)

    waiting = actions.waiting_list(manager, TODAY)

    assert [o.pk for o in waiting] == [early.pk, late.pk]
    assert [o.days_waited for o in waiting] == [40, 3]


def test_caseload_per_coordinator_is_shown_against_the_ceiling(
    make_order, manager, coordinator, colleague
):
    for _ in range(2):
        actions.accept_order(user=manager, order=make_order(), coordinator=coordinator)
    rows = {row.user.username: row for row in actions.capacity(manager, TODAY)["coordinators"]}
    assert rows["coord"].load == 2 and rows["coord"].caseload_ceiling == 8
    assert rows["colleague"].load == 0


def _fill(count, make_order, manager, coordinator):
    for index in range(count):
        order = make_order(decided_on=TODAY - datetime.timedelta(days=index))
        if index % 2:
            order.status = OrderStatus.ACCEPTED
            order.save()
            CaseStaffFactory(case=order.case, user=coordinator, role=CaseStaffRole.COORDINATOR)
            AssignmentEvent.objects.create(
                kind="assigned",
                case=order.case,
                person=order.person,
                role="coordinator",
                to_user=coordinator,
                by=manager,
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/uppdrag/kapacitet/", "/uppdrag/", "/"])
def test_list_pages_run_a_constant_number_of_queries(url, make_order, manager, coordinator, login):
    client = login(manager)
    _fill(3, make_order, manager, coordinator)
    fresh_few = _queries(client, url)  # the capacity page makes the day's forecast
    few = _queries(client, url)  # and then reads it back
    _fill(27, make_order, manager, coordinator)
    many = _queries(client, url)
    assert few == many
    CapacityForecast.objects.all().delete()
    assert _queries(client, url) == fresh_few


def test_capacity_page_logs_the_people_it_shows(make_order, manager, login):
    from tests.access_log import was_read

    order = make_order()
    login(manager).get("/uppdrag/kapacitet/")
    assert was_read(order.person_id, manager, record_type="order", action="read")

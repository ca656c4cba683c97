"""Accepting orders, assigning coordinators, the caseload ceiling, and reassignment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessLogEntry
from organisation.models import Membership, Role
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus
from provision import actions
from provision.models import AssignmentEvent, OrderStatus
from tests.factories import UserFactory


@pytest.fixture
def north_colleague(org):
    return UserFactory(username="north2", roles=[(org["north"], Role.COORDINATOR)])


def test_accepting_names_the_coordinators_and_moves_the_case_to_their_team(
    make_order, coordinator, north_colleague, org
):
    order = make_order()
    assert order.case.provider_unit is None

    actions.accept_order(
        user=coordinator, order=order, coordinator=coordinator, second_coordinator=north_colleague
    )

    order.refresh_from_db()
    order.case.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.accepted_on
    assert order.case.provider_unit == org["north"]
    roles = set(CaseStaff.objects.filter(case=order.case).values_list("user__username", "role"))
    assert roles == {
        ("coord", CaseStaffRole.COORDINATOR),
        ("north2", CaseStaffRole.SECOND_COORDINATOR),
    }
    assert AssignmentEvent.objects.filter(case=order.case).count() == 2
    logged = AccessLogEntry.objects.filter(person_id=order.person_id, action="update")
    assert logged.filter(record_type="order").exists()


def test_an_order_is_accepted_only_once(make_order, coordinator):
    order = make_order()
    actions.accept_order(user=coordinator, order=order, coordinator=coordinator)
    with pytest.raises(ValidationError):
        actions.accept_order(user=coordinator, order=order, coordinator=coordinator)


def test_another_teams_coordinator_cannot_accept(make_order, colleague, coordinator, org):
    order = make_order(unit=org["north"])
    with pytest.raises(PermissionDenied):
        actions.accept_order(user=colleague, order=order, coordinator=coordinator)


def test_the_coordinator_must_belong_to_the_provider(make_order, coordinator, colleague, org):
    order = make_order(unit=org["north"])
    with pytest.raises(ValidationError):
        actions.accept_order(user=coordinator, order=order, coordinator=colleague)


def test_ninth_assignment_needs_the_managers_confirmation(
    make_order, coordinator, manager, load_up
):
    load_up(coordinator, 8)
    order = make_order()

    with pytest.raises(ValidationError, match="Only the unit manager"):
        actions.accept_order(user=coordinator, order=order, coordinator=coordinator)
    with pytest.raises(ValidationError, match="Tick the confirmation"):
        actions.accept_order(user=manager, order=order, coordinator=coordinator)
    with pytest.raises(ValidationError, match="Only the unit manager"):
        actions.accept_order(
            user=coordinator, order=order, coordinator=coordinator, confirm_beyond_ceiling=True
        )

    actions.accept_order(
        user=manager, order=order, coordinator=coordinator, confirm_beyond_ceiling=True
    )
    assert actions.caseloads([coordinator.pk])[coordinator.pk] == 9
    assert AssignmentEvent.objects.get(case=order.case).beyond_ceiling


def test_eighth_assignment_needs_no_confirmation(make_order, coordinator, load_up):
    load_up(coordinator, 7)
    actions.accept_order(user=coordinator, order=make_order(), coordinator=coordinator)
    assert actions.caseloads([coordinator.pk])[coordinator.pk] == 8


def test_the_ceiling_is_per_coordinator(make_order, coordinator, manager, load_up):
    Membership.objects.filter(user=coordinator).update(caseload_ceiling=2)
    load_up(coordinator, 2)
    with pytest.raises(ValidationError):
        actions.accept_order(user=manager, order=make_order(), coordinator=coordinator)


def test_closed_cases_do_not_count_towards_the_caseload(coordinator, load_up):
    load_up(coordinator, 3)
    Case.objects.filter(staff_links__user=coordinator).update(status=CaseStatus.CLOSED)
    assert actions.caseloads([coordinator.pk]).get(coordinator.pk, 0) == 0


# Reassignment


@pytest.fixture
def caseload(make_order, coordinator):
    orders = [make_order() for _ in range(3)]
    for order in orders:
        actions.accept_order(user=coordinator, order=order, coordinator=coordinator)
    return orders


def test_manager_moves_a_whole_caseload(caseload, coordinator, north_colleague, manager, org):
    events = actions.reassign(user=manager, from_user=coordinator, to_user=north_colleague)

    assert len(events) == 3
    assert actions.caseloads([coordinator.pk]).get(coordinator.pk, 0) == 0
    assert actions.caseloads([north_colleague.pk])[north_colleague.pk] == 3
    recorded = AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REASSIGNED)
    assert {(e.from_user, e.to_user, e.by) for e in recorded} == {
        (coordinator, north_colleague, manager)
    }
    assert AccessLogEntry.objects.filter(record_type="assignment", action="create").count() >= 3


def test_manager_moves_selected_people(caseload, coordinator, colleague, manager, org):
    chosen = caseload[0].case_id
    actions.reassign(user=manager, from_user=coordinator, to_user=colleague, case_ids=[chosen])

    assert actions.caseloads([coordinator.pk])[coordinator.pk] == 2
    assert CaseStaff.objects.get(case_id=chosen, role=CaseStaffRole.COORDINATOR).user == colleague
    caseload[0].case.refresh_from_db()
    assert caseload[0].case.provider_unit == org["south"]  # the new coordinator's team
    assert AssignmentEvent.objects.filter(kind="reassigned").count() == 1


def test_reassignment_beyond_the_ceiling_needs_confirmation(
    caseload, coordinator, colleague, manager, load_up
):
    Membership.objects.filter(user=colleague).update(caseload_ceiling=2)
    with pytest.raises(ValidationError):
        actions.reassign(user=manager, from_user=coordinator, to_user=colleague)
    actions.reassign(
        user=manager, from_user=coordinator, to_user=colleague, confirm_beyond_ceiling=True
    )
    assert actions.caseloads([colleague.pk])[colleague.pk] == 3


def test_only_a_manager_reassigns(caseload, coordinator, north_colleague):
    with pytest.raises(PermissionDenied):
        actions.reassign(user=coordinator, from_user=coordinator, to_user=north_colleague)

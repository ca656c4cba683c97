"""Each delivery action checks its own permission: no entry point can skip it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from delivery import actions
from delivery.models import Visit, VisitKind
from people.access import grant_reasoned_access
from tests.delivery.conftest import MONDAY, at


def _plan(user, person):
    return actions.plan_visit(
        user=user, person=person, kind=VisitKind.VISIT, planned_at=at(MONDAY), place="Hemma"
    )


def test_an_officer_does_not_plan_a_visit(officer, person):
    with pytest.raises(PermissionDenied):
        _plan(officer, person)
    assert not Visit.objects.exists()


def test_a_coordinator_of_another_team_does_not_plan_a_visit(colleague, person):
    with pytest.raises(PermissionDenied):
        _plan(colleague, person)


def test_a_coordinator_who_gave_a_reason_only_reads(colleague, person):
    grant_reasoned_access(user=colleague, person=person, reason="Vikarierar i dag.")
    with pytest.raises(PermissionDenied):
        actions.create_note(user=colleague, person=person, happened_on=MONDAY, text="Hej.")


def test_the_persons_coordinator_plans_a_visit(coordinator, person):
    assert _plan(coordinator, person).person_id == person.pk


def test_an_officer_does_not_plan_a_series_or_a_plan(officer, person):
    with pytest.raises(PermissionDenied):
        actions.plan_series(
            user=officer,
            person=person,
            start=MONDAY,
            time=datetime.time(10),
            steps=[(1, 2)],
            place="Hemma",
        )
    with pytest.raises(PermissionDenied):
        actions.create_plan(
            user=officer,
            person=person,
            visit_frequency="weekly",
            agreed_on=MONDAY,
            agreed_how="Vid besök",
            next_follow_up=MONDAY + datetime.timedelta(days=90),
        )


def test_an_officer_does_not_give_homework_or_object_to_a_note(
    officer, coordinator, person, signed
):
    visit = _plan(coordinator, person)
    with pytest.raises(PermissionDenied):
        actions.give_homework(user=officer, visit=visit, text="Gå till affären.")
    with pytest.raises(PermissionDenied):
        actions.add_objection(user=officer, note=signed, given_on=MONDAY, text="Stämmer inte.")

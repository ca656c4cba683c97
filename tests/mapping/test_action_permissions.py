"""Each mapping action checks its own permission, whatever calls it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from mapping import actions
from mapping.models import Mapping


def test_another_teams_coordinator_may_not_start_or_change_a_mapping(
    colleague, coordinator, person
):
    case = person.cases.get()
    with pytest.raises(PermissionDenied):
        actions.start_mapping(
            user=colleague, person=person, case=case, started_on=datetime.date(2025, 1, 1)
        )
    assert not Mapping.objects.exists()

    mapping = actions.start_mapping(
        user=coordinator, person=person, case=case, started_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        actions.interrupt_mapping(
            user=colleague, mapping=mapping, interrupted_by="person", reason="x"
        )
    mapping.refresh_from_db()
    assert mapping.status == "ongoing"


def test_an_analyst_may_not_start_a_mapping(analyst, person):
    with pytest.raises(PermissionDenied):
        actions.start_mapping(
            user=analyst,
            person=person,
            case=person.cases.get(),
            started_on=datetime.date(2025, 1, 1),
        )

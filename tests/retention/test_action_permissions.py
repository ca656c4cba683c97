"""Retention's actions check their own permission: a manager of the person's units only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from retention import actions
from retention.models import RegisterExtract, RetentionException


def test_a_coordinator_may_not_record_an_extract_or_an_exception(coordinator, person):
    with pytest.raises(PermissionDenied):
        actions.record_extract(
            user=coordinator,
            person=person,
            requested_by="person",
            requester_name="Elin Fiktiv",
            requested_on=datetime.date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        actions.mark_exception(user=coordinator, case=person.cases.get(), reason="Tvist")
    assert not RegisterExtract.objects.exists() and not RetentionException.objects.exists()


def test_the_manager_may(manager, person):
    made = actions.mark_exception(user=manager, case=person.cases.get(), reason="Tvist")
    assert made.created_by == manager

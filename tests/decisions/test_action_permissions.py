"""Each decision action checks its own permission: the authority, with write access."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from decisions import actions
from decisions.models import Decision
from tests.decisions.conftest import DAY


def test_a_coordinator_does_not_issue_a_decision(decide, coordinator, communicated):
    with pytest.raises(PermissionDenied):
        decide(officer=coordinator)
    assert not Decision.objects.exists()


def test_an_officer_of_another_authority_does_not_issue_a_decision(
    decide, outsider_officer, communicated
):
    with pytest.raises(PermissionDenied):
        decide(officer=outsider_officer)


def test_a_coordinator_does_not_register_an_application(coordinator, person, kind):
    with pytest.raises(PermissionDenied):
        actions.create_application(
            user=coordinator,
            person=person,
            case=person.cases.get(),
            support_kind=kind,
            applied_on=DAY,
            form="written",
            what="Stöd.",
        )


def test_a_coordinator_does_not_record_communication_or_a_letter(
    coordinator, application, decide, communicated
):
    with pytest.raises(PermissionDenied):
        actions.record_communication(user=coordinator, application=application, communicated_on=DAY)
    decision = decide()
    with pytest.raises(PermissionDenied):
        actions.record_delivery(user=coordinator, decision=decision, method="post", sent_on=DAY)
    with pytest.raises(PermissionDenied):
        actions.register_appeal(
            user=coordinator,
            decision=decision,
            received_on=DAY + datetime.timedelta(days=5),
            decision_received_on=DAY + datetime.timedelta(days=2),
        )

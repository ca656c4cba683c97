"""The intake rules, straight through the actions (the views, the API and imports share them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from intake import actions
from intake.models import Intake, Referral


@pytest.mark.parametrize(
    ("outcome", "reason", "missing"),
    [("", "Inget behov", "outcome"), ("no_action", "", "reason"), ("no_action", "  ", "reason")],
)
def test_an_intake_is_never_closed_without_outcome_and_reason(
    officer, intake, outcome, reason, missing
):
    with pytest.raises(ValidationError) as refused:
        actions.close_intake(user=officer, intake=intake, outcome=outcome, reason=reason)
    assert missing in refused.value.message_dict
    assert Intake.objects.get(pk=intake.pk).status == "open"


def test_the_database_also_refuses_a_closed_intake_without_reason(intake):
    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.filter(pk=intake.pk).update(status="closed", outcome="no_action")


def test_a_referral_names_a_service(officer, intake, service):
    with pytest.raises(ValidationError) as refused:
        actions.close_intake(user=officer, intake=intake, outcome="referred", reason="KBT")
    assert "referred_to" in refused.value.message_dict
    actions.close_intake(
        user=officer, intake=intake, outcome="referred", reason="KBT", referred_to=service
    )
    assert Referral.objects.get().service == service


def test_a_closed_intake_cannot_be_closed_again(officer, intake):
    actions.close_intake(user=officer, intake=intake, outcome="declined", reason="Vill inte")
    with pytest.raises(ValidationError):
        actions.close_intake(user=officer, intake=intake, outcome="no_action", reason="x")


def test_a_referral_result_must_be_a_known_result(officer, person, service):
    referral = actions.create_referral(user=officer, person=person, origin="talk", service=service)
    with pytest.raises(ValidationError):
        actions.record_referral_result(user=officer, referral=referral, result="maybe")

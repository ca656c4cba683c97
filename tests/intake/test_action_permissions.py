"""Each intake action checks its own permission: whatever calls it (page, API, import) gets
the same answer as the page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from intake import actions
from intake.models import Intake
from tests.intake.conftest import make_intake


def test_an_analyst_may_not_register_an_intake(analyst, org):
    with pytest.raises(PermissionDenied):
        actions.create_intake(user=analyst, unit=org["authority"], data={"channel": "phone"})
    assert not Intake.objects.exists()


def test_another_units_officer_may_not_change_an_intake(outsider_officer, org):
    intake = make_intake(org["authority"])
    with pytest.raises(PermissionDenied):
        actions.record_callback(user=outsider_officer, intake=intake)
    with pytest.raises(PermissionDenied):
        actions.close_intake(user=outsider_officer, intake=intake, outcome="other", reason="x")
    intake.refresh_from_db()
    assert intake.status == "open" and intake.callback_done_at is None


def test_another_teams_coordinator_may_not_record_a_talk_or_a_referral(
    colleague, coordinator, officer, person, service
):
    with pytest.raises(PermissionDenied):
        actions.record_talk(
            user=colleague,
            person=person,
            intake=None,
            data={"held_on": datetime.date(2025, 1, 1), "place": "home"},
            staff=[officer, coordinator],
        )
    with pytest.raises(PermissionDenied):
        actions.create_referral(user=colleague, person=person, origin="talk", service=service)
    assert not person.assessment_talks.exists() and not person.referrals.exists()

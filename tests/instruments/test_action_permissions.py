"""Each rating action checks its own permission, whatever calls it (page, API, FHIR import)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AccessLogEntry
from instruments import actions
from instruments.models import Response, RiskAlert
from tests.instruments.administering import madrs_answers, rated


def test_another_teams_coordinator_may_not_start_a_rating(colleague, person):
    with pytest.raises(PermissionDenied):
        actions.start_response(
            user=colleague,
            person=person,
            code="madrs-s",
            occasion="visit",
            administered_on=datetime.date(2025, 1, 1),
        )
    assert not Response.objects.exists()


def test_an_analyst_may_not_send_a_home_link(analyst, person):
    with pytest.raises(PermissionDenied):
        actions.send_home_link(user=analyst, person=person, code="madrs-s", occasion="visit")


def test_another_teams_coordinator_may_not_resolve_an_alert(colleague, coordinator, person):
    rated(person, coordinator, madrs_answers(item9=5))
    alert = RiskAlert.objects.get()
    with pytest.raises(PermissionDenied):
        actions.resolve_alert(user=colleague, alert=alert, action_taken="Ringde.")
    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_posting_to_an_alert_is_logged_as_a_read(login, coordinator, person):
    """A POST shows the alert again (here: a form with only the CSRF token): a read too."""
    rated(person, coordinator, madrs_answers(item9=5))
    alert = RiskAlert.objects.get()
    reply = login(coordinator).post(
        f"/skattningar/risker/{alert.pk}/", {"csrfmiddlewaretoken": "token"}
    )
    assert reply.status_code == 200
    reads = AccessLogEntry.objects.filter(
        record_type="risk_alert", record_id=str(alert.pk), action="read", user=coordinator
    )
    assert reads.count() == 1

"""A risk flag puts an alert at the top of the assigned staff's and the manager's worklist."""

from __future__ import annotations

import re

from audit.models import AccessLogEntry
from instruments.models import RiskAlert
from tests.instruments.administering import _english, draft, madrs_answers, madrs_post, rated  # noqa: F401


def _home(client) -> str:
    return client.get("/").content.decode()


def test_item_9_at_4_raises_an_alert_on_the_worklists_at_once(
    login, coordinator, colleague, manager, officer, person
):
    response = draft(person, coordinator)
    login(coordinator).post(f"/skattningar/{response.pk}/svar/", madrs_post(madrs_answers(item9=4)))
    alert = RiskAlert.objects.get()
    assert (alert.person, alert.item_id, alert.resolved_at) == (person, "9", None)

    page = _home(login(coordinator))
    assert "Risk alerts from self-ratings" in page
    # At the top of the start page, above the open cases and every other worklist.
    headings = re.findall(r'<h2 id="([\w-]+)"', page)
    assert headings[0] == "risk-worklist-heading"
    assert f"/skattningar/risker/{alert.pk}/" in page
    assert f"/skattningar/risker/{alert.pk}/" in _home(login(manager))
    # Another team's coordinator and the authority's officer do not get it.
    assert f"/skattningar/risker/{alert.pk}/" not in _home(login(colleague))
    assert f"/skattningar/risker/{alert.pk}/" not in _home(login(officer))


def test_item_9_below_the_threshold_raises_nothing(coordinator, person):
    rated(person, coordinator, madrs_answers(item9=3))
    assert not RiskAlert.objects.exists()


def test_the_threshold_is_a_setting(settings, coordinator, person):
    settings.BRYGGA_MADRS_S_RISK_THRESHOLD = 2
    rated(person, coordinator, madrs_answers(item9=2))
    assert RiskAlert.objects.count() == 1


def test_a_draft_with_item_9_high_raises_nothing_until_completed(login, coordinator, person):
    response = draft(person, coordinator)
    login(coordinator).post(
        f"/skattningar/{response.pk}/svar/", madrs_post(madrs_answers(item9=6), "save")
    )
    assert not RiskAlert.objects.exists()


def test_the_alert_stays_until_an_action_is_recorded(login, coordinator, manager, person):
    rated(person, coordinator, madrs_answers(item9=5))
    alert = RiskAlert.objects.get()
    client = login(manager)
    refused = client.post(f"/skattningar/risker/{alert.pk}/", {"action_taken": "  "})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert f"/skattningar/risker/{alert.pk}/" in _home(login(coordinator))

    reply = login(manager).post(
        f"/skattningar/risker/{alert.pk}/",
        {"action_taken": "Suicidriskbedömning gjord av psykiatrin samma dag."},
    )
    assert reply["Location"] == f"/personer/{person.pk}/"
    alert.refresh_from_db()
    assert alert.resolved_by == manager and alert.resolved_at is not None
    assert alert.action_taken.startswith("Suicidriskbedömning")
    assert f"/skattningar/risker/{alert.pk}/" not in _home(login(coordinator))
    assert f"/skattningar/risker/{alert.pk}/" not in _home(login(manager))
    # What was done stays readable on the alert and the rating.
    page = login(coordinator).get(f"/skattningar/risker/{alert.pk}/").content.decode()
    assert "Suicidriskbedömning gjord" in page
    assert AccessLogEntry.objects.filter(
        record_type="risk_alert", record_id=str(alert.pk), action="update"
    ).exists()


def test_the_manager_lists_open_alerts(login, coordinator, manager, person):
    rated(person, coordinator, madrs_answers(item9=6))
    page = login(manager).get("/skattningar/risker/").content.decode()
    assert person.full_name in page and "Record what was done" in page


def test_the_person_page_shows_the_open_alert(login, coordinator, person):
    rated(person, coordinator, madrs_answers(item9=4))
    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()
    assert "Risk:" in page and "Record what was done" in page

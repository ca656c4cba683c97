"""Personal API tokens: created on the user's own page, shown once, stored hashed, revocable;
and the session with its CSRF token for the UI's own calls."""

from __future__ import annotations

import re

from django.test import Client

from api.models import ApiToken, hash_token
from tests.api.conftest import ApiClient


def _create(client, name="Mitt skript", scope="read_write"):
    response = client.post("/api-nycklar/", {"name": name, "scope": scope})
    match = re.search(r'value="(brygga_[^"]+)"', response.content.decode())
    return response, match.group(1) if match else None


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(login, coordinator):
    client = login(coordinator)
    response, raw = _create(client)
    assert response.status_code == 200
    assert raw is not None
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "Mitt skript"
    assert token.key_hash == hash_token(raw)
    assert raw not in {token.key_hash, token.hint}
    again = client.get("/api-nycklar/").content.decode()
    assert raw not in again
    assert "Mitt skript" in again


def test_the_token_calls_the_api_as_its_owner_and_records_last_use(login, coordinator, person):
    _response, raw = _create(login(coordinator))
    response = ApiClient(raw).get(f"/people/{person.pk}")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Elin"
    assert ApiToken.objects.get(user=coordinator).last_used_at is not None


def test_a_revoked_token_gives_401(login, coordinator, person):
    client = login(coordinator)
    _response, raw = _create(client)
    token = ApiToken.objects.get(user=coordinator)
    response = client.post(f"/api-nycklar/{token.pk}/aterkalla/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = ApiClient(raw).get(f"/people/{person.pk}")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert "detail" in refused.json()


def test_nobody_revokes_or_sees_another_users_token(login, coordinator, colleague):
    _response, _raw = _create(login(coordinator), name="Koordinatorns")
    token = ApiToken.objects.get(user=coordinator)
    other = login(colleague)
    assert "Koordinatorns" not in other.get("/api-nycklar/").content.decode()
    assert other.post(f"/api-nycklar/{token.pk}/aterkalla/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_or_malformed_token_gives_401(person):
    for header in ("Bearer brygga_nonsense", "Bearer x", "Basic abc"):
        response = Client().get(f"/api/v1/people/{person.pk}", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_a_deactivated_users_token_gives_401(coordinator, person, api_as):
    client = api_as(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert client.get(f"/people/{person.pk}").status_code == 401


def test_the_session_works_and_a_change_needs_the_csrf_token(coordinator, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator, backend="organisation.auth.BryggaModelBackend")
    assert client.get(f"/api/v1/people/{person.pk}").status_code == 200
    body = '{"happened_on": "2026-03-02", "text": "Utan CSRF"}'
    url = f"/api/v1/people/{person.pk}/notes"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    client.get("/api-nycklar/")  # the page sets the CSRF cookie, as any UI page does
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


def test_a_demo_accounts_token_is_refused_in_production(settings, coordinator, person, api_as):
    from organisation.models import StaffFlag

    client = api_as(coordinator)
    StaffFlag.objects.update_or_create(user=coordinator, defaults={"is_demo": True})
    settings.PRODUCTION = True
    assert client.get(f"/people/{person.pk}").status_code == 401

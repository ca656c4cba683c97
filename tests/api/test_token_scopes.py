"""A token's scope: a read-only token reads as its owner may and changes nothing; a token that
may read and write works as before. The page shows each token's scope and last use."""

from __future__ import annotations

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from api.auth import TokenAuth
from api.models import ApiToken, Scope
from api.tokens import create_token
from intake.models import Intake
from tests.api.conftest import ApiClient

INTAKE = {
    "channel": "phone",
    "source": "relative",
    "person_description": "Man i 40-årsåldern, bor hos sin mamma",
    "description": "Mamman ringer: har inte gått ut på ett år.",
}


def test_a_read_token_reads_people_and_statistics_as_its_owner_may(api_as, manager, person):
    client = api_as(manager, scope=Scope.READ)
    assert client.get("/people", {"q": "Elin Fiktiv"}).status_code == 200
    assert client.get(f"/people/{person.pk}").json()["first_name"] == "Elin"
    report = client.get("/statistics", {"start": "2026-01-01", "end": "2026-12-31"})
    assert report.status_code == 200
    assert report.json()["suppressed"] is False


def test_a_read_token_gets_no_more_than_its_owners_roles(api_as, analyst, person):
    client = api_as(analyst, scope=Scope.READ)
    # An analyst asks for a period that has ended (docs/reports.md, "Disclosure control").
    assert client.get("/statistics", {"start": "2025-01-01", "end": "2025-12-31"}).json()[
        "suppressed"
    ]
    assert client.get(f"/people/{person.pk}").status_code == 403


def test_a_read_token_may_not_register_an_intake_and_is_told_why(api_as, manager, person):
    refused = api_as(manager, scope=Scope.READ).post("/intakes", INTAKE)
    assert refused.status_code == 403
    assert "får bara läsa" in refused.json()["detail"]
    assert "POST" in refused.json()["detail"]
    assert not Intake.objects.exists()


def test_a_read_and_write_token_registers_an_intake_as_before(api_as, manager, person):
    created = api_as(manager, scope=Scope.READ_WRITE).post("/intakes", INTAKE)
    assert created.status_code == 201
    assert Intake.objects.count() == 1


def _unsafe_operations(schema):
    values = {"integer": "1", "string": str(uuid.uuid4())}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() in {"GET", "HEAD", "OPTIONS"}:
                continue
            url = path.removeprefix("/api/v1")
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    value = values[parameter["schema"]["type"]]
                    url = url.replace(f"{{{parameter['name']}}}", value)
            yield method, url


def test_every_change_in_the_api_refuses_a_read_token(manager):
    """The check is the authentication's, so no endpoint can forget it."""
    schema = Client().get("/api/v1/openapi.json").json()
    client = ApiClient(create_token(user=manager, name="läsare", scope=Scope.READ)[1])
    operations = list(_unsafe_operations(schema))
    assert len(operations) >= 9
    for method, path in operations:
        response = client.send(method, path, {})
        assert response.status_code == 403, (method, path)
        assert "får bara läsa" in response.json()["detail"], (method, path)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_authentication_refuses_every_unsafe_method_of_a_read_token(manager, method):
    from django.core.exceptions import PermissionDenied

    _token, raw = create_token(user=manager, name="läsare", scope=Scope.READ)
    request = RequestFactory().generic(method, "/api/v1/intakes")
    with pytest.raises(PermissionDenied, match=method):
        TokenAuth().authenticate(request, raw)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_the_authentication_lets_a_read_token_use_the_safe_methods(manager, method):
    _token, raw = create_token(user=manager, name="läsare", scope=Scope.READ)
    request = RequestFactory().generic(method, "/api/v1/people")
    assert TokenAuth().authenticate(request, raw) == manager


def test_a_token_made_before_scopes_may_read_and_write(manager, person):
    """The migration's default: tokens that could do everything still can."""
    _token, raw = create_token(user=manager, name="gammal", scope=Scope.READ_WRITE)
    ApiToken.objects.update(scope=ApiToken._meta.get_field("scope").get_default())
    assert ApiClient(raw).post("/intakes", INTAKE).status_code == 201


def _row(page: str, name: str) -> str:
    match = re.search(rf"<tr>\s*<td>{re.escape(name)}</td>.*?</tr>", page, re.S)
    assert match, name
    return match.group(0)


def test_the_page_shows_each_tokens_scope_and_last_use_in_swedish_time(login, coordinator, person):
    client = login(coordinator)
    client.post("/api-nycklar/", {"name": "Läsaren", "scope": "read"})
    client.post("/api-nycklar/", {"name": "Skrivaren", "scope": "read_write"})
    reader = ApiToken.objects.get(name="Läsaren")
    assert reader.scope == Scope.READ
    assert "aldrig" in _row(client.get("/api-nycklar/").content.decode(), "Läsaren")

    # A summer afternoon in UTC is two hours later in Stockholm.
    used = datetime.datetime(2026, 7, 1, 10, 5, tzinfo=datetime.UTC)
    ApiToken.objects.filter(pk=reader.pk).update(last_used_at=used)
    page = client.get("/api-nycklar/").content.decode()
    assert "Läsa<" in _row(page, "Läsaren") and "2026-07-01 12:05" in _row(page, "Läsaren")
    assert "Läsa och skriva" in _row(page, "Skrivaren") and "aldrig" in _row(page, "Skrivaren")


def test_a_request_shows_as_last_use_on_the_page(login, coordinator, person):
    client = login(coordinator)
    response = client.post("/api-nycklar/", {"name": "Skriptet", "scope": "read"})
    raw = re.search(r'value="(brygga_[^"]+)"', response.content.decode()).group(1)
    assert ApiClient(raw).get(f"/people/{person.pk}").status_code == 200
    used = ApiToken.objects.get(name="Skriptet").last_used_at
    shown = used.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")
    row = _row(client.get("/api-nycklar/").content.decode(), "Skriptet")
    assert shown in row and "aldrig" not in row


@pytest.mark.parametrize("scope", [None, "allt"])
def test_a_new_token_must_have_one_of_the_scopes(login, coordinator, scope):
    data = {"name": "Utan"} | ({"scope": scope} if scope else {})
    page = login(coordinator).post("/api-nycklar/", data).content.decode()
    assert 'id="id_scope_error"' in page
    assert "brygga_" not in page
    assert not ApiToken.objects.exists()


def test_last_use_is_written_at_most_once_a_minute(api_as, coordinator, person):
    client = api_as(coordinator, scope=Scope.READ)
    recently = timezone.now() - datetime.timedelta(seconds=30)
    ApiToken.objects.update(last_used_at=recently)
    client.get(f"/people/{person.pk}")
    assert ApiToken.objects.get().last_used_at == recently
    ApiToken.objects.update(last_used_at=recently - datetime.timedelta(minutes=1))
    client.get(f"/people/{person.pk}")
    assert ApiToken.objects.get().last_used_at > recently

"""The test provider, Brygga configured against it, and a login that goes the whole way."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from organisation.models import Role
from sso.discovery import discover
from sso.models import GroupRole
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, Provider

BACKENDS = {
    "local": ["axes.backends.AxesStandaloneBackend", "organisation.auth.BryggaModelBackend"],
    "oidc": ["axes.backends.AxesStandaloneBackend", "sso.backends.OIDCBackend"],
    "both": [
        "axes.backends.AxesStandaloneBackend",
        "organisation.auth.BryggaModelBackend",
        "sso.backends.OIDCBackend",
    ],
}


@pytest.fixture
def provider():
    with Provider() as running:
        yield running


def use_auth(settings, mode: str) -> None:
    """What BRYGGA_AUTH=mode makes of the settings (tests/sso/test_settings.py checks that)."""
    settings.BRYGGA_AUTH = mode
    settings.AUTHENTICATION_BACKENDS = BACKENDS[mode]


@pytest.fixture
def oidc(settings, provider):
    """Brygga set up from the provider's discovery document, with BRYGGA_AUTH=both."""
    found = discover(provider.issuer)
    settings.OIDC_OP_ISSUER = found["OIDC_ISSUER"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["OIDC_AUTHORIZATION_ENDPOINT"]
    settings.OIDC_OP_TOKEN_ENDPOINT = found["OIDC_TOKEN_ENDPOINT"]
    settings.OIDC_OP_USER_ENDPOINT = found["OIDC_USERINFO_ENDPOINT"]
    settings.OIDC_OP_JWKS_ENDPOINT = found["OIDC_JWKS_URI"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = found["OIDC_END_SESSION_ENDPOINT"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    use_auth(settings, "both")
    return provider


@pytest.fixture
def mappings(org):
    """The municipality's groups: the authority's officers, team North, its manager."""
    return [
        GroupRole.objects.create(
            group="brygga-handlaggare", unit=org["authority"], role=Role.OFFICER
        ),
        GroupRole.objects.create(
            group="brygga-team-norr", unit=org["north"], role=Role.COORDINATOR
        ),
        GroupRole.objects.create(group="brygga-chef", unit=org["authority"], role=Role.MANAGER),
        GroupRole.objects.create(group="brygga-chef", unit=org["provider"], role=Role.MANAGER),
    ]


def staff(sub="a1b2c3", groups=("brygga-handlaggare",), **claims) -> dict:
    """Claims of a member of staff at the provider."""
    return {
        "sub": sub,
        "preferred_username": "anna.handlaggare",
        "given_name": "Anna",
        "family_name": "Handläggare",
        "email": "anna.handlaggare@exempelby.se",
        "groups": groups if isinstance(groups, str) else list(groups),
        **claims,
    }


def sign_in(client, provider, user: dict | None = None, next_url: str = ""):
    """Click the login button, log in at the provider, follow the redirects back to Brygga."""
    if user is not None:
        provider.user = user
    start = client.get("/sso/logga-in/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    assert start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/sso/callback/"
    return client.get(f"{back.path}?{back.query}", follow=True)

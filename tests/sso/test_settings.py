"""BRYGGA_AUTH and the provider's settings from the environment, as a server reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.sso.conftest import BACKENDS
from tests.test_settings import access_log_key, random_key

ROOT = Path(__file__).resolve().parent.parent.parent
ISSUER = "https://login.exempelby.se/realms/kommun"
PROVIDER = {
    "OIDC_ISSUER": ISSUER,
    "OIDC_AUTHORIZATION_ENDPOINT": ISSUER + "/protocol/openid-connect/auth",
    "OIDC_TOKEN_ENDPOINT": ISSUER + "/protocol/openid-connect/token",
    "OIDC_USERINFO_ENDPOINT": ISSUER + "/protocol/openid-connect/userinfo",
    "OIDC_JWKS_URI": ISSUER + "/protocol/openid-connect/certs",
    "OIDC_CLIENT_ID": "brygga",
    "OIDC_CLIENT_SECRET": "a-client-secret",
}
SHOW = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.BRYGGA_AUTH, settings.AUTHENTICATION_BACKENDS]))"
)


def manage(*args, env):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("mode", ["local", "oidc", "both"])
def test_each_mode_keeps_axes_first_and_chooses_the_backends(mode):
    result = manage("shell", "-c", SHOW, env={"BRYGGA_AUTH": mode, **PROVIDER})
    assert result.returncode == 0, result.stderr
    got_mode, backends = json.loads(result.stdout.splitlines()[-1])
    assert got_mode == mode
    assert backends == BACKENDS[mode]
    assert backends[0] == "axes.backends.AxesStandaloneBackend"


def test_local_passwords_are_the_default():
    result = manage("shell", "-c", SHOW, env={})
    assert json.loads(result.stdout.splitlines()[-1]) == ["local", BACKENDS["local"]]


def test_an_unknown_mode_is_refused():
    result = manage("check", env={"BRYGGA_AUTH": "saml"})
    assert result.returncode != 0
    assert "BRYGGA_AUTH must be one of: local, oidc, both." in result.stderr


def test_the_provider_mode_needs_its_client_secret():
    env = {k: v for k, v in PROVIDER.items() if k != "OIDC_CLIENT_SECRET"}
    result = manage("check", env={"BRYGGA_AUTH": "oidc", **env})
    assert result.returncode != 0
    assert "BRYGGA_AUTH=oidc needs OIDC_CLIENT_SECRET." in result.stderr


@pytest.fixture
def production(tmp_path):
    return {
        "BRYGGA_ENV": "production",
        "SECRET_KEY": random_key(),
        "ALLOWED_HOSTS": "brygga.exempelby.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "BRYGGA_AUTH": "oidc",
        "BRYGGA_ACCESS_LOG_KEYS": f"k2026:{access_log_key()}",
        "BRYGGA_ACCESS_LOG_ANCHOR": str(tmp_path / "access-log.anchor"),
        **PROVIDER,
    }


def test_production_refuses_the_provider_without_https(production):
    env = {**production, "OIDC_TOKEN_ENDPOINT": "http://login.exempelby.se/token"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "In production OIDC needs https: OIDC_TOKEN_ENDPOINT." in result.stderr


def test_production_accepts_the_provider_over_https(production):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_discovery_command_prints_the_settings(provider):
    out = StringIO()
    call_command("sso_discover", provider.issuer, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        f"OIDC_ISSUER={provider.issuer}",
        f"OIDC_AUTHORIZATION_ENDPOINT={provider.issuer}/authorize",
        f"OIDC_TOKEN_ENDPOINT={provider.issuer}/token",
        f"OIDC_USERINFO_ENDPOINT={provider.issuer}/userinfo",
        f"OIDC_JWKS_URI={provider.issuer}/jwks",
        f"OIDC_END_SESSION_ENDPOINT={provider.issuer}/logout",
        "OIDC_CLIENT_ID=...",
        "OIDC_CLIENT_SECRET=...",
    ]


def test_the_discovery_command_refuses_a_document_for_another_issuer(provider):
    with pytest.raises(CommandError, match="names another issuer"):
        call_command("sso_discover", provider.issuer + "-other", stdout=StringIO())

"""Settings from the environment: development needs none, production refuses to run unsafely.

Most tests start `manage.py` in a subprocess with a clean environment, as a server would.
"""

from __future__ import annotations

import base64
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory, override_settings

from organisation.auth import BryggaModelBackend
from organisation.checks import no_demo_accounts_in_production
from organisation.models import StaffFlag
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env=None, timeout=120):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def random_key() -> str:
    return secrets.token_urlsafe(48)[:64]


def access_log_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def production_env(tmp_path):
    return {
        "BRYGGA_ENV": "production",
        "SECRET_KEY": random_key(),
        "ALLOWED_HOSTS": "brygga.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "BRYGGA_ACCESS_LOG_KEYS": f"k2026:{access_log_key()}",
        "BRYGGA_ACCESS_LOG_ANCHOR": str(tmp_path / "access-log.anchor"),
    }


def test_development_needs_no_environment_at_all():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_passes_the_deployment_checks(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_the_safe_ones(production_env):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DEMO, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.ALLOWED_HOSTS)"
    )
    result = manage("shell", "-c", code, env={**production_env, "BRYGGA_DEMO": "1"})
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line == "False False True True True True ['brygga.example.org']"


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "short-but-random-Q2x",
        "django-insecure-" + secrets.token_urlsafe(48),
        "a" * 64,
        "abab" * 16,
    ],
    ids=["missing", "empty", "short", "django-insecure", "one-character", "two-characters"],
)
def test_production_refuses_a_weak_secret_key(production_env, key):
    env = {k: v for k, v in production_env.items() if k != "SECRET_KEY"}
    if key is not None:
        env["SECRET_KEY"] = key
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set to a random value of at least 50 characters" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["migrate"], ["runserver", "--noreload"], ["shell", "-c", "pass"], ["load_demo"], ["help"]],
    ids=lambda c: c[0],
)
def test_no_command_runs_on_a_production_environment_without_a_secret(production_env, command):
    env = {k: v for k, v in production_env.items() if k != "SECRET_KEY"}
    result = manage(*command, env=env, timeout=30)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr
    assert not Path(production_env["DATABASE_URL"].removeprefix("sqlite:///")).exists()


def test_production_refuses_to_start_without_an_access_log_key(production_env):
    env = {k: v for k, v in production_env.items() if k != "BRYGGA_ACCESS_LOG_KEYS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: BRYGGA_ACCESS_LOG_KEYS must be set in production" in result.stderr


def test_the_deployment_check_warns_when_the_access_log_is_not_anchored(production_env):
    env = {k: v for k, v in production_env.items() if k != "BRYGGA_ACCESS_LOG_ANCHOR"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "audit.W001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "keys",
    [
        "k2026",  # no key
        "k2026:" + base64.b64encode(b"short").decode(),
        "k2026:not base64!",
        "k 2026:" + base64.b64encode(b"x" * 32).decode(),
        "k:" + base64.b64encode(b"x" * 32).decode() + ",k:" + base64.b64encode(b"y" * 32).decode(),
    ],
    ids=["no-key", "short", "not-base64", "bad-id", "same-id-twice"],
)
def test_a_malformed_access_log_key_is_refused_without_showing_it(production_env, keys):
    result = manage("check", env={**production_env, "BRYGGA_ACCESS_LOG_KEYS": keys})
    assert result.returncode != 0
    assert "BRYGGA_ACCESS_LOG_KEYS, item" in result.stderr
    secret = keys.partition(":")[2]
    assert not secret or secret[:12] not in result.stderr


def test_access_log_keys_keep_their_order_the_first_keying_new_entries(production_env):
    old, new = access_log_key(), access_log_key()
    env = {**production_env, "BRYGGA_ACCESS_LOG_KEYS": f"k2027:{new}, k2026:{old}"}
    code = (
        "import base64; from django.conf import settings as s; "
        "print([(i, base64.b64encode(k).decode()) for i, k in s.BRYGGA_ACCESS_LOG_KEYS.items()])"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str([("k2027", new), ("k2026", old)])


def test_production_refuses_debug(production_env):
    result = manage("check", env={**production_env, "DEBUG": "1"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must not be on in production" in result.stderr


@pytest.mark.parametrize("demo", [None, "1"])
def test_load_demo_refuses_in_production(production_env, demo):
    env = dict(production_env)
    if demo:
        env["BRYGGA_DEMO"] = demo
    result = manage("load_demo", env=env)
    assert result.returncode != 0
    assert "never in production" in result.stderr
    assert not Path(production_env["DATABASE_URL"].removeprefix("sqlite:///")).exists()


def test_deployment_check_fails_on_demo_accounts_in_a_production_database(production_env):
    assert manage("migrate", "--noinput", env=production_env).returncode == 0
    create_demo = (
        "from django.contrib.auth.models import User; from organisation.models import StaffFlag; "
        "StaffFlag.objects.create(user=User.objects.create(username='demo'), is_demo=True)"
    )
    assert manage("shell", "-c", create_demo, env=production_env).returncode == 0
    result = manage("check", "--deploy", env=production_env)
    assert result.returncode != 0
    assert "brygga.E001" in result.stderr


# --- demo accounts, in process ------------------------------------------------------------


@pytest.fixture
def demo_user(db):
    user = UserFactory(username="demo-officer")
    StaffFlag.objects.create(user=user, is_demo=True)
    return user


def authenticate(username):
    request = RequestFactory().post("/accounts/login/")
    return BryggaModelBackend().authenticate(request, username=username, password="pw")


def test_a_demo_account_logs_in_outside_production(demo_user):
    assert authenticate("demo-officer") == demo_user


@override_settings(PRODUCTION=True)
def test_a_demo_account_cannot_authenticate_in_production(demo_user):
    real = UserFactory(username="real-officer")
    assert authenticate("demo-officer") is None
    assert authenticate("real-officer") == real
    # A session opened before the switch does not survive it either.
    assert BryggaModelBackend().get_user(demo_user.pk) is None
    assert BryggaModelBackend().get_user(real.pk) == real


@override_settings(PRODUCTION=True)
def test_the_login_form_refuses_a_demo_account_in_production(client, demo_user):
    response = client.post(
        "/accounts/login/", {"username": "demo-officer", "password": "pw"}, follow=False
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_demo_check_is_quiet_without_demo_accounts_or_outside_production(demo_user):
    assert no_demo_accounts_in_production() == []
    StaffFlag.objects.all().delete()
    with override_settings(PRODUCTION=True):
        assert no_demo_accounts_in_production() == []


@override_settings(PRODUCTION=True)
def test_the_demo_check_errors_on_demo_accounts_in_production(demo_user):
    errors = no_demo_accounts_in_production()
    assert [error.id for error in errors] == ["brygga.E001"]
    assert errors[0].is_serious()
    deploy_ids = {m.id for m in run_checks(include_deployment_checks=True, databases=["default"])}
    assert "brygga.E001" in deploy_ids

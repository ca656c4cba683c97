"""Which ways of logging in are on: BRYGGA_AUTH is local, oidc or both (read at each request,
so tests and a restarted server see the current setting)."""

from __future__ import annotations

from django.conf import settings

LOCAL, OIDC, BOTH = "local", "oidc", "both"
MODES = (LOCAL, OIDC, BOTH)


def mode() -> str:
    return getattr(settings, "BRYGGA_AUTH", LOCAL)


def oidc_enabled() -> bool:
    return mode() in (OIDC, BOTH)


def password_login_enabled() -> bool:
    return mode() in (LOCAL, BOTH)

"""Retention settings: a Django setting of the same name wins, else the environment.

Kept here rather than in brygga/settings.py so that the rules and their defaults sit together;
tests override them with pytest-django's `settings` fixture.
"""

from __future__ import annotations

import os

from django.conf import settings

# SoL 12 kap. / socialtjänstförordningen 7 kap. 1 §: five years after the last entry.
DEFAULTS = {
    "BRYGGA_RETENTION_YEARS": 5,
    # ... the culling done by the end of the calendar year after the one in which it fell due.
    "BRYGGA_RETENTION_DEADLINE_YEARS": 1,
    # Riksarkivet designates municipalities whose records are all kept for research.
    "BRYGGA_RESEARCH_MUNICIPALITY": False,
    # Birth days whose records are kept for research (socialtjänstförordningen 7 kap. 2 §).
    "BRYGGA_RESEARCH_BIRTH_DAYS": (5, 15, 25),
    "BRYGGA_ACCESS_LOG_RETENTION_YEARS": 5,
}


def _from_env(name: str, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, tuple):
        return tuple(int(part) for part in raw.split(",") if part.strip())
    return int(raw)


def get(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    return _from_env(name, DEFAULTS[name])


def retention_years() -> int:
    return int(get("BRYGGA_RETENTION_YEARS"))


def deadline_years() -> int:
    return int(get("BRYGGA_RETENTION_DEADLINE_YEARS"))


def research_municipality() -> bool:
    return bool(get("BRYGGA_RESEARCH_MUNICIPALITY"))


def research_birth_days() -> tuple[int, ...]:
    return tuple(get("BRYGGA_RESEARCH_BIRTH_DAYS"))


def access_log_years() -> int:
    return int(get("BRYGGA_ACCESS_LOG_RETENTION_YEARS"))

"""Demo group mappings for single sign-on; running it twice changes nothing.

They show the administrator what a mapping looks like (admin: Single sign-on → group mappings).
The group names follow docs/sso.md's Keycloak example; the demo itself logs in with passwords.
"""

from __future__ import annotations

from organisation.models import Role, Unit
from sso.models import GroupRole

MAPPINGS = [
    ("brygga-handlaggare", "authority", Role.OFFICER),
    ("brygga-team-norr", "north", Role.COORDINATOR),
    ("brygga-team-syd", "south", Role.COORDINATOR),
    ("brygga-chefer", "authority", Role.MANAGER),
    ("brygga-chefer", "provider", Role.MANAGER),
    ("brygga-analys", "authority", Role.ANALYST),
    ("brygga-traffpunkt", "tinget", Role.MEETING_PLACE),
    ("brygga-admin", "authority", Role.ADMIN),
]


def load_sso(units: dict[str, Unit]) -> None:
    for group, unit_key, role in MAPPINGS:
        GroupRole.objects.get_or_create(group=group, unit=units[unit_key], role=role)

"""Who does the provider's work: write access to the person and a provider-side role."""

from __future__ import annotations

from organisation.models import Role
from organisation.roles import roles_of
from people.access import Level

PROVIDER_ROLES = (Role.COORDINATOR, Role.MANAGER)


def may_act(user, level: Level) -> bool:
    return level >= Level.WRITE and roles_of(user).has(*PROVIDER_ROLES)

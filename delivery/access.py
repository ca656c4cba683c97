"""Who does the provider's work: write access to the person and a provider-side role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from organisation.models import Role
from organisation.roles import roles_of
from people.access import Level

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PROVIDER_ROLES = (Role.COORDINATOR, Role.MANAGER)


def may_act(user: User, level: Level) -> bool:
    return level >= Level.WRITE and roles_of(user).has(*PROVIDER_ROLES)

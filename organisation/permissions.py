"""Every role set and every permission of Brygga, each named once.

Pages, the API, actions and the history import all ask these: a page decides what to offer, an
action refuses what is not allowed (so that no entry point can skip the check). A permission on a
person's record combines the user's roles with their access level to that person
(`people.access.access_level`); `Level` lives here so that this module needs nothing above it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import PermissionDenied

from organisation.models import CASE_ROLES, Role, Unit
from organisation.roles import roles_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # Whoever asks: a permission or an access check also answers an anonymous user (no).
    AnyUser: TypeAlias = User | AnonymousUser

__all__ = [
    "ALERT_ROLES",
    "AUTHORITY_ROLES",
    "CASE_ROLES",
    "GROUP_ROLES",
    "MAPPING_LEAD_ROLES",
    "MEETING_PLACE_ROLES",
    "PROVIDER_ROLES",
    "REGISTERING_ROLES",
    "RETENTION_ROLES",
    "STATISTICS_ROLES",
    "Level",
    "may_do_authority_work",
    "may_do_provider_work",
    "may_finish_own_draft",
    "may_handle_alerts",
    "may_lead_mapping",
    "may_register_people",
    "may_run_groups",
    "may_see_statistics",
    "may_count_heads",
    "may_change_record",
    "may_manage_retention",
    "may_take_intakes",
    "require",
]


class Level(enum.IntEnum):
    """A user's access to one person's record (decided by `people.access.access_level`)."""

    NONE = 0  # may not know the person exists
    REASON_REQUIRED = 1  # may open after giving a reason
    READ = 2
    WRITE = 3


# The authority (myndighetsutövning): intakes, assessment talks, applications, decisions, appeals.
AUTHORITY_ROLES = frozenset({Role.OFFICER, Role.MANAGER})
# The provider (utförare): orders, plans, visits, homework, notes, closure, follow-up, groups.
PROVIDER_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER})
# Who may register a new person in the register.
REGISTERING_ROLES = AUTHORITY_ROLES
# Who may lead a mapping session (two of them lead each one).
MAPPING_LEAD_ROLES = frozenset({Role.OFFICER, Role.COORDINATOR})
# Who is alerted to, and acts on, a risk flagged by a self-rating.
ALERT_ROLES = PROVIDER_ROLES
# Who runs group activities and records attendance.
GROUP_ROLES = PROVIDER_ROLES
# Who records the anonymous head counts of an open meeting place.
MEETING_PLACE_ROLES = frozenset({Role.MEETING_PLACE, Role.MANAGER})
# Who reads the statistics (analysts see small counts hidden).
STATISTICS_ROLES = frozenset({Role.ANALYST, Role.MANAGER})
# Who answers for the register's retention: extracts on request, exceptions from culling.
RETENTION_ROLES = frozenset({Role.MANAGER})
# Who may ask for long work in the background: the statistics over many years, extracts' files.
JOB_ROLES = STATISTICS_ROLES | RETENTION_ROLES


def may_change_record(level: Level) -> bool:
    """Add to or change a person's record (a talk, a mapping, a rating, a document): anyone
    whose access level to the person is WRITE (their own cases; only case roles get there)."""
    return level >= Level.WRITE


def may_take_intakes(user: AnyUser, unit: Unit | int) -> bool:
    """Register an intake at this unit: its officers and managers."""
    return getattr(unit, "pk", unit) in roles_of(user).unit_ids(*AUTHORITY_ROLES)


def may_manage_retention(user: AnyUser, level: Level) -> bool:
    """Record an extract or a retention exception for a person of the manager's own units."""
    return level >= Level.WRITE and roles_of(user).has(*RETENTION_ROLES)


def may_do_authority_work(user: AnyUser, level: Level) -> bool:
    """Handle intakes, applications and decisions for a person the user may change."""
    return level >= Level.WRITE and roles_of(user).has(*AUTHORITY_ROLES)


def may_do_provider_work(user: AnyUser, level: Level) -> bool:
    """Deliver support (plans, visits, notes, closure) for a person the user may change."""
    return level >= Level.WRITE and roles_of(user).has(*PROVIDER_ROLES)


def may_finish_own_draft(user: AnyUser, *, is_author: bool) -> bool:
    """Edit, sign or remove one's own unsigned journal note. Only its author signs a note, so the
    author keeps this right after the person's case has moved to another coordinator (a
    reassignment), as long as they still work on the provider side."""
    return is_author and roles_of(user).has(*PROVIDER_ROLES)


def may_handle_alerts(user: AnyUser, level: Level) -> bool:
    return level >= Level.WRITE and roles_of(user).has(*ALERT_ROLES)


def may_lead_mapping(user: AnyUser) -> bool:
    return roles_of(user).has(*MAPPING_LEAD_ROLES)


def may_register_people(user: AnyUser) -> bool:
    return roles_of(user).has(*REGISTERING_ROLES)


def may_run_groups(user: AnyUser) -> bool:
    return roles_of(user).has(*GROUP_ROLES)


def may_count_heads(user: AnyUser) -> bool:
    return roles_of(user).has(*MEETING_PLACE_ROLES)


def may_see_statistics(user: AnyUser) -> bool:
    return roles_of(user).has(*STATISTICS_ROLES)


def may_have_jobs(user: AnyUser) -> bool:
    """The list of one's own background jobs: only roles that can ask for one."""
    return roles_of(user).has(*JOB_ROLES)


def require(allowed: bool, message: str = "") -> None:
    """Refuse an action the user may not take (a page shows 403, the API answers 403)."""
    if not allowed:
        raise PermissionDenied(message)

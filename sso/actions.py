"""Creating and updating a user from a login at the identity provider."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from organisation.models import Membership
from sso.models import GroupRole, Identity, SyncedMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class LoginRefused(Exception):
    """The provider vouched for the person, but Brygga does not let them in.

    `reason` is a fixed code for the application log; never personal data.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SyncResult:
    added: int
    removed: int


def wanted_roles(groups: Iterable[str]) -> set[tuple[int, str]]:
    """The (unit id, role) pairs the provider's groups give."""
    groups = [group for group in groups if group]
    if not groups:
        return set()
    return set(GroupRole.objects.filter(group__in=groups).values_list("unit_id", "role"))


def sync_memberships(*, user: User, groups: Iterable[str]) -> SyncResult:
    """Make the user's provider-given memberships exactly what the groups give now.

    A membership given by hand is never removed, and is not taken over when the groups give the
    same role too: it stays the administrator's.
    """
    wanted = wanted_roles(groups)
    with transaction.atomic():
        held = {
            (m.unit_id, m.role): m
            for m in Membership.objects.filter(user=user).select_related("sso_sync")
        }
        stale = [m.pk for key, m in held.items() if key not in wanted and hasattr(m, "sso_sync")]
        if stale:
            Membership.objects.filter(pk__in=stale).delete()
        new = [
            Membership.objects.create(user=user, unit_id=unit_id, role=role)
            for unit_id, role in sorted(wanted - held.keys())
        ]
        SyncedMembership.objects.bulk_create([SyncedMembership(membership=m) for m in new])
    user.__dict__.pop("_brygga_roles", None)  # roles_of caches per user object
    return SyncResult(added=len(new), removed=len(stale))


def has_any_role(user: User) -> bool:
    return Membership.objects.filter(user=user, unit__active=True).exists()


def find_or_create_user(*, issuer: str, claims: dict, groups: list[str]) -> tuple[object, bool]:
    """The user with this `sub` at this issuer, with names from the claims; a new user only
    when the groups give a role (nobody without a role gets an account)."""
    subject = str(claims["sub"])
    identity = (
        Identity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is None:
        if not wanted_roles(groups):
            raise LoginRefused("no_role")
        user = get_user_model().objects.create_user(
            _free_username(claims), email=claims.get("email") or ""
        )  # no usable password: this account logs in through the provider only
        identity = Identity.objects.create(user=user, issuer=issuer, subject=subject)
        created = True
    else:
        user, created = identity.user, False
    _update_names(user, claims)
    Identity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return user, created


def _update_names(user: User, claims: dict) -> None:
    fields = {
        "first_name": (claims.get("given_name") or "")[:150],
        "last_name": (claims.get("family_name") or "")[:150],
        "email": (claims.get("email") or "")[:254],
    }
    changed = [name for name, value in fields.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)


def _free_username(claims: dict) -> str:
    """The provider's preferred username when free, else with a number after it."""
    User = get_user_model()
    base = str(claims.get("preferred_username") or claims.get("email") or "").strip()
    base = base[:140] or "sso-" + str(claims["sub"])[:40]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate

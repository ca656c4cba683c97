"""What roles a user holds, in which units, and view guards built on that."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from core.compiled import CompiledQuery
from core.lookups import among
from organisation.models import CASE_ROLES, Membership, Role, Unit

# A user's roles in active units: asked on every request, its SQL built once
# (core/compiled.py).
_MEMBERSHIPS = CompiledQuery(
    lambda user_id: Membership.objects.filter(user_id=user_id, unit__active=True).values_list(
        "role", "unit_id"
    ),
    Membership._meta.get_field("user"),
)


class UserRoles:
    """A user's roles and the units they hold each role in, with units below them."""

    def __init__(self, user) -> None:
        self.units: dict[str, set[int]] = {}
        if not user.is_authenticated or not user.is_active:
            return
        rows = _MEMBERSHIPS.rows(user.pk)
        direct: dict[str, set[int]] = {}
        for role, unit_id in rows:
            direct.setdefault(role, set()).add(unit_id)
        if direct:
            self.units = _with_descendants(direct)

    def has(self, *roles: str) -> bool:
        return any(role in self.units for role in roles)

    def unit_ids(self, *roles: str) -> set[int]:
        ids: set[int] = set()
        for role in roles:
            ids |= self.units.get(role, set())
        return ids

    @property
    def works_with_cases(self) -> bool:
        return self.has(*CASE_ROLES)

    @property
    def names(self) -> list[str]:
        return [role for role in Role.values if role in self.units]


def _with_descendants(direct: dict[str, set[int]]) -> dict[str, set[int]]:
    """Expand each role's units with the units below them: one query per level below the
    user's units (one in all for a team), never the whole organisation, which at national
    scale is thousands of units read on every request (bench/README.md)."""
    children: dict[int, list[int]] = {}
    frontier = set().union(*direct.values())
    seen_parents: set[int] = set()
    while frontier:
        seen_parents |= frontier
        # One array parameter (`among`): a large provider's last level is 1,740 units.
        rows = Unit.objects.filter(among("parent_id", frontier), active=True).order_by()
        frontier = set()
        for pk, parent_id in rows.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
            if pk not in seen_parents:
                frontier.add(pk)
    expanded: dict[str, set[int]] = {}
    for role, ids in direct.items():
        seen = set(ids)
        stack = list(ids)
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        expanded[role] = seen
    return expanded


def roles_of(user) -> UserRoles:
    """Cached on the user object for the length of one request."""
    cached = getattr(user, "_brygga_roles", None)
    if cached is None:
        cached = UserRoles(user)
        user._brygga_roles = cached
    return cached


class RoleGuardedView(Protocol):
    """A view wrapped by `role_required`, which names its roles on the function."""

    required_roles: tuple[str, ...]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase: ...


def role_required(*roles: str) -> Callable:
    """Anonymous users go to the login page; users without any of the roles get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_of(request.user).has(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = cast(RoleGuardedView, wrapped)
        guarded.required_roles = roles  # read by the navigation and the role-matrix test
        return guarded

    return decorator


def users_with_role(role: str, unit_ids: Iterable[int]):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=role, memberships__unit_id__in=unit_ids)
        .distinct()
    )

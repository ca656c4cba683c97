"""Colleagues to choose from when two staff lead something together, and how each is named.

A choice of staff says who each person is (their roles and units), so that two colleagues with
the same name, or a name the user does not know, can be told apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from core.lookups import among
from organisation.models import Membership, SupportKind, Unit


def with_units_below(unit_ids: Iterable[int]) -> set[int]:
    """These units and every active unit below them: one query per level."""
    ids = set(unit_ids)
    frontier = set(ids)
    while frontier:
        below = Unit.objects.filter(parent_id__in=frontier, active=True).values_list(
            "pk", flat=True
        )
        frontier = set(below) - ids
        ids |= frontier
    return ids


def delivering_units() -> set[int]:
    """The units that deliver an active kind of support, and the teams below them: where the
    colleagues are who lead a mapping or a talk with the officer before any order names one."""
    direct = SupportKind.objects.filter(active=True).values_list("provider_units", flat=True)
    return with_units_below(pk for pk in direct if pk is not None)


def staff_holding(roles: Iterable[str], unit_ids: Iterable[int]) -> QuerySet:
    """Active users holding one of `roles` in one of the units, each with those memberships
    (`user.shown_memberships`) for `staff_label`."""
    roles, unit_ids = list(roles), list(unit_ids)
    memberships = Membership.objects.filter(role__in=roles, unit__active=True)
    holds_role = memberships.filter(among("unit_id", unit_ids), user_id=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(holds_role))
        .prefetch_related(shown_memberships(roles, unit_ids))
        .order_by("first_name", "last_name", "username")
    )


def shown_memberships(roles: Iterable[str], unit_ids: Iterable[int]) -> Prefetch:
    """Each user's memberships of these roles in these units, as `user.shown_memberships`."""
    memberships = Membership.objects.filter(
        among("unit_id", unit_ids), role__in=roles, unit__active=True
    )
    return Prefetch(
        "memberships",
        queryset=memberships.select_related("unit").order_by("unit__name", "role"),
        to_attr="shown_memberships",
    )


def staff_label(user) -> str:
    """The name, then each role and unit: "Kim Koordinator (Koordinator, Team Norr)"."""
    name = user.get_full_name() or user.get_username()
    shown = getattr(user, "shown_memberships", None)
    if not shown:
        return name
    where = "; ".join(f"{m.get_role_display()}, {m.unit.name}" for m in shown)
    return f"{name} ({where})"

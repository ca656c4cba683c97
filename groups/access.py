"""Who may use which group and which meeting place. Views load objects only through these."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.lookups import among
from decisions.models import Decision, Outcome, not_ended_by
from groups.models import Group, GroupSession, MeetingPlace
from organisation.models import Role, Unit
from organisation.permissions import GROUP_ROLES, MEETING_PLACE_ROLES
from organisation.roles import roles_of
from organisation.staff import shown_memberships
from people.access import visible_people
from people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def groups_for_user(user: User) -> QuerySet[Group]:
    """Groups of the units (and teams below them) where the user coordinates or manages."""
    return Group.objects.filter(among("unit_id", roles_of(user).unit_ids(*GROUP_ROLES)))


def get_group_for_user(user: User, pk: Any) -> Group:
    group = groups_for_user(user).select_related("unit").filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def get_session_for_user(user: User, pk: Any) -> GroupSession:
    session = (
        GroupSession.objects.filter(group__in=groups_for_user(user))
        .select_related("group", "group__unit")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


def in_force_on(day: datetime.date) -> Q:
    """A granted or partly granted decision whose period covers the day."""
    return (
        Q(outcome__in=[Outcome.GRANT, Outcome.PARTIAL])
        & (Q(period_from__isnull=True) | Q(period_from__lte=day))
        & (Q(period_to__isnull=True) | Q(period_to__gte=day))
        & not_ended_by(day)
    )


def in_force_now_or_later(day: datetime.date) -> Q:
    """A granted or partly granted decision in force on the day or starting later: a group is
    planned ahead, so a person may join before their decision starts."""
    return (
        Q(outcome__in=[Outcome.GRANT, Outcome.PARTIAL])
        & (Q(period_to__isnull=True) | Q(period_to__gte=day))
        & not_ended_by(day)
    )


def eligible_participants(user: User, day: datetime.date) -> QuerySet[Person]:
    """People the user may see who have a granted decision in force on the day or starting
    later: the only ones a group may take."""
    in_force = Decision.objects.filter(in_force_now_or_later(day), person_id=OuterRef("pk"))
    return visible_people(user).filter(Exists(in_force)).order_by("last_name", "first_name")


def staff_candidates(group: Group) -> QuerySet[User]:
    """Coordinators of the group's unit and teams below it, and managers above or at it."""
    below = group.unit.descendant_ids()
    above: set[int] = set()
    unit: Unit | None = group.unit
    while unit is not None:
        above.add(unit.pk)
        unit = Unit.objects.filter(pk=unit.parent_id).first() if unit.parent_id else None
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(memberships__role=Role.COORDINATOR, memberships__unit_id__in=below)
            | Q(memberships__role=Role.MANAGER, memberships__unit_id__in=above | below)
        )
        .distinct()
        .prefetch_related(shown_memberships(GROUP_ROLES, above | below))
        .order_by("first_name", "last_name")
    )


def meeting_places_for_user(user: User) -> QuerySet[MeetingPlace]:
    """Meeting-place staff see only their own places; managers those of their units."""
    return MeetingPlace.objects.filter(unit_id__in=roles_of(user).unit_ids(*MEETING_PLACE_ROLES))


def get_meeting_place_for_user(user: User, pk: Any) -> MeetingPlace:
    place = meeting_places_for_user(user).filter(pk=pk).first()
    if place is None:
        raise Http404
    return place

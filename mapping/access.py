"""A mapping is the person's: access to the person decides access to the mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from mapping.models import Mapping
from organisation.models import CASE_ROLES, Membership, Unit
from organisation.permissions import MAPPING_LEAD_ROLES
from organisation.roles import roles_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def load_mapping(pk: Any) -> tuple[Mapping, object]:
    """404 for an unknown mapping; otherwise the person's rules decide (`people.opening`)."""
    mapping = (
        Mapping.objects.select_related("person", "case__authority_unit", "talk")
        .filter(pk=pk)
        .first()
    )
    if mapping is None:
        raise Http404
    return mapping, mapping.person_id


def session_staff_candidates(user: User, mapping: Mapping) -> QuerySet:
    """Officers and coordinators of the case's units and of the user's own units.

    Never analysts, administrators or meeting-place staff: they do not lead mapping sessions.
    """
    units = set(roles_of(user).unit_ids(*CASE_ROLES))
    units.add(mapping.case.authority_unit_id)
    if mapping.case.provider_unit_id is not None:
        units |= Unit.objects.get(pk=mapping.case.provider_unit_id).descendant_ids()
    holds_role = Membership.objects.filter(
        user_id=OuterRef("pk"), role__in=MAPPING_LEAD_ROLES, unit_id__in=units, unit__active=True
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(holds_role))
        .order_by("first_name", "last_name", "username")
    )

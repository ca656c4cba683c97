"""A mapping is the person's: access to the person decides access to the mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from mapping.models import Mapping
from organisation.models import CASE_ROLES
from organisation.permissions import MAPPING_LEAD_ROLES
from organisation.roles import roles_of
from organisation.staff import delivering_units, staff_holding, with_units_below

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
    """Officers and coordinators who may lead a session with the user: those of the case's
    units, of the user's own units, and of the units that deliver support (a mapping comes before
    any decision, so before the case has a provider unit, yet two staff lead every session).

    Never managers, analysts, administrators or meeting-place staff: they do not lead sessions.
    """
    units = set(roles_of(user).unit_ids(*CASE_ROLES))
    units.add(mapping.case.authority_unit_id)
    if mapping.case.provider_unit_id is not None:
        units.add(mapping.case.provider_unit_id)
    units = with_units_below(units) | delivering_units()
    return staff_holding(MAPPING_LEAD_ROLES, units)

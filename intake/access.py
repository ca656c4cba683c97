"""Who may see an intake: the authority unit's officers and managers, and whoever may see the
person once the intake is linked to one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from intake.models import Intake
from organisation.models import Role
from organisation.roles import roles_of
from people.access import Level, access_level

AUTHORITY_ROLES = (Role.OFFICER, Role.MANAGER)


def unit_intakes(user) -> QuerySet[Intake]:
    """Intakes of the units where the user is officer or manager (the inbox and worklist)."""
    units = roles_of(user).unit_ids(*AUTHORITY_ROLES)
    if not units:
        return Intake.objects.none()
    protected_hidden = Q(person__isnull=True) | Q(person__protected_identity=False)
    return (
        Intake.objects.filter(unit_id__in=units)
        .filter(protected_hidden | Q(person__cases__staff_links__user=user))
        .distinct()
    )


def intake_level(user, intake: Intake) -> Level:
    if intake.person_id is not None:
        level = access_level(user, intake.person)
        if level == Level.NONE:
            return Level.NONE
        if intake.unit_id in roles_of(user).unit_ids(*AUTHORITY_ROLES):
            return Level.WRITE
        return Level.READ if level >= Level.READ else Level.NONE
    if intake.unit_id in roles_of(user).unit_ids(*AUTHORITY_ROLES):
        return Level.WRITE
    return Level.NONE


def get_intake_for_user(user, pk, *, write: bool = False) -> Intake:
    intake = Intake.objects.select_related("person", "unit").filter(pk=pk).first()
    if intake is None:
        raise Http404
    level = intake_level(user, intake)
    if level == Level.NONE:
        raise Http404
    if write and level < Level.WRITE:
        raise PermissionDenied
    return intake

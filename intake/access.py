"""Who may see an intake: the authority unit's officers and managers, and whoever may see the
person once the intake is linked to one. Talks and referrals follow the person (or the intake)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.lookups import among
from intake.models import AssessmentTalk, Intake, Referral
from organisation.models import CASE_ROLES, Unit, UnitKind
from organisation.permissions import AUTHORITY_ROLES
from organisation.roles import roles_of
from organisation.staff import delivering_units, staff_holding, with_units_below
from people.access import (
    Level,
    ReasonRequired,
    access_level,
    get_person_for_user,
    visible_people,
)
from people.identity import parse_identity_number
from people.models import CaseStaff, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def unit_intakes(user: User) -> QuerySet[Intake]:
    """Intakes of the units where the user is officer or manager (the inbox and worklist)."""
    units = roles_of(user).unit_ids(*AUTHORITY_ROLES)
    if not units:
        return Intake.objects.none()
    protected_hidden = Q(person__isnull=True) | Q(person__protected_identity=False)
    # EXISTS, not a join and DISTINCT: the list then stops after its page in its own order.
    named = CaseStaff.objects.filter(case__person_id=OuterRef("person_id"), user=user)
    return Intake.objects.filter(among("unit_id", units)).filter(protected_hidden | Exists(named))


def intake_level(user: User, intake: Intake, *, person_level: Level | None = None) -> Level:
    """`person_level`: the user's access level to the intake's person, when known."""
    if intake.person is not None:
        level = access_level(user, intake.person) if person_level is None else person_level
        if level == Level.NONE:
            return Level.NONE
        if intake.unit_id in roles_of(user).unit_ids(*AUTHORITY_ROLES):
            return Level.WRITE
        if level >= Level.READ:
            return Level.READ
        # Outside their own cases: a reason opens the person, and with it the intake.
        return level
    if intake.unit_id in roles_of(user).unit_ids(*AUTHORITY_ROLES):
        return Level.WRITE
    return Level.NONE


def load_intake(user: User, pk: Any, *, write: bool = False) -> tuple[Intake, Level]:
    """The intake and the user's level: 404 for those who may not know it, 403 for read-only."""
    intake = Intake.objects.select_related("person", "unit").filter(pk=pk).first()
    if intake is None:
        raise Http404
    level = intake_level(user, intake)
    if level == Level.NONE:
        raise Http404
    if level == Level.REASON_REQUIRED and intake.person is not None:
        raise ReasonRequired(intake.person.merged_into or intake.person)
    if write and level < Level.WRITE:
        raise PermissionDenied
    return intake, level


def get_intake_for_user(user: User, pk: Any, *, write: bool = False) -> Intake:
    return load_intake(user, pk, write=write)[0]


def load_talk(pk: Any) -> tuple[AssessmentTalk, object]:
    """A talk is the person's: the person's access decides (for `people.opening`)."""
    talk = AssessmentTalk.objects.select_related("person", "intake").filter(pk=pk).first()
    if talk is None:
        raise Http404
    return talk, talk.person_id


def get_referral_for_user(user: User, pk: Any, *, write: bool = False) -> tuple[Referral, Level]:
    """A referral follows the person, or its intake while the person is not identified."""
    referral = Referral.objects.select_related("service", "person").filter(pk=pk).first()
    if referral is None:
        raise Http404
    if referral.person_id is not None:
        _person, level = get_person_for_user(user, referral.person_id, write=write)
    elif referral.intake_id is not None:
        _intake, level = load_intake(user, referral.intake_id, write=write)
    else:
        raise Http404
    return referral, level


def authority_units(user: User) -> QuerySet[Unit]:
    """The authority units where the user may register intakes."""
    return Unit.objects.filter(
        pk__in=roles_of(user).unit_ids(*AUTHORITY_ROLES), kind=UnitKind.AUTHORITY, active=True
    ).order_by("name")


def find_visible_person(user: User, number: str) -> Person | None:
    """A person in the user's own cases with this personal, coordination or reserve number."""
    number = number.strip()
    try:
        query = Q(personal_number=parse_identity_number(number).digits)
    except ValidationError:
        query = Q(reserve_number__iexact=number)
    return visible_people(user).filter(query).first()


def talk_staff_candidates(user: User, person: Person) -> QuerySet:
    """Staff who may lead a talk with the user: case workers of the user's units, of the
    person's cases, and of the units that deliver support (two staff lead every talk, and the
    authority's own unit may have only one officer)."""
    units = set(roles_of(user).unit_ids(*CASE_ROLES))
    for authority_id, provider_id in person.cases.values_list(
        "authority_unit_id", "provider_unit_id"
    ):
        units.add(authority_id)
        if provider_id is not None:
            units.add(provider_id)
    return staff_holding(CASE_ROLES, with_units_below(units) | delivering_units())

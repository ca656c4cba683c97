"""Mapping actions: start, sessions led by two staff, needs per life area, interrupt, complete."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import log_access
from audit.models import Action
from core.concurrency import Opened, claim
from mapping.models import (
    Extent,
    InterruptedBy,
    Mapping,
    MappingSession,
    MappingStatus,
    Need,
)
from organisation.models import LifeArea
from organisation.permissions import may_change_record, require
from people.access import access_level
from people.models import Case, CaseStatus, Person

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

    from intake.models import AssessmentTalk

MIN_STAFF = 2
MAX_SESSIONS = 5


def _log(
    user: User,
    mapping: Mapping,
    action: str,
    record_type: str = "mapping",
    record_id: Any = None,
    detail: str = "",
) -> None:
    log_access(
        user=user,
        person=mapping.person_id,
        action=action,
        record_type=record_type,
        record_id=record_id or mapping.pk,
        detail=detail,
    )


def _require_mapping_work(user: User, person: Person) -> None:
    """Whoever may change the person's record records their mapping (any entry point)."""
    require(may_change_record(access_level(user, person)), _("You may not change this mapping."))


def _ensure_ongoing(mapping: Mapping) -> None:
    if mapping.status != MappingStatus.ONGOING:
        raise ValidationError(_("The mapping has ended and cannot be changed."))


def _locked(mapping: Mapping) -> Mapping:
    """The mapping re-read under a row lock: two staff saving at once cannot pass a rule both."""
    return Mapping.objects.select_for_update().get(pk=mapping.pk)


@transaction.atomic
def start_mapping(
    *,
    user: User,
    person: Person,
    case: Case,
    started_on: datetime.date,
    talk: AssessmentTalk | None = None,
) -> Mapping:
    _require_mapping_work(user, person)
    errors = {}
    if case.person_id != person.pk:
        errors["case"] = [_("The case belongs to another person.")]
    elif case.status != CaseStatus.OPEN:
        errors["case"] = [_("A mapping is started on an open case.")]
    if talk is not None and talk.person_id != person.pk:
        errors["talk"] = [_("The assessment talk concerns another person.")]
    if Mapping.objects.filter(person=person, status=MappingStatus.ONGOING).exists():
        errors["__all__"] = [
            _("The person already has an ongoing mapping: complete or interrupt it first.")
        ]
    if errors:
        raise ValidationError(errors)
    mapping = Mapping.objects.create(
        person=person, case=case, talk=talk, started_on=started_on, created_by=user
    )
    _log(user, mapping, Action.CREATE)
    return mapping


@transaction.atomic
def add_session(
    *, user: User, mapping: Mapping, held_on: datetime.date, staff: Iterable[User], notes: str
) -> MappingSession:
    _require_mapping_work(user, mapping.person)
    mapping = _locked(mapping)
    _ensure_ongoing(mapping)
    if len(set(staff)) < MIN_STAFF:
        raise ValidationError({"staff": [_("Two staff members lead each mapping session.")]})
    if mapping.sessions.count() >= MAX_SESSIONS:
        raise ValidationError(
            _("A mapping has at most %(max)d sessions; complete it or interrupt it.")
            % {"max": MAX_SESSIONS}
        )
    session = MappingSession.objects.create(
        mapping=mapping, held_on=held_on, notes=notes, created_by=user
    )
    session.staff.set(staff)
    _log(user, mapping, Action.CREATE, "mapping_session", session.pk)
    return session


@transaction.atomic
def save_need(
    *,
    user: User,
    mapping: Mapping,
    life_area: LifeArea,
    extent: int,
    description: str,
    opened: Opened | None = None,
) -> Need:
    """Record the need in a life area, or change it; a change opened before someone else's
    save of the same area is refused (a need recorded meanwhile counts as such a save)."""
    _require_mapping_work(user, mapping.person)
    mapping = _locked(mapping)
    _ensure_ongoing(mapping)
    if extent not in Extent.values:
        raise ValidationError({"extent": [_("Choose an extent on the ICF scale.")]})
    values = {"extent": extent, "description": description}
    need = Need.objects.filter(mapping=mapping, life_area=life_area).first()
    created = need is None
    if need is None:
        need = Need(mapping=mapping, life_area=life_area)
    else:
        claim(need, opened, values)
    need.extent, need.description = extent, description
    need.save()
    _log(user, mapping, Action.CREATE if created else Action.UPDATE, "need", need.pk)
    return need


@transaction.atomic
def interrupt_mapping(*, user: User, mapping: Mapping, interrupted_by: str, reason: str) -> Mapping:
    _require_mapping_work(user, mapping.person)
    mapping = _locked(mapping)
    _ensure_ongoing(mapping)
    errors = {}
    if interrupted_by not in InterruptedBy.values:
        errors["interrupted_by"] = [_("Say who chose to interrupt the mapping.")]
    if not reason.strip():
        errors["interruption_reason"] = [_("Say why the mapping was interrupted.")]
    if errors:
        raise ValidationError(errors)
    mapping.status = MappingStatus.INTERRUPTED
    mapping.interrupted_by = interrupted_by
    mapping.interruption_reason = reason.strip()
    mapping.ended_on = timezone.localdate()
    mapping.save()
    _log(user, mapping, Action.UPDATE, detail="interrupted")
    return mapping


@transaction.atomic
def complete_mapping(
    *,
    user: User,
    mapping: Mapping,
    needs_account: str,
    recommendation: str,
    ended_on: datetime.date | None = None,
) -> Mapping:
    _require_mapping_work(user, mapping.person)
    mapping = _locked(mapping)
    _ensure_ongoing(mapping)
    errors = {}
    if not needs_account.strip():
        errors["needs_account"] = [_("Write the account of needs.")]
    if not recommendation.strip():
        errors["recommendation"] = [_("Write the recommendation.")]
    if not mapping.sessions.exists():
        errors["__all__"] = [_("Record at least one mapping session first.")]
    if errors:
        raise ValidationError(errors)
    mapping.status = MappingStatus.COMPLETED
    mapping.needs_account = needs_account.strip()
    mapping.recommendation = recommendation.strip()
    mapping.ended_on = ended_on or timezone.localdate()
    mapping.save()
    _log(user, mapping, Action.UPDATE, detail="completed")
    return mapping

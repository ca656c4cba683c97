"""Mapping actions: start, sessions led by two staff, needs per life area, interrupt, complete."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import log_access
from audit.models import Action
from mapping.models import Mapping, MappingSession, MappingStatus, Need
from organisation.models import LifeArea
from people.models import Case, Person

MIN_STAFF = 2
MAX_SESSIONS = 5


def _log(user, mapping: Mapping, action: str, record_type="mapping", record_id=None, reason=""):
    log_access(
        user=user,
        person=mapping.person_id,
        action=action,
        record_type=record_type,
        record_id=record_id or mapping.pk,
        reason=reason,
    )


def _ensure_ongoing(mapping: Mapping) -> None:
    if mapping.status != MappingStatus.ONGOING:
        raise ValidationError(_("The mapping has ended and cannot be changed."))


@transaction.atomic
def start_mapping(
    *, user, person: Person, case: Case, started_on: datetime.date, talk=None
) -> Mapping:
    mapping = Mapping.objects.create(
        person=person, case=case, talk=talk, started_on=started_on, created_by=user
    )
    _log(user, mapping, Action.CREATE)
    return mapping


@transaction.atomic
def add_session(
    *, user, mapping: Mapping, held_on: datetime.date, staff, notes: str
) -> MappingSession:
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
    *, user, mapping: Mapping, life_area: LifeArea, extent: int, description: str
) -> Need:
    _ensure_ongoing(mapping)
    need, created = Need.objects.update_or_create(
        mapping=mapping,
        life_area=life_area,
        defaults={"extent": extent, "description": description},
    )
    _log(user, mapping, Action.CREATE if created else Action.UPDATE, "need", need.pk)
    return need


@transaction.atomic
def interrupt_mapping(*, user, mapping: Mapping, interrupted_by: str, reason: str) -> Mapping:
    _ensure_ongoing(mapping)
    errors = {}
    if not interrupted_by:
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
    _log(user, mapping, Action.UPDATE, reason="interrupted")
    return mapping


@transaction.atomic
def complete_mapping(*, user, mapping: Mapping, needs_account: str, recommendation: str) -> Mapping:
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
    mapping.ended_on = timezone.localdate()
    mapping.save()
    _log(user, mapping, Action.UPDATE, reason="completed")
    return mapping

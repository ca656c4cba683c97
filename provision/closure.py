"""Closing a case, and the follow-ups 6 and 12 months later that the review found missing."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_accesses
from audit.models import Action
from organisation.permissions import may_do_provider_work, require
from people.access import access_level
from people.models import Case, CaseStatus
from provision.models import (
    Closure,
    ClosureReason,
    FollowUp,
    FollowUpStatus,
    Isolation,
    Occupation,
    Order,
    OrderStatus,
)

FOLLOW_UP_MONTHS = (6, 12)


def _require(errors: dict, field: str, value, choices) -> None:
    if value not in choices.values:
        errors[field] = _("This field is required.")


def _require_provider(user, person) -> None:
    """Only the provider side, with write access to the person, closes and follows up."""
    require(
        may_do_provider_work(user, access_level(user, person)),
        _("Only the provider's coordinators and managers of the person's case may do this."),
    )


@transaction.atomic
def close_case(
    *,
    user,
    case: Case,
    reason: str,
    occupation: str,
    isolation: str,
    follow_up_consent: bool | None,
    reason_text: str = "",
    closed_on: datetime.date | None = None,
) -> Closure:
    """Close the case with its reason and situation; end its orders; schedule follow-ups."""
    _require_provider(user, case.person)
    errors: dict = {}
    _require(errors, "reason", reason, ClosureReason)
    _require(errors, "occupation", occupation, Occupation)
    _require(errors, "isolation", isolation, Isolation)
    if reason == ClosureReason.OTHER and not reason_text.strip():
        errors["reason_text"] = _("Describe the reason when it is “%(choice)s”.") % {
            "choice": ClosureReason.OTHER.label
        }
    if follow_up_consent is None:
        errors["follow_up_consent"] = _("Record whether the person consents to follow-up.")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is already closed."))
    closed_on = closed_on or timezone.localdate()
    closure = Closure.objects.create(
        case=case,
        person_id=case.person_id,
        closed_on=closed_on,
        reason=reason,
        reason_text=reason_text.strip(),
        occupation=occupation,
        isolation=isolation,
        follow_up_consent=follow_up_consent,
        closed_by=user,
    )
    case.status, case.closed_on = CaseStatus.CLOSED, closed_on
    case.save(update_fields=["status", "closed_on", "last_entry_at"])
    ended = list(
        Order.objects.filter(case=case)
        .exclude(status=OrderStatus.ENDED)
        .values_list("pk", flat=True)
    )
    Order.objects.filter(pk__in=ended).update(status=OrderStatus.ENDED)
    follow_ups = []
    if follow_up_consent:
        follow_ups = FollowUp.objects.bulk_create(
            FollowUp(
                closure=closure,
                person_id=case.person_id,
                months=months,
                due_on=closed_on + relativedelta(months=months),
            )
            for months in FOLLOW_UP_MONTHS
        )
    person = case.person_id
    log_accesses(
        user=user,
        accesses=[Access(person, "closure", closure.pk, Action.CREATE)]
        + [Access(person, "case", case.pk, Action.UPDATE)]
        + [Access(person, "order", pk, Action.UPDATE) for pk in ended]
        + [Access(person, "follow_up", f.pk, Action.CREATE) for f in follow_ups],
    )
    return closure


@transaction.atomic
def record_follow_up(
    *,
    user,
    follow_up: FollowUp,
    status: str,
    occupation: str = "",
    isolation: str = "",
    comment: str = "",
    done_on: datetime.date | None = None,
) -> FollowUp:
    """Record a follow-up: the situation, or that the person declined or did not answer."""
    _require_provider(user, follow_up.person)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUpStatus.PENDING:
        raise ValidationError(_("This follow-up has already been recorded."))
    errors: dict = {}
    if status not in (FollowUpStatus.DONE, FollowUpStatus.REFUSED, FollowUpStatus.NO_ANSWER):
        errors["status"] = _("This field is required.")
    if status == FollowUpStatus.DONE:
        _require(errors, "occupation", occupation, Occupation)
        _require(errors, "isolation", isolation, Isolation)
    if errors:
        raise ValidationError(errors)
    done = status == FollowUpStatus.DONE
    follow_up.status = status
    follow_up.done_on = done_on or timezone.localdate()
    follow_up.occupation = occupation if done else ""
    follow_up.isolation = isolation if done else ""
    follow_up.comment = comment.strip()
    follow_up.recorded_by = user
    follow_up.save()
    log_accesses(
        user=user,
        accesses=[Access(follow_up.person_id, "follow_up", follow_up.pk, Action.UPDATE)],
    )
    return follow_up

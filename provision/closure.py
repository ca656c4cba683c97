"""Closing a case, and the follow-ups 6 and 12 months later that the review found missing.

Closing settles what is still open, in the closing's transaction: the parts above provision
(delivery's visits and homework, groups' places) say what they hold open and settle it through
`CLOSING_PARTS`, filled in their `AppConfig.ready()`; the orders end here; a decision running past
the closing date is ended by an ending decision (`decisions.ending`) when the one closing may
decide, and otherwise stays in force until the authority decides.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

from audit.events import Access, append_accesses, log_accesses
from audit.models import Action
from core.choices import refuses_unknown, values_of
from decisions import ending
from decisions.models import Decision
from organisation.permissions import Level, may_do_provider_work, require
from people import staffing
from people.access import access_level
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus
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


@dataclass(frozen=True)
class OpenItem:
    """Something still open in a case about to close, and what closing does with it."""

    record_type: str
    record_id: Any
    what: str
    outcome: str
    # False: closing leaves it as it is (shown so that someone sees to it).
    settled: bool = True
    url: str = ""


@dataclass(frozen=True)
class ClosingPart:
    """One app's open items at closing and how it settles them, inside the closing's
    transaction: `items(case, closed_on, now)` and `settle(user, case, closed_on, now)`,
    which returns the access-log entries of what it changed."""

    key: str
    heading: StrOrPromise
    items: Callable[[Case, datetime.date, datetime.datetime], list[OpenItem]]
    settle: Callable[[Any, Case, datetime.date, datetime.datetime], list[Access]]


CLOSING_PARTS: list[ClosingPart] = []


def add_closing_part(part: ClosingPart) -> None:
    if all(existing.key != part.key for existing in CLOSING_PARTS):
        CLOSING_PARTS.append(part)


@dataclass
class DecisionInForce:
    decision: Decision
    # The one closing may end it by an ending decision; otherwise the authority must.
    may_end: bool


@dataclass
class OpenAtClosing:
    closed_on: datetime.date
    parts: list[tuple[str, list[OpenItem]]]
    decisions: list[DecisionInForce]
    # Who at the authority may end a decision the one closing may not: the responsible
    # officers named on the case, and the authority unit that holds it.
    officers: list[str]
    authority_unit: str

    @property
    def ending_needed(self) -> bool:
        return any(d.may_end for d in self.decisions)

    @property
    def left_to_the_authority(self) -> list[Decision]:
        return [d.decision for d in self.decisions if not d.may_end]

    @property
    def fingerprint(self) -> str:
        """What the page showed: a confirm sent after any of it changed is refused."""
        keys = sorted(
            [
                f"{i.record_type}:{i.record_id}:{i.settled}"
                for _h, items in self.parts
                for i in items
            ]
            + [f"decision:{d.decision.pk}:{d.may_end}" for d in self.decisions]
        )
        return hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]


def _orders_item(order: Order) -> OpenItem:
    return OpenItem(
        "order",
        order.pk,
        _("Order: %(kind)s, %(unit)s (%(status)s)")
        % {
            "kind": order.support_kind.name,
            "unit": order.provider_unit.name,
            "status": order.get_status_display(),
        },
        _("Ends on closing."),
    )


def open_at_closing(
    user, case: Case, closed_on: datetime.date | None = None, now: datetime.datetime | None = None
) -> OpenAtClosing:
    """Everything still open in the case, for the closing page and the closing itself."""
    closed_on = closed_on or timezone.localdate()
    now = now or timezone.now()
    orders = (
        Order.objects.filter(case=case)
        .exclude(status=OrderStatus.ENDED)
        .select_related("support_kind", "provider_unit")
    )
    parts = [(str(_("Orders to the provider")), [_orders_item(o) for o in orders])]
    parts += [(str(p.heading), p.items(case, closed_on, now)) for p in CLOSING_PARTS]
    kinds = ending.kinds_user_may_end(user, case.person, timezone.localdate())
    decisions = [
        DecisionInForce(d, d.support_kind_id in kinds)
        for d in ending.in_force_past(case, closed_on)
    ]
    officers = [
        link.user.get_full_name() or link.user.get_username()
        for link in CaseStaff.objects.filter(case=case, role=CaseStaffRole.OFFICER)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    ]
    return OpenAtClosing(
        closed_on,
        [p for p in parts if p[1]],
        decisions,
        officers,
        case.authority_unit.name,
    )


def _end_decisions(user, overview: OpenAtClosing, at_own_request, ending_reasons: str) -> None:
    """End each decision the one closing may end, as of the closing date."""
    for item in overview.decisions:
        if not item.may_end:
            continue  # the authority decides; the closing page says so
        try:
            ending.end_decision(
                officer=user,
                decision=item.decision,
                ends_on=overview.closed_on,
                reasons=ending_reasons,
                at_own_request=at_own_request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "ends_on" in error.error_dict:
                error.error_dict["closed_on"] = error.error_dict.pop("ends_on")
            raise


def _settle(user, case: Case, overview: OpenAtClosing, now: datetime.datetime) -> list[Access]:
    accesses: list[Access] = []
    for part in CLOSING_PARTS:
        accesses += part.settle(user, case, overview.closed_on, now)
    return accesses


def _require(errors: dict, field: str, value, choices, history: bool = False) -> None:
    if value not in values_of(choices) or refuses_unknown(value, history):
        errors[field] = _("This field is required.")


def closure_errors(
    *, reason, reason_text, occupation, isolation, follow_up_consent, history: bool
) -> dict:
    """What a closure must record. History from an earlier system may leave the reason, the
    situation and the consent unknown: they are counted as unknown, never invented."""
    errors: dict = {}
    _require(errors, "reason", reason, ClosureReason, history)
    _require(errors, "occupation", occupation, Occupation, history)
    _require(errors, "isolation", isolation, Isolation, history)
    if reason == ClosureReason.OTHER and not reason_text.strip():
        errors["reason_text"] = _("Describe the reason when it is “%(choice)s”.") % {
            "choice": ClosureReason.OTHER.label
        }
    if follow_up_consent is None and not history:
        errors["follow_up_consent"] = _("Record whether the person consents to follow-up.")
    return errors


def _check_not_before_start(case: Case, closed_on: datetime.date) -> None:
    first = Order.objects.filter(case=case, accepted_on__isnull=False).aggregate(
        first=Min("accepted_on")
    )["first"]
    refuse_closing_before_start(first, closed_on)


def refuse_closing_before_start(first: datetime.date | None, closed_on: datetime.date) -> None:
    """A closure not before the case's first start of support (`first`, if any)."""
    if first is not None and closed_on < first:
        raise ValidationError(
            {"closed_on": _("The case cannot be closed before its support started.")}
        )


def _schedule_follow_ups(closure: Closure) -> list[FollowUp]:
    return FollowUp.objects.bulk_create(follow_ups_due(closure))


def follow_ups_due(closure: Closure, make: Callable[..., FollowUp] = FollowUp) -> list[FollowUp]:
    """The follow-ups a closure with consent schedules (not yet saved); `make` makes each
    from its fields (the history import's batches: `core.bulk.unsaved`)."""
    return [
        make(
            closure=closure,
            person_id=closure.person_id,
            months=months,
            due_on=closure.closed_on + relativedelta(months=months),
        )
        for months in FOLLOW_UP_MONTHS
    ]


def _require_provider(user, person) -> None:
    """Only the provider side, with write access to the person, closes and follows up."""
    require_provider_work(user, access_level(user, person))


def require_provider_work(user, level: Level) -> None:
    """`_require_provider` given the user's access level to the person."""
    require(
        may_do_provider_work(user, level),
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
    history: bool = False,
    at_own_request: bool | None = None,
    ending_reasons: str = "",
    seen: str | None = None,
) -> Closure:
    """Close the case with its reason and situation; settle what is still open (see the
    module's docstring); end its orders; schedule follow-ups.

    `at_own_request`, `ending_reasons`: for the ending decision of a decision running past the
    closing date, when the one closing may decide. `seen`: the fingerprint of what the closing
    page showed (`OpenAtClosing.fingerprint`); a closing confirmed after it changed is refused.
    `history`: a closure recorded from an earlier system (see `closure_errors`): it records
    the closure and ends the orders, and settles nothing else.
    """
    _require_provider(user, case.person)
    errors = closure_errors(
        reason=reason,
        reason_text=reason_text,
        occupation=occupation,
        isolation=isolation,
        follow_up_consent=follow_up_consent,
        history=history,
    )
    if errors:
        raise ValidationError(errors)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is already closed."))
    closed_on = closed_on or timezone.localdate()
    _check_not_before_start(case, closed_on)
    now = timezone.now()
    settled: list[Access] = []
    if not history:
        overview = open_at_closing(user, case, closed_on, now)
        if seen is not None and seen != overview.fingerprint:
            raise ValidationError(
                _(
                    "Something in the case changed after you opened this page. Check what is "
                    "still open below and confirm again."
                ),
                code="stale",
            )
        _end_decisions(user, overview, at_own_request, ending_reasons)  # each logs itself
        settled = _settle(user, case, overview, now)
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
    staffing.end_all(case, closed_on)  # nobody carries the case from the day it closed
    ended = list(
        Order.objects.filter(case=case)
        .exclude(status=OrderStatus.ENDED)
        .values_list("pk", flat=True)
    )
    Order.objects.filter(pk__in=ended).update(status=OrderStatus.ENDED)
    follow_ups = _schedule_follow_ups(closure) if follow_up_consent else []
    person = case.person_id
    log_accesses(
        user=user,
        accesses=[Access(person, "closure", closure.pk, Action.CREATE)]
        + [Access(person, "case", case.pk, Action.UPDATE)]
        + [Access(person, "order", pk, Action.UPDATE) for pk in ended]
        + [Access(person, "follow_up", f.pk, Action.CREATE) for f in follow_ups]
        + settled,
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
    history: bool = False,
) -> FollowUp:
    """Record a follow-up: the situation, or that the person declined or did not answer.

    `history`: recorded from an earlier system; a corrected re-import records it again.
    """
    _require_provider(user, follow_up.person)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUpStatus.PENDING and not history:
        raise ValidationError(_("This follow-up has already been recorded."))
    fill_follow_up(
        user=user,
        follow_up=follow_up,
        status=status,
        occupation=occupation,
        isolation=isolation,
        comment=comment,
        done_on=done_on,
        history=history,
    )
    follow_up.save()
    log_accesses(
        user=user,
        accesses=[Access(follow_up.person_id, "follow_up", follow_up.pk, Action.UPDATE)],
    )
    return follow_up


def fill_follow_up(
    *,
    user,
    follow_up: FollowUp,
    status: str,
    occupation: str,
    isolation: str,
    comment: str,
    done_on: datetime.date | None,
    history: bool,
) -> None:
    """What a recorded follow-up must hold, set on the (unsaved) row; refused with the fields."""
    errors: dict = {}
    if status not in (FollowUpStatus.DONE, FollowUpStatus.REFUSED, FollowUpStatus.NO_ANSWER):
        errors["status"] = _("This field is required.")
    if status == FollowUpStatus.DONE:
        _require(errors, "occupation", occupation, Occupation, history)
        _require(errors, "isolation", isolation, Isolation, history)
    if errors:
        raise ValidationError(errors)
    done = status == FollowUpStatus.DONE
    follow_up.status = status
    follow_up.done_on = done_on or timezone.localdate()
    follow_up.occupation = occupation if done else ""
    follow_up.isolation = isolation if done else ""
    follow_up.comment = comment.strip()
    follow_up.recorded_by = user


HISTORY_FIELDS = (
    "closed_on",
    "reason",
    "reason_text",
    "occupation",
    "isolation",
    "follow_up_consent",
)


@transaction.atomic
def correct_history_closure(*, user, closure: Closure, changes: dict) -> Closure:
    """A corrected re-import of an earlier system's closure: the record follows the source.

    The corrected closure meets the rules of a closure recorded from history; the case's
    closing date and the follow-ups not yet recorded follow it. Consent withdrawn removes the
    follow-ups not yet recorded; consent given schedules them.
    """
    _require_provider(user, closure.person)
    closed_before = closure.closed_on
    check_history_closure(closure, changes)
    case = closure.case
    _check_not_before_start(case, closure.closed_on)
    closure.save(update_fields=list(changes))
    person = closure.person_id
    accesses = [Access(person, "closure", closure.pk, Action.UPDATE, detail="history")]
    if "closed_on" in changes:
        case.closed_on = closure.closed_on
        case.save(update_fields=["closed_on", "last_entry_at"])
        staffing.closing_moved(case, closed_before, closure.closed_on)
        accesses.append(Access(person, "case", case.pk, Action.UPDATE, detail="history"))
    accesses += _follow_ups_after_correction(closure)
    log_accesses(user=user, accesses=accesses)
    return closure


def check_history_closure(closure: Closure, changes: dict) -> None:
    """Apply `changes` to the closure (unsaved) and hold it to the rules of one from history
    (its date against the start of support is `refuse_closing_before_start`'s)."""
    unknown = set(changes) - set(HISTORY_FIELDS)
    if unknown:
        raise TypeError(f"correct_history_closure() got unexpected fields {sorted(unknown)}")
    for name, value in changes.items():
        setattr(closure, name, value)
    errors = closure_errors(
        reason=closure.reason,
        reason_text=closure.reason_text,
        occupation=closure.occupation,
        isolation=closure.isolation,
        follow_up_consent=closure.follow_up_consent,
        history=True,
    )
    if errors:
        raise ValidationError(errors)


# What a closure's correction may change without moving its case or its follow-ups.
SETTLED_FIELDS = ("reason", "reason_text", "occupation", "isolation")


def follow_ups_settled(closure: Closure, follow_ups: list[FollowUp]) -> bool:
    """True when `_follow_ups_after_correction` has nothing to do for the closure as it is
    (its follow-ups given): none without consent, and with consent some, each pending one due
    on its day."""
    if not closure.follow_up_consent:
        return not follow_ups
    return bool(follow_ups) and all(
        f.due_on == closure.closed_on + relativedelta(months=f.months)
        for f in follow_ups
        if f.status == FollowUpStatus.PENDING
    )


@transaction.atomic
def correct_history_closures(
    *,
    user,
    corrections: list[tuple[Closure, dict]],
    levels: dict,
    firsts: dict,
    follow_ups: dict,
) -> None:
    """`correct_history_closure` for a corrected re-import's batch, of the corrections that
    change only SETTLED_FIELDS of closures whose follow-ups are settled: the same permission,
    rules and log entries, one update and one log write. `levels`: the user's access level to
    each person, by id; `firsts`: each case's first start of support (None: none), by case
    id; `follow_ups`: each closure's follow-ups, by closure id."""
    for closure, changes in corrections:
        if set(changes) - set(SETTLED_FIELDS):
            raise ValueError("correct_history_closure() moves a closure's date or consent")
        if not follow_ups_settled(closure, follow_ups.get(closure.pk, [])):
            raise ValueError("correct_history_closure() settles this closure's follow-ups")
        require_provider_work(user, levels[closure.person_id])
        check_history_closure(closure, changes)
        refuse_closing_before_start(firsts.get(closure.case_id), closure.closed_on)
    fields = sorted({name for _closure, changes in corrections for name in changes})
    if fields:
        Closure.objects.bulk_update([closure for closure, _changes in corrections], fields)
    accesses = [
        Access(c.person_id, "closure", c.pk, Action.UPDATE, detail="history")
        for c, _changes in corrections
    ]
    append_accesses(user=user, accesses=accesses)


def _follow_ups_after_correction(closure: Closure) -> list[Access]:
    pending = FollowUp.objects.filter(closure=closure, status=FollowUpStatus.PENDING)
    person = closure.person_id
    if not closure.follow_up_consent:
        if FollowUp.objects.filter(closure=closure).exclude(status=FollowUpStatus.PENDING):
            raise ValidationError(
                {"follow_up_consent": _("Follow-ups are recorded: the person consented.")}
            )
        removed = list(pending.values_list("pk", flat=True))
        pending.delete()
        return [Access(person, "follow_up", pk, Action.DELETE, detail="history") for pk in removed]
    if not FollowUp.objects.filter(closure=closure).exists():
        made = _schedule_follow_ups(closure)
        return [Access(person, "follow_up", f.pk, Action.CREATE, detail="history") for f in made]
    changed = []
    for follow in pending:
        due = closure.closed_on + relativedelta(months=follow.months)
        if follow.due_on != due:
            follow.due_on = due
            follow.save(update_fields=["due_on"])
            changed.append(Access(person, "follow_up", follow.pk, Action.UPDATE, detail="history"))
    return changed

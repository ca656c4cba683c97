"""Ending a granted support before its period is over (upphörande).

A decision in force is never changed (`Decision.save` refuses): ending it early is a decision of
its own, made by an officer with delegation, that refers to it, states its reasons and date, and
is sent to the person as a letter like any other. Against the person's wish it goes against
them and carries an appeal instruction (FL 32–33 §§); at their own request it says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.events import Access, log_accesses
from audit.models import Action
from decisions.actions import _next_number, _require_authority
from decisions.models import Decision, DecisionKind, LegalBasis, LegalGround, Outcome
from organisation.models import Delegation, has_delegation
from organisation.permissions import may_do_authority_work
from people.access import access_level
from people.models import Case, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What an ending decision sets going in the layers above (the provider's order), each as
# `fn(officer, ending) -> [Access, ...]`, run inside its transaction. Filled by provision.
ENDING_FOLLOWS: list[Callable[[Any, Decision], list[Access]]] = []


def running_past(day: datetime.date) -> Q:
    """A grant or partial grant whose period runs past the day (or has no end recorded)."""
    return Q(outcome__in=[Outcome.GRANT, Outcome.PARTIAL]) & (
        Q(period_to__isnull=True) | Q(period_to__gt=day)
    )


def replaced_by_later() -> Exists:
    """A later decision refers to this one and stands in its place (a renewal, a change, an
    ending); a rejected change leaves it as it was."""
    standing = [Outcome.GRANT, Outcome.PARTIAL, Outcome.ENDED]
    return Exists(Decision.objects.filter(replaces_id=OuterRef("pk"), outcome__in=standing))


def in_force_past(case: Case, day: datetime.date) -> QuerySet[Decision]:
    """The case's decisions in force after the day: granted, not replaced, not ended."""
    return (
        Decision.objects.filter(case=case)
        .filter(running_past(day))
        .exclude(replaced_by_later())
        .select_related("support_kind")
        .order_by("decided_on", "number")
    )


def may_end(user: User, decision: Decision, day: datetime.date) -> bool:
    """An officer (or manager) of the case with delegation for this kind of support."""
    return decision.support_kind_id in kinds_user_may_end(user, decision.person, day)


def kinds_user_may_end(user: User, person: Person, day: datetime.date) -> set[Any]:
    """The kinds of support whose decisions on this person the user may end on the day (two
    queries, however many decisions)."""
    if not may_do_authority_work(user, access_level(user, person)):
        return set()
    in_force = Delegation.objects.in_force_on(day).filter(user=user)
    return set(in_force.values_list("support_kind_id", flat=True))


def _ending_errors(
    decision: Decision, ends_on: datetime.date, decided_on: datetime.date, reasons: str, own: Any
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if own is None:
        errors["at_own_request"] = [_("Say whether the person asked to end the support.")]
    if not reasons.strip():
        errors["ending_reasons"] = [
            _("Give the reasons for ending the support: the letter tells the person why.")
        ]
    if decision.period_to is not None and ends_on >= decision.period_to:
        errors["ends_on"] = [_("The decision ends by itself on that day; nothing to end early.")]
    if own is False and ends_on < decided_on:
        # A granted support is not taken away backwards against the person's wish.
        errors["ends_on"] = [
            _(
                "Against the person's wish, support ends at the earliest on the day the "
                "decision to end it is made (%(date)s)."
            )
            % {"date": decided_on.isoformat()}
        ]
    if decided_on < decision.decided_on:
        errors["ends_on"] = [_("The ending cannot be decided before the decision it ends.")]
    if LegalBasis.objects.cited_on(decided_on, LegalGround.ASSISTANCE) is None:
        errors["ending_reasons"] = [
            _(
                "No legal basis is recorded as in force on %(date)s, so the letter could not "
                "cite the law. An administrator adds it under Legal bases."
            )
            % {"date": decided_on.isoformat()}
        ]
    return errors


def _content(decision: Decision, ends_on: datetime.date) -> str:
    # The decision's text is the letter's, and the letter is always Swedish.
    with translation.override("sv"):
        return _(
            "The decision %(number)s of %(date)s on “%(kind)s” ends: the last day of the "
            "support is %(end)s."
        ) % {
            "number": decision.number,
            "date": decision.decided_on.isoformat(),
            "kind": decision.support_kind.name,
            "end": ends_on.isoformat(),
        }


@transaction.atomic
def end_decision(
    *,
    officer: User,
    decision: Decision,
    ends_on: datetime.date,
    reasons: str,
    at_own_request: bool | None,
    decided_on: datetime.date | None = None,
) -> Decision:
    """End a decision in force early by an ending decision referring to it."""
    _require_authority(officer, decision.person)
    decided_on = decided_on or timezone.localdate()
    if not has_delegation(officer, decision.support_kind, decided_on):
        raise ValidationError(
            _(
                "You have no delegation to decide on %(kind)s on %(date)s. "
                "Only an officer with delegation for this kind of support may decide."
            )
            % {"kind": decision.support_kind.name, "date": decided_on.isoformat()}
        )
    # One ending at a time: the decision ended is locked, and checked again under the lock.
    Decision.objects.select_for_update().filter(pk=decision.pk).first()
    if not in_force_past(decision.case, ends_on).filter(pk=decision.pk).exists():
        raise ValidationError(
            _(
                "Decision %(number)s is not in force after %(date)s, or a later decision "
                "replaces it."
            )
            % {"number": decision.number, "date": ends_on.isoformat()},
            code="not_in_force",
        )
    errors = _ending_errors(decision, ends_on, decided_on, reasons, at_own_request)
    if errors:
        raise ValidationError(errors)
    basis = LegalBasis.objects.cited_on(decided_on, LegalGround.ASSISTANCE)
    assert basis is not None  # _ending_errors refuses a day with no basis in force
    ending = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ending = Decision.objects.create(
                    number=_next_number(decided_on),
                    application=decision.application,
                    person_id=decision.person_id,
                    case_id=decision.case_id,
                    support_kind=decision.support_kind,
                    kind=DecisionKind.ENDING,
                    replaces=decision,
                    decided_on=decided_on,
                    outcome=Outcome.ENDED,
                    content=_content(decision, ends_on),
                    period_to=ends_on,
                    legal_basis=basis.citation,
                    cites=basis,
                    reasons=reasons.strip(),
                    at_own_request=bool(at_own_request),
                    decided_by=officer,
                )
            break
        except IntegrityError:
            continue  # another officer took the number at the same moment
    if ending is None:
        raise ValidationError(_("The decision could not be numbered; try again."))
    accesses = [Access(ending.person_id, "decision", ending.pk, Action.CREATE, detail="ending")]
    for follow in ENDING_FOLLOWS:
        accesses.extend(follow(officer, ending))
    log_accesses(user=officer, accesses=accesses)
    return ending

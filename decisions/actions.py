"""Applications, decisions, letters' delivery and appeals. Each action logs in its transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, append_accesses, log_access, log_accesses
from audit.models import Action
from core.concurrency import Opened, claim
from decisions.deadlines import appeal_deadline
from decisions.models import (
    GRANTED,
    Appeal,
    AppealStatus,
    Application,
    Decision,
    DecisionKind,
    LegalBasis,
    LegalGround,
    LetterDelivery,
    Outcome,
)
from organisation.models import SupportKind, Unit, has_delegation
from organisation.permissions import Level, may_do_authority_work, require
from people.access import access_level
from people.models import Case, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What a granted decision sets going in the layers above (the provider's order), each as
# `fn(officer, decision, provider_unit) -> [Access, ...]`, run inside the decision's transaction.
# Filled by those apps' AppConfig.ready(), so that decisions never imports them.
GRANT_FOLLOWS: list[Callable[[Any, Decision, Unit | None], list[Access]]] = []


def _require_authority(user: User, person: Person) -> None:
    """Only the authority side, with write access to the person, applies, decides and appeals."""
    require_authority_work(user, access_level(user, person))


def require_authority_work(user: User, level: Level) -> None:
    """`_require_authority` given the user's access level to the person."""
    require(
        may_do_authority_work(user, level),
        _("Only the authority's officers and managers of the person's case may do this."),
    )


def refuse_no_decision(support_kind: SupportKind) -> None:
    """Only a kind of support that is decided on is applied for."""
    if not support_kind.needs_decision:
        raise ValidationError(
            _("%(kind)s needs no decision and cannot be applied for; record a referral instead.")
            % {"kind": support_kind.name},
            code="no_decision_needed",
        )


@transaction.atomic
def create_application(
    *,
    user: User,
    person: Person,
    case: Case,
    support_kind: SupportKind,
    applied_on: datetime.date,
    form: str,
    what: str,
) -> Application:
    _require_authority(user, person)
    refuse_no_decision(support_kind)
    application = Application.objects.create(
        person=person,
        case=case,
        support_kind=support_kind,
        applied_on=applied_on,
        form=form,
        what=what,
        created_by=user,
    )
    log_access(
        user=user,
        person=person,
        action=Action.CREATE,
        record_type="application",
        record_id=application.pk,
    )
    return application


def communication_frozen(application: Application) -> bool:
    """Once a decision rests on a recorded communication, that record no longer changes."""
    stored = Application.objects.get(pk=application.pk)
    recorded = stored.communicated_on or stored.communication_exemption
    return bool(recorded) and stored.decisions.exists()


@transaction.atomic
def record_communication(
    *,
    user: User,
    application: Application,
    communicated_on: datetime.date | None,
    method: str = "",
    response_by: datetime.date | None = None,
    response: str = "",
    exemption: str = "",
    opened: Opened | None = None,
) -> Application:
    """FL 25 §: the person sees the material and may respond before a decision against them.
    A record opened before someone else's save of it is refused."""
    _require_authority(user, application.person)
    if communicated_on is None and not exemption.strip():
        raise ValidationError(
            _("Give the date the material was communicated, or why it was not."),
            code="communication_missing",
        )
    if communicated_on and response_by and response_by < communicated_on:
        raise ValidationError(
            {"response_by": [_("The person cannot be asked to respond before being given it.")]}
        )
    Application.objects.select_for_update().filter(pk=application.pk).first()  # one at a time
    if communication_frozen(application):
        # The record shows what the person was given before an issued decision; keep it so.
        raise ValidationError(
            _(
                "The communication is part of the basis of an issued decision and cannot be "
                "changed."
            ),
            code="communication_frozen",
        )
    values = {
        "communicated_on": communicated_on,
        "communication_method": method,
        "response_by": response_by,
        "communication_response": response,
        "communication_exemption": exemption.strip(),
    }
    claim(application, opened, values)
    application.communicated_on = communicated_on
    application.communication_method = method
    application.response_by = response_by
    application.communication_response = response
    application.communication_exemption = exemption.strip()
    application.save()
    log_access(
        user=user,
        person=application.person,
        action=Action.UPDATE,
        record_type="application",
        record_id=application.pk,
        detail="communication",
    )
    return application


def _next_number(decided_on: datetime.date) -> str:
    prefix = f"B-{decided_on.year}-"
    count = Decision.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


def validate_decision(
    *,
    officer: User,
    application: Application,
    outcome: str,
    reasons: str,
    decided_on: datetime.date,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    replaces: Decision | None,
    kind: str = DecisionKind.NEW,
    today: datetime.date | None = None,
    history: bool = False,
    cited_on: Callable[[datetime.date], LegalBasis | None] | None = None,
) -> None:
    """Every rule a decision must meet; raises ValidationError with field names.

    `cited_on`: the legal basis in force on a day, when the caller has them at hand (the
    history import's batches, with `citing`); else read from the database.

    `history`: a decision made in an earlier system and recorded here. Two rules bind only
    decisions made in Brygga and are not asked of it: the decider's delegation (the one who
    decided is not the one recording) and the communication before it (FL 25 §), which the
    earlier system kept, if anyone did. Every other rule holds.
    """
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    if decided_on > today:
        errors.setdefault("decided_on", []).append(
            _("A decision cannot be dated in the future: give the day it is made.")
        )
    if not history and not has_delegation(officer, application.support_kind, decided_on):
        errors.setdefault("decided_on", []).append(
            _(
                "You have no delegation to decide on %(kind)s on %(date)s. "
                "Only an officer with delegation for this kind of support may decide."
            )
            % {"kind": application.support_kind.name, "date": decided_on.isoformat()}
        )
    if outcome == Outcome.ENDED or kind == DecisionKind.ENDING:
        # An ending refers to the decision it ends and has rules of its own (decisions.ending).
        errors.setdefault("outcome", []).append(
            _("A support is ended early from the decision in force: “End the decision early”.")
        )
    if not application.support_kind.needs_decision:
        errors.setdefault("outcome", []).append(
            _("%(kind)s needs no decision and is never decided on.")
            % {"kind": application.support_kind.name}
        )
    if outcome != Outcome.GRANT and not reasons.strip():
        errors.setdefault("reasons", []).append(
            _(
                "A decision that is not a full grant must state its reasons (FL 32 §), "
                "so that the person can understand it and appeal."
            )
        )
    if (
        outcome != Outcome.GRANT
        and not history
        and not (application.communicated_on or application.communication_exemption)
    ):
        errors.setdefault("outcome", []).append(
            _(
                "Before a decision that is not a full grant, the person must be given the "
                "material and a chance to respond (FL 25 §). Record the communication first."
            )
        )
    if outcome != Outcome.REJECTION and not (period_from and period_to):
        errors.setdefault("period_to", []).append(
            _("A granted decision needs a period: from and to.")
        )
    if period_from and period_to and period_to < period_from:
        errors.setdefault("period_to", []).append(_("The period ends before it starts."))
    if (cited_on or LegalBasis.objects.cited_on)(decided_on) is None:
        errors.setdefault("decided_on", []).append(
            _(
                "No legal basis is recorded as in force on %(date)s, so the letter could not "
                "cite the law. An administrator adds it under Legal bases."
            )
            % {"date": decided_on.isoformat()}
        )
    if decided_on < application.applied_on:
        errors.setdefault("decided_on", []).append(
            _("The decision cannot be dated before the application.")
        )
    if replaces is None and kind in (DecisionKind.CHANGE, DecisionKind.RENEWAL):
        errors.setdefault("replaces", []).append(
            _("A change or renewal must refer to the earlier decision.")
        )
    if replaces is not None:
        if replaces.person_id != application.person_id:
            errors.setdefault("replaces", []).append(
                _("The earlier decision belongs to another person.")
            )
        elif replaces.support_kind_id != application.support_kind_id:
            errors.setdefault("replaces", []).append(
                _("The earlier decision concerns another kind of support.")
            )
        elif replaces.decided_on > decided_on:
            errors.setdefault("replaces", []).append(
                _("The earlier decision was made after this one's date.")
            )
    if errors:
        raise ValidationError(errors)


def refuse_second_original(application: Application, kind: str) -> None:
    """An application is decided once; a change or renewal is a decision of its own kind that
    refers to the earlier one (the constraint `decision_one_original_per_application`)."""
    if kind != DecisionKind.NEW:
        return
    first = application.decisions.filter(kind=DecisionKind.NEW).order_by("created_at").first()
    if first is not None:
        raise ValidationError(
            _(
                "This application has already been decided (%(number)s). A change or renewal "
                "is a new decision that refers to it: open decision %(number)s and make the "
                "new decision from there."
            )
            % {"number": first.number},
            code="already_decided",
        )


def refuse_replaced(replaces: Decision) -> None:
    """A decision already replaced by a granted change or renewal is not changed again: the
    change is made from the decision in force, so that two decisions never take over from one.
    Called under the earlier decision's row lock."""
    standing = [*GRANTED, Outcome.ENDED]  # as decisions.ending.replaced_by_later
    later = (
        Decision.objects.filter(replaces=replaces, outcome__in=standing)
        .order_by("created_at")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "replaces": ValidationError(
                    _(
                        "Decision %(number)s has already been replaced by decision %(later)s, "
                        "which is in force instead. Make the change from decision %(later)s."
                    )
                    % {"number": replaces.number, "later": later.number},
                    code="already_replaced",
                )
            }
        )


@transaction.atomic
def issue_decision(
    *,
    officer: User,
    application: Application,
    outcome: str,
    content: str,
    decided_on: datetime.date,
    reasons: str = "",
    goals: str = "",
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    presented_by: User | None = None,
    participants: str = "",
    kind: str = DecisionKind.NEW,
    replaces: Decision | None = None,
    provider_unit: Unit | None = None,
    history_number: str = "",
) -> Decision:
    """Issue a decision. A grant or partial grant creates an order to the provider; one that
    changes or renews an earlier decision takes over from it (and from its order, see
    GRANT_FOLLOWS) from the day it starts.

    The decision cites the legal basis in force on its date (`LegalBasis`), never a typed one.
    With `history_number` the decision was made in an earlier system and is recorded under
    that number (`from_history`): the rules for new work are relaxed as `validate_decision`
    says, and no letter is expected from Brygga.
    """
    history = bool(history_number)
    _require_authority(officer, application.person)
    validate_decision(
        officer=officer,
        application=application,
        outcome=outcome,
        reasons=reasons,
        decided_on=decided_on,
        period_from=period_from,
        period_to=period_to,
        replaces=replaces,
        kind=kind,
        history=history,
    )
    basis = LegalBasis.objects.cited_on(decided_on, LegalGround.ASSISTANCE)
    assert basis is not None  # validate_decision refuses a date with no basis in force
    kind = DecisionKind.CHANGE if replaces and kind == DecisionKind.NEW else kind
    # One decision at a time per application: a second original waits here, then is refused.
    Application.objects.select_for_update().filter(pk=application.pk).first()
    refuse_second_original(application, kind)
    if replaces is not None:
        # One change of a decision at a time: a second waits here, then is refused.
        Decision.objects.select_for_update().filter(pk=replaces.pk).first()
        refuse_replaced(replaces)
    decision = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    number=history_number or _next_number(decided_on),
                    from_history=history,
                    application=application,
                    person=application.person,
                    case=application.case,
                    support_kind=application.support_kind,
                    kind=kind,
                    replaces=replaces,
                    decided_on=decided_on,
                    outcome=outcome,
                    content=content,
                    goals=goals,
                    period_from=period_from,
                    period_to=period_to,
                    legal_basis=basis.citation,
                    cites=basis,
                    reasons=reasons.strip(),
                    decided_by=officer,
                    presented_by=presented_by,
                    participants=participants,
                )
            break
        except IntegrityError:
            refuse_second_original(application, kind)  # the constraint, should the lock be skipped
            if history:
                raise ValidationError(
                    _("The decision number %(number)s is already taken.")
                    % {"number": history_number}
                ) from None
            continue  # another officer took the number at the same moment
    if decision is None:
        raise ValidationError(_("The decision could not be numbered; try again."))
    accesses = [Access(decision.person_id, "decision", decision.pk, Action.CREATE)]
    if outcome in (Outcome.GRANT, Outcome.PARTIAL):
        for follow in GRANT_FOLLOWS:
            accesses.extend(follow(officer, decision, provider_unit))
    log_accesses(user=officer, accesses=accesses)
    return decision


HISTORY_FIELDS = ("decided_on", "reasons", "period_from", "period_to")


@transaction.atomic
def correct_history_decision(
    *, officer: User, decision: Decision, changes: dict, applied_on: datetime.date | None = None
) -> Decision:
    """A corrected re-import of a decision made in an earlier system: the record follows it.

    A decision made in Brygga never changes (a new decision replaces it); one recorded from an
    earlier system is a copy, and a copy with a typing error is corrected. The corrected record
    meets every rule `validate_decision` asks of history. The outcome and kind are not
    corrected here: that changes what follows (an order), so it is done by hand.
    """
    _require_authority(officer, decision.person)
    check_history_decision(officer, decision, changes, applied_on)
    if applied_on is not None:
        decision.application.save(update_fields=["applied_on"])
    if changes:
        # Past Decision.save(), which refuses every change to a decision made in Brygga.
        Decision._base_manager.filter(pk=decision.pk).update(**changes)
    log_accesses(user=officer, accesses=_history_accesses(decision, applied_on))
    return Decision.objects.get(pk=decision.pk)


def check_history_decision(
    officer: User,
    decision: Decision,
    changes: dict,
    applied_on: datetime.date | None,
    cited_on: Callable[[datetime.date], LegalBasis | None] | None = None,
) -> None:
    """Hold a corrected decision (and its application's date) to the rules of one recorded
    from history; the application's date is set on it (unsaved), the decision left as it is."""
    if not decision.from_history:
        raise ValidationError(
            _("Only a decision recorded from an earlier system can be corrected."),
            code="not_history",
        )
    unknown = set(changes) - set(HISTORY_FIELDS)
    if unknown:
        raise TypeError(f"correct_history_decision() got unexpected fields {sorted(unknown)}")
    application = decision.application
    if applied_on is not None:
        application.applied_on = applied_on
    values = {name: getattr(decision, name) for name in HISTORY_FIELDS} | changes
    validate_decision(
        officer=officer,
        application=application,
        outcome=decision.outcome,
        replaces=decision.replaces,
        kind=decision.kind,
        history=True,
        cited_on=cited_on,
        **values,
    )


def _history_accesses(decision: Decision, applied_on: datetime.date | None) -> list[Access]:
    person = decision.person_id
    accesses = [Access(person, "decision", decision.pk, Action.UPDATE, detail="history")]
    if applied_on is not None:
        accesses.append(
            Access(person, "application", decision.application_id, Action.UPDATE, detail="history")
        )
    return accesses


@transaction.atomic
def correct_history_decisions(
    *,
    officer: User,
    corrections: list[tuple[Decision, dict, datetime.date | None]],
    levels: dict,
    cited_on: Callable[[datetime.date], LegalBasis | None] | None = None,
) -> None:
    """`correct_history_decision` for a corrected re-import's batch, each item (decision,
    changes, applied_on): the same permission, rules and log entries, one update per table and
    one log write. `levels`: the officer's access level to each person, by id. The changes are
    set on the decisions given."""
    for decision, changes, applied_on in corrections:
        require_authority_work(officer, levels[decision.person_id])
        check_history_decision(officer, decision, changes, applied_on, cited_on)
        for name, value in changes.items():
            setattr(decision, name, value)
    applications = [d.application for d, _changes, applied in corrections if applied is not None]
    if applications:
        Application.objects.bulk_update(applications, ["applied_on"])
    fields = sorted({name for _decision, changes, _applied in corrections for name in changes})
    if fields:
        # Past Decision.save(), as correct_history_decision.
        changed = [d for d, changes, _applied in corrections if changes]
        Decision._base_manager.bulk_update(changed, fields)
    append_accesses(
        user=officer,
        accesses=[a for d, _c, applied in corrections for a in _history_accesses(d, applied)],
    )


@transaction.atomic
def record_delivery(
    *,
    user: User,
    decision: Decision,
    method: str,
    sent_on: datetime.date,
    received_on: datetime.date | None = None,
) -> LetterDelivery:
    _require_authority(user, decision.person)
    if sent_on < decision.decided_on:
        raise ValidationError(
            {"sent_on": [_("The letter cannot be sent before the decision was made.")]}
        )
    if received_on is not None and received_on < sent_on:
        raise ValidationError(
            {"received_on": [_("The letter cannot be received before it was sent.")]}
        )
    delivery = LetterDelivery.objects.create(
        decision=decision, method=method, sent_on=sent_on, received_on=received_on, recorded_by=user
    )
    log_access(
        user=user,
        person=decision.person,
        action=Action.CREATE,
        record_type="letter_delivery",
        record_id=delivery.pk,
    )
    return delivery


@transaction.atomic
def register_appeal(
    *,
    user: User,
    decision: Decision,
    received_on: datetime.date,
    decision_received_on: datetime.date,
    instruction_missing_or_wrong: bool = False,
    court_received_on: datetime.date | None = None,
    content: str = "",
) -> Appeal:
    """FL 44 §: three weeks from the day the person received the decision. FL 45 §: an appeal
    that reached the administrative court within that time is in time too."""
    _require_authority(user, decision.person)
    if decision_received_on < decision.decided_on:
        raise ValidationError(
            {
                "decision_received_on": [
                    _("The person cannot have received the decision before it was made.")
                ]
            }
        )
    if received_on < decision_received_on:
        raise ValidationError(
            {"received_on": [_("The appeal cannot arrive before the decision was received.")]}
        )
    if court_received_on is not None and not (
        decision_received_on <= court_received_on <= received_on
    ):
        raise ValidationError(
            {
                "court_received_on": [
                    _(
                        "The court receives the appeal after the person received the decision "
                        "and before it is forwarded to the board."
                    )
                ]
            }
        )
    deadline = appeal_deadline(decision_received_on)
    reached_court_in_time = court_received_on is not None and court_received_on <= deadline
    appeal = Appeal.objects.create(
        decision=decision,
        received_on=received_on,
        decision_received_on=decision_received_on,
        deadline=deadline,
        in_time=received_on <= deadline or reached_court_in_time,
        instruction_missing_or_wrong=instruction_missing_or_wrong,
        court_received_on=court_received_on,
        content=content,
        registered_by=user,
    )
    log_access(
        user=user,
        person=decision.person,
        action=Action.CREATE,
        record_type="appeal",
        record_id=appeal.pk,
    )
    return appeal


# Where an appeal may go from each status. The board first reconsiders (FL 46 §) and otherwise
# forwards the appeal to the court (FL 46 § second paragraph); a late one is dismissed (FL 45 §).
APPEAL_STEPS: dict[str, tuple[str, ...]] = {
    AppealStatus.RECEIVED: (
        AppealStatus.RECONSIDERED,
        AppealStatus.FORWARDED,
        AppealStatus.DISMISSED,
        AppealStatus.WITHDRAWN,
    ),
    AppealStatus.FORWARDED: (AppealStatus.JUDGED, AppealStatus.WITHDRAWN),
}
APPEAL_FIELDS: dict[str, tuple[str, ...]] = {
    AppealStatus.RECONSIDERED: ("reconsideration_decision",),
    AppealStatus.FORWARDED: ("forwarded_on", "court"),
    AppealStatus.JUDGED: ("judgment", "judgment_on"),
}


def next_appeal_steps(appeal: Appeal) -> list[str]:
    """The statuses this appeal may move on to; never dismissal of an admissible appeal."""
    return [
        status
        for status in APPEAL_STEPS.get(appeal.status, ())
        if not (status == AppealStatus.DISMISSED and appeal.admissible)
    ]


def _appeal_errors(appeal: Appeal, status: str, fields: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status == AppealStatus.DISMISSED and appeal.admissible:
        errors["status"] = [
            _(
                "An appeal that arrived in time, or reached the court in time, or whose appeal "
                "instruction was wrong or missing, cannot be dismissed as late (FL 45 §)."
            )
        ]
    elif status not in APPEAL_STEPS.get(appeal.status, ()):
        errors["status"] = [
            _("An appeal with the status “%(status)s” cannot move on to that step.")
            % {"status": appeal.get_status_display()}
        ]
    if status == AppealStatus.FORWARDED and not fields.get("forwarded_on"):
        errors["forwarded_on"] = [_("Give the date it was forwarded to the court.")]
    if status == AppealStatus.FORWARDED and not fields.get("court", "").strip():
        errors["court"] = [_("Name the court it was forwarded to.")]
    if status == AppealStatus.JUDGED and not (fields.get("judgment") and fields.get("judgment_on")):
        errors["judgment"] = [_("Give the judgment and its date.")]
    new_decision = fields.get("reconsideration_decision")
    if status == AppealStatus.RECONSIDERED and new_decision is None:
        errors["reconsideration_decision"] = [
            _("Issue the board's new decision first and choose it here.")
        ]
    elif new_decision is not None and new_decision.replaces_id != appeal.decision_id:
        errors["reconsideration_decision"] = [
            _("The board's new decision must refer to the appealed decision.")
        ]
    return errors


@transaction.atomic
def update_appeal(
    *, user: User, appeal: Appeal, status: str, notes: str = "", **fields: Any
) -> Appeal:
    """Move an appeal on: reconsidered, forwarded, dismissed, judged or withdrawn."""
    _require_authority(user, appeal.decision.person)
    unknown = set(fields) - {name for names in APPEAL_FIELDS.values() for name in names}
    if unknown:
        raise TypeError(f"update_appeal() got unexpected fields {sorted(unknown)}")
    errors = _appeal_errors(appeal, status, fields)
    if errors:
        raise ValidationError(errors)
    appeal.status = status
    for name in APPEAL_FIELDS.get(status, ()):
        setattr(appeal, name, fields.get(name) or getattr(appeal, name))
    if notes.strip():
        appeal.notes = f"{appeal.notes}\n{notes.strip()}".strip()
    appeal.save()
    log_access(
        user=user,
        person=appeal.decision.person_id,
        action=Action.UPDATE,
        record_type="appeal",
        record_id=appeal.pk,
        detail=status,
    )
    return appeal

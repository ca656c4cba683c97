"""Applications, decisions, letters' delivery and appeals. Each action logs in its transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.events import Access, log_access, log_accesses
from audit.models import Action
from decisions.deadlines import appeal_deadline
from decisions.models import (
    Appeal,
    AppealStatus,
    Application,
    Decision,
    DecisionKind,
    LetterDelivery,
    Outcome,
)
from organisation.models import SupportKind, Unit, has_delegation
from people.models import Case, CaseStatus, Person
from provision.models import Order


@transaction.atomic
def create_application(
    *,
    user,
    person: Person,
    case: Case,
    support_kind: SupportKind,
    applied_on: datetime.date,
    form: str,
    what: str,
) -> Application:
    if not support_kind.needs_decision:
        raise ValidationError(
            _("%(kind)s needs no decision and cannot be applied for; record a referral instead.")
            % {"kind": support_kind.name},
            code="no_decision_needed",
        )
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


@transaction.atomic
def record_communication(
    *,
    user,
    application: Application,
    communicated_on: datetime.date | None,
    method: str = "",
    response_by: datetime.date | None = None,
    response: str = "",
    exemption: str = "",
) -> Application:
    """FL 25 §: the person sees the material and may respond before a decision against them."""
    if communicated_on is None and not exemption.strip():
        raise ValidationError(
            _("Give the date the material was communicated, or why it was not."),
            code="communication_missing",
        )
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
        reason="communication",
    )
    return application


def _next_number(decided_on: datetime.date) -> str:
    prefix = f"B-{decided_on.year}-"
    count = Decision.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


def validate_decision(
    *,
    officer,
    application: Application,
    outcome: str,
    reasons: str,
    decided_on: datetime.date,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    legal_basis: str,
    replaces: Decision | None,
) -> None:
    """Every rule a decision must meet; raises ValidationError with field names."""
    errors: dict[str, list[str]] = {}
    if not has_delegation(officer, application.support_kind, decided_on):
        errors.setdefault("decided_on", []).append(
            _(
                "You have no delegation to decide on %(kind)s on %(date)s. "
                "Only an officer with delegation for this kind of support may decide."
            )
            % {"kind": application.support_kind.name, "date": decided_on.isoformat()}
        )
    if outcome != Outcome.GRANT and not reasons.strip():
        errors.setdefault("reasons", []).append(
            _(
                "A decision that is not a full grant must state its reasons (FL 32 §), "
                "so that the person can understand it and appeal."
            )
        )
    if outcome != Outcome.GRANT and not (
        application.communicated_on or application.communication_exemption
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
    if not legal_basis.strip():
        errors.setdefault("legal_basis", []).append(_("State the legal basis."))
    if decided_on < application.applied_on:
        errors.setdefault("decided_on", []).append(
            _("The decision cannot be dated before the application.")
        )
    if replaces is not None and replaces.person_id != application.person_id:
        errors.setdefault("replaces", []).append(
            _("The earlier decision belongs to another person.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def issue_decision(
    *,
    officer,
    application: Application,
    outcome: str,
    content: str,
    decided_on: datetime.date,
    legal_basis: str,
    reasons: str = "",
    goals: str = "",
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    presented_by=None,
    participants: str = "",
    kind: str = DecisionKind.NEW,
    replaces: Decision | None = None,
    provider_unit: Unit | None = None,
) -> Decision:
    """Issue a decision. A grant or partial grant creates an order to the provider."""
    validate_decision(
        officer=officer,
        application=application,
        outcome=outcome,
        reasons=reasons,
        decided_on=decided_on,
        period_from=period_from,
        period_to=period_to,
        legal_basis=legal_basis,
        replaces=replaces,
    )
    decision = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    number=_next_number(decided_on),
                    application=application,
                    person=application.person,
                    case=application.case,
                    support_kind=application.support_kind,
                    kind=DecisionKind.CHANGE if replaces and kind == DecisionKind.NEW else kind,
                    replaces=replaces,
                    decided_on=decided_on,
                    outcome=outcome,
                    content=content,
                    goals=goals,
                    period_from=period_from,
                    period_to=period_to,
                    legal_basis=legal_basis,
                    reasons=reasons.strip(),
                    decided_by=officer,
                    presented_by=presented_by,
                    participants=participants,
                )
            break
        except IntegrityError:
            continue  # another officer took the number at the same moment
    if decision is None:
        raise ValidationError(_("The decision could not be numbered; try again."))
    accesses = [Access(decision.person_id, "decision", decision.pk, Action.CREATE)]
    if outcome in (Outcome.GRANT, Outcome.PARTIAL):
        order = _create_order(officer, decision, provider_unit)
        accesses.append(Access(decision.person_id, "order", order.pk, Action.CREATE))
    log_accesses(user=officer, accesses=accesses)
    return decision


def _create_order(officer, decision: Decision, provider_unit: Unit | None) -> Order:
    units = list(decision.support_kind.provider_units.all())
    if provider_unit is None:
        if not units:
            raise ValidationError(
                _("No provider unit delivers %(kind)s; ask the administrator to set one.")
                % {"kind": decision.support_kind.name}
            )
        provider_unit = units[0]
    elif provider_unit not in units:
        raise ValidationError(
            {"provider_unit": [_("That unit does not deliver this kind of support.")]}
        )
    order = Order.objects.create(
        decision=decision,
        person=decision.person,
        case=decision.case,
        support_kind=decision.support_kind,
        provider_unit=provider_unit,
        goals=decision.goals,
        period_from=decision.period_from,
        period_to=decision.period_to,
        created_by=officer,
    )
    case = decision.case
    if case.provider_unit_id is None or case.status == CaseStatus.CLOSED:
        case.provider_unit = provider_unit
        case.status = CaseStatus.OPEN
        case.save(update_fields=["provider_unit", "status", "last_entry_at"])
    return order


@transaction.atomic
def record_delivery(
    *,
    user,
    decision: Decision,
    method: str,
    sent_on: datetime.date,
    received_on: datetime.date | None = None,
) -> LetterDelivery:
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
    user,
    decision: Decision,
    received_on: datetime.date,
    decision_received_on: datetime.date,
    instruction_missing_or_wrong: bool = False,
    content: str = "",
) -> Appeal:
    """FL 44 §: three weeks from the day the person received the decision."""
    if received_on < decision_received_on:
        raise ValidationError(
            {"received_on": [_("The appeal cannot arrive before the decision was received.")]}
        )
    deadline = appeal_deadline(decision_received_on)
    appeal = Appeal.objects.create(
        decision=decision,
        received_on=received_on,
        decision_received_on=decision_received_on,
        deadline=deadline,
        in_time=received_on <= deadline,
        instruction_missing_or_wrong=instruction_missing_or_wrong,
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


@transaction.atomic
def update_appeal(*, user, appeal: Appeal, status: str, **fields) -> Appeal:
    """Move an appeal on: reconsidered, forwarded, dismissed, judged or withdrawn."""
    errors = {}
    if status == AppealStatus.DISMISSED and appeal.admissible:
        errors["status"] = [
            _(
                "An appeal that arrived in time, or whose appeal instruction was wrong or "
                "missing, cannot be dismissed as late (FL 45 §)."
            )
        ]
    if status == AppealStatus.FORWARDED and not fields.get("forwarded_on"):
        errors["forwarded_on"] = [_("Give the date it was forwarded to the court.")]
    if status == AppealStatus.JUDGED and not (fields.get("judgment") and fields.get("judgment_on")):
        errors["judgment"] = [_("Give the judgment and its date.")]
    if status == AppealStatus.RECONSIDERED and not fields.get("reconsideration_decision"):
        errors["reconsideration_decision"] = [
            _("Issue the board's new decision first and choose it here.")
        ]
    if errors:
        raise ValidationError(errors)
    appeal.status = status
    for name, value in fields.items():
        setattr(appeal, name, value)
    appeal.save()
    log_access(
        user=user,
        person=appeal.decision.person,
        action=Action.UPDATE,
        record_type="appeal",
        record_id=appeal.pk,
        reason=status,
    )
    return appeal

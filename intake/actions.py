"""Intake, assessment talk and referral actions. Each logs inside its transaction."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, append_accesses, log_access, log_accesses
from audit.models import Action
from core.choices import refuses_unknown, values_of
from core.concurrency import Opened, claim
from core.timefmt import date_text
from intake.access import intake_level
from intake.models import (
    AssessmentTalk,
    Intake,
    IntakeNote,
    IntakeOutcome,
    IntakeStatus,
    Referral,
    ReferralOrigin,
    ReferralResult,
    Source,
    TalkOutcome,
    new_reference,
    split_contact,
)
from organisation.models import Service, Unit
from organisation.permissions import (
    Level,
    may_change_record,
    may_do_authority_work,
    may_take_intakes,
    require,
)
from people import actions as people_actions
from people import staffing
from people.access import access_level
from people.models import Case, CaseStaffRole, Contact, ContactKind, Person

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

MIN_TALK_STAFF = 2


def _require_intake_work(user: User, intake: Intake, person_level: Level | None = None) -> None:
    """The intake's unit's officers and managers change it (whatever the entry point).
    `person_level`: the user's access level to the intake's person, when already known."""
    require(
        may_do_authority_work(user, intake_level(user, intake, person_level=person_level)),
        _("Only the officers and managers of the intake's unit may change it."),
    )


def _require_record_work(user: User, person: Person | None, intake: Intake | None = None) -> None:
    """A talk or a referral: whoever may change the person's record, or the intake's unit."""
    level = access_level(user, person) if person is not None else Level.NONE
    if intake is not None and level < Level.WRITE:
        level = max(level, intake_level(user, intake))
    require(may_change_record(level), _("You may not change this person's record."))


def _log(
    user: User, intake: Intake, action: str, record_type: str = "intake", record_id: Any = None
) -> None:
    """Log against the person when known; an unidentified intake is logged by its own id."""
    log_access(
        user=user,
        person=intake.person_id,
        action=action,
        record_type=record_type,
        record_id=record_id or intake.pk,
    )


@transaction.atomic
def create_intake(*, user: User, unit: Unit, data: dict, history: bool = False) -> Intake:
    """Register an intake. `history`: recorded from an earlier system, where the channel may
    not have been recorded (unknown)."""
    require(may_take_intakes(user, unit), _("Only the unit's officers and managers take intakes."))
    if refuses_unknown(data.get("channel"), history):
        raise ValidationError({"channel": [_("Choose how the contact was made.")]})
    intake = Intake(unit=unit, created_by=user, **data)
    if intake.person is not None and intake.case_id is None:
        intake.case = _open_case(user, intake.person, unit)
    intake.save()
    _log(user, intake, Action.CREATE)
    return intake


@transaction.atomic
def submit_web_intake(*, unit: Unit, data: dict) -> Intake:
    """From the public form: lands untriaged in the unit's inbox. Nobody is logged in."""
    intake = Intake(unit=unit, via_web_form=True, triaged=False, channel="web", **data)
    for _attempt in range(5):  # a collision among 31^8 references is all but impossible
        intake.reference = new_reference()
        if not Intake.objects.filter(reference=intake.reference).exists():
            break
    intake.save()
    log_access(
        user=None, person=None, action=Action.CREATE, record_type="intake", record_id=intake.pk
    )
    return intake


@transaction.atomic
def update_intake(
    *, user: User, intake: Intake, data: dict, changed: list[str], opened: Opened | None = None
) -> Intake:
    """Change an open intake; an edit opened before someone else's save is refused."""
    _require_intake_work(user, intake)
    if intake.status == IntakeStatus.CLOSED:
        raise ValidationError(_("A closed intake cannot be changed."))
    claim(intake, opened, data)
    for name, value in data.items():
        setattr(intake, name, value)
    intake.triaged = True
    if intake.person is not None and intake.case_id is None:
        intake.case = _open_case(user, intake.person, intake.unit)
    intake.save()
    log_access(
        user=user,
        person=intake.person_id,
        action=Action.UPDATE,
        record_type="intake",
        record_id=intake.pk,
        detail=", ".join(sorted(changed)),
    )
    return intake


@transaction.atomic
def register_person_for_intake(*, user: User, intake: Intake, unit: Unit, data: dict) -> Person:
    """Register the person an intake is about, link the intake to them (and the case opened for
    them), and keep a relative who made the intake as a contact in the person's network."""
    _require_intake_work(user, intake)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.status == IntakeStatus.CLOSED:
        raise ValidationError(_("A closed intake cannot be changed."))
    if intake.person_id is not None:
        raise ValidationError(_("The intake is already linked to a person."))
    person = people_actions.register_person(user=user, unit=unit, data=data)
    intake.person = person
    intake.case = person.cases.get(authority_unit=unit)
    intake.triaged = True
    intake.save(update_fields=["person", "case", "triaged"])
    _log(user, intake, Action.UPDATE)
    if intake.source == Source.RELATIVE and intake.notifier_name.strip():
        phone, email = split_contact(intake.notifier_contact)
        people_actions.save_contact(
            user=user,
            person=person,
            contact=Contact(
                kind=ContactKind.RELATIVE,
                name=intake.notifier_name,
                relation=intake.notifier_relation,
                phone=phone,
                email=email,
                consent_note=_("Made the intake of %(date)s.")
                % {"date": f"{intake.received_on:%Y-%m-%d}"},
            ),
        )
    return person


def _open_case(user: User, person: Person, unit: Unit) -> Case:
    """The person's open case in this unit, or a new one naming the officer."""
    case = Case.objects.filter(person=person, authority_unit=unit, status="open").first()
    if case is None:
        case = Case.objects.create(
            person=person, authority_unit=unit, opened_on=timezone.localdate()
        )
        staffing.name(case, user, CaseStaffRole.OFFICER, case.opened_on)
    return case


@transaction.atomic
def add_note(
    *, user: User, intake: Intake, happened_at: datetime.datetime, channel: str, text: str
) -> IntakeNote:
    """FL 27 §: what is learned orally is documented, with when and by whom."""
    _require_intake_work(user, intake)
    note = IntakeNote.objects.create(
        intake=intake, happened_at=happened_at, channel=channel, text=text, written_by=user
    )
    _mark_triaged(intake)
    _log(user, intake, Action.CREATE, "intake_note", note.pk)
    return note


def _mark_triaged(intake: Intake) -> None:
    """Whatever staff do with a web-form intake means someone has looked at it."""
    if not intake.triaged:
        intake.triaged = True
        intake.save(update_fields=["triaged"])


@transaction.atomic
def record_callback(*, user: User, intake: Intake) -> Intake:
    _require_intake_work(user, intake)
    intake.callback_done_at = timezone.now()
    intake.triaged = True
    intake.save(update_fields=["callback_done_at", "triaged"])
    _log(user, intake, Action.UPDATE)
    return intake


def refuse_closing(
    *, outcome: str, reason: str, referred_to: Service | None, history: bool
) -> None:
    """What closing an intake must record (also checked by the history import's batches)."""
    errors: dict[str, list[str]] = {}
    if outcome not in values_of(IntakeOutcome):
        errors["outcome"] = [_("Choose the outcome of the intake.")]
    if not reason.strip() and not history:
        errors["reason"] = [
            _(
                "Give the reason: it is how the service can show who was not offered "
                "support, and why."
            )
        ]
    if outcome == IntakeOutcome.REFERRED and referred_to is None and not history:
        errors["referred_to"] = [_("Choose the service the person was referred to.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def close_intake(
    *,
    user: User,
    intake: Intake,
    outcome: str,
    reason: str,
    referred_to: Service | None = None,
    closed_on: datetime.date | None = None,
    opened: Opened | None = None,
    history: bool = False,
) -> Intake:
    """Every intake ends in a recorded outcome and reason; a referral names the service.
    With `opened` (the API), a close based on an older version is refused.

    `history`: an intake closed in an earlier system, which may have recorded neither the
    reason nor the service referred to; they stay blank (unknown), never invented.
    """
    _require_intake_work(user, intake)
    claim(intake, opened)
    if intake.status == IntakeStatus.CLOSED:
        raise ValidationError(_("The intake is already closed."))
    refuse_closing(outcome=outcome, reason=reason, referred_to=referred_to, history=history)
    intake.status = IntakeStatus.CLOSED
    intake.outcome = outcome
    # A closed intake always has a reason (a constraint): history says it was never recorded.
    intake.outcome_reason = reason.strip() or _("Not recorded in the earlier system.")
    intake.referred_to = referred_to if outcome == IntakeOutcome.REFERRED else None
    intake.closed_on = closed_on or timezone.localdate()
    intake.closed_by = user
    intake.triaged = True
    intake.save()
    accesses = [Access(intake.person_id, "intake", intake.pk, Action.UPDATE, detail="closed")]
    if intake.referred_to is not None:
        referral = Referral.objects.create(
            person=intake.person,
            intake=intake,
            origin=ReferralOrigin.INTAKE,
            service=intake.referred_to,
            referred_on=intake.closed_on,
            note=intake.outcome_reason,
            created_by=user,
        )
        accesses.append(Access(intake.person_id, "referral", referral.pk, Action.CREATE))
    log_accesses(user=user, accesses=accesses)
    return intake


def validate_talk_staff(staff: Iterable[User]) -> None:
    if len(set(staff)) < MIN_TALK_STAFF:
        raise ValidationError(
            {"staff": [_("Two staff members lead an assessment talk: choose at least two.")]}
        )


@transaction.atomic
def record_talk(
    *, user: User, person: Person, intake: Intake | None, data: dict, staff: Iterable[User]
) -> AssessmentTalk:
    _require_record_work(user, person, intake)
    validate_talk_staff(staff)
    talk = AssessmentTalk.objects.create(person=person, intake=intake, created_by=user, **data)
    talk.staff.set(staff)
    log_access(
        user=user, person=person, action=Action.CREATE, record_type="talk", record_id=talk.pk
    )
    return talk


@transaction.atomic
def conclude_talk(
    *,
    user: User,
    talk: AssessmentTalk,
    outcome: str,
    reason: str = "",
    referred_to: Service | None = None,
) -> AssessmentTalk:
    _require_record_work(user, talk.person)
    if talk.outcome:
        raise ValidationError(_("The talk already has an outcome."))
    errors = {}
    if outcome not in TalkOutcome.values:
        errors["outcome"] = [_("Choose the outcome of the talk.")]
    if outcome in (TalkOutcome.ENDED, TalkOutcome.REFERRED) and not reason.strip():
        errors["outcome_reason"] = [_("Give the reason.")]
    if outcome == TalkOutcome.REFERRED and referred_to is None:
        errors["referred_to"] = [_("Choose the service the person was referred to.")]
    if errors:
        raise ValidationError(errors)
    talk.outcome = outcome
    talk.outcome_reason = reason.strip()
    talk.referred_to = referred_to if outcome == TalkOutcome.REFERRED else None
    talk.save()
    accesses = [Access(talk.person_id, "talk", talk.pk, Action.UPDATE, detail=outcome)]
    if talk.referred_to is not None:
        referral = Referral.objects.create(
            person=talk.person,
            intake=talk.intake,
            origin=ReferralOrigin.TALK,
            service=talk.referred_to,
            note=talk.outcome_reason,
            created_by=user,
        )
        accesses.append(Access(talk.person_id, "referral", referral.pk, Action.CREATE))
    log_accesses(user=user, accesses=accesses)
    return talk


@transaction.atomic
def create_referral(
    *, user: User, person: Person, origin: str, service: Service | None, note: str = ""
) -> Referral:
    _require_record_work(user, person)
    errors = {}
    if origin not in ReferralOrigin.values:
        errors["origin"] = [_("Choose where the referral comes from.")]
    if service is None:
        errors["service"] = [_("Choose the service the person was referred to.")]
    if errors or service is None:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        person=person, origin=origin, service=service, note=note, created_by=user
    )
    log_access(
        user=user,
        person=person,
        action=Action.CREATE,
        record_type="referral",
        record_id=referral.pk,
    )
    return referral


@transaction.atomic
def record_referral_result(
    *,
    user: User,
    referral: Referral,
    result: str,
    noted_on: datetime.date | None = None,
    note: str = "",
    opened: Opened | None = None,
) -> Referral:
    """What came of a referral, the date it became known (today if not given) and a note."""
    if referral.person_id is not None:
        _require_record_work(user, referral.person)
    else:
        _require_record_work(user, None, referral.intake)
    noted_on = noted_on or timezone.localdate()
    errors = {}
    if result not in ReferralResult.values:
        errors["result"] = [_("Choose what came of the referral.")]
    if noted_on > timezone.localdate():
        errors["result_noted_on"] = [_("The date cannot be in the future.")]
    elif noted_on < referral.referred_on:
        errors["result_noted_on"] = [
            _("The date cannot be before the referral (%(date)s).")
            % {"date": date_text(referral.referred_on)}
        ]
    if errors:
        raise ValidationError(errors)
    note = note.strip()
    claim(referral, opened, {"result": result, "result_noted_on": noted_on, "result_note": note})
    referral.result, referral.result_noted_on, referral.result_note = result, noted_on, note
    referral.save(update_fields=["result", "result_noted_on", "result_note", "version"])
    log_access(
        user=user,
        person=referral.person_id,
        action=Action.UPDATE,
        record_type="referral",
        record_id=referral.pk,
    )
    return referral


HISTORY_FIELDS = ("received_on", "closed_on", "source", "channel", "outcome", "outcome_reason")


@transaction.atomic
def correct_history_intake(*, user: User, intake: Intake, changes: dict) -> Intake:
    """A corrected re-import of an earlier system's intake: the record follows the source.

    Only the fields the import carries change; the same rules as a new intake hold (a known
    outcome, closed no earlier than received), with unknown allowed as in history.
    """
    _require_intake_work(user, intake)
    check_history_intake(intake, changes)
    intake.save(update_fields=list(changes))
    log_accesses(user=user, accesses=[_history_access(intake, changes)])
    return intake


def check_history_intake(intake: Intake, changes: dict) -> None:
    """Apply `changes` to the intake (unsaved) and hold it to the rules of a corrected one."""
    unknown = set(changes) - set(HISTORY_FIELDS)
    if unknown:
        raise TypeError(f"correct_history_intake() got unexpected fields {sorted(unknown)}")
    for name, value in changes.items():
        setattr(intake, name, value)
    if intake.outcome not in values_of(IntakeOutcome):
        raise ValidationError({"outcome": [_("Choose the outcome of the intake.")]})
    if intake.closed_on and intake.closed_on < intake.received_on:
        raise ValidationError(
            {"closed_on": [_("An intake cannot be closed before it was received.")]}
        )


def _history_access(intake: Intake, changes: dict) -> Access:
    return Access(
        intake.person_id,
        "intake",
        intake.pk,
        Action.UPDATE,
        detail="history: " + ", ".join(sorted(changes)),
    )


@transaction.atomic
def correct_history_intakes(
    *, user: User, corrections: list[tuple[Intake, dict]], levels: dict
) -> None:
    """`correct_history_intake` for a corrected re-import's batch: the same permission, rules
    and log entries, with one update and one log write. `levels`: the user's access level to
    each intake's person (`people.access.access_levels`), by the person's id."""
    for intake, changes in corrections:
        _require_intake_work(user, intake, levels.get(intake.person_id))
        check_history_intake(intake, changes)
    fields = sorted({name for _intake, changes in corrections for name in changes})
    if fields:
        Intake.objects.bulk_update([intake for intake, _changes in corrections], fields)
    append_accesses(user=user, accesses=[_history_access(i, c) for i, c in corrections])

"""Legacy import: a service's history from before Brygga, one JSON object per line.

The format is documented in docs/import-format.md. Reading is in two passes: every line is
validated first (`validate_file`), and only then, in one transaction, loaded (`load`). The load
creates the same records the pages create (person, case, intake, application, decision, order,
closure, follow-ups), so the report counts imported history exactly like history kept in Brygga.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_accesses
from audit.models import Action
from decisions.models import Application, Decision, DecisionKind, Outcome
from history.models import ImportedRecord, ImportRun
from intake.models import Channel, Intake, IntakeOutcome, IntakeStatus, Source
from organisation.models import SupportKind, Unit
from people.identity import RESERVE, parse_identity_number, sex_from_number
from people.models import Case, CaseStatus, Person
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

IMPORTED = "Imported from the legacy records."  # stored text, not shown as a UI message
KINDS = ("person", "intake", "decision", "closure")


@dataclass
class Rejection:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass
class Row:
    line: int
    data: dict


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    lines: int = 0


# Validation: each function returns a list of "path: problem" strings for one line.


def _date(errors: list, obj: dict, key: str, path: str, *, required: bool, today):
    value = obj.get(key)
    if value in (None, ""):
        if required:
            errors.append(f"{path}{key}: " + _("missing"))
        return None
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{path}{key}: " + _("not a date (YYYY-MM-DD): %(v)s") % {"v": value})
        return None
    if day > today:
        errors.append(f"{path}{key}: " + _("lies in the future"))
        return None
    return day


def _choice(errors: list, obj: dict, key: str, path: str, choices) -> str | None:
    value = obj.get(key)
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        errors.append(
            f"{path}{key}: "
            + _("%(v)s is not one of: %(allowed)s") % {"v": value, "allowed": allowed}
        )
        return None
    return value


def _text(errors: list, obj: dict, key: str, path: str, *, required: bool, limit: int) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        errors.append(f"{path}{key}: " + _("must be text"))
        return ""
    if required and not value.strip():
        errors.append(f"{path}{key}: " + _("missing"))
    if len(value) > limit:
        errors.append(f"{path}{key}: " + _("longer than %(n)s characters") % {"n": limit})
    return value.strip()


def _list(errors: list, obj: dict, key: str) -> list[dict]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.append(f"{key}: " + _("must be a list of objects"))
        return []
    return value


def _check_person(errors: list, obj: dict, today) -> None:
    _text(errors, obj, "id", "", required=True, limit=90)
    _text(errors, obj, "first_name", "", required=True, limit=100)
    _text(errors, obj, "last_name", "", required=True, limit=100)
    number, reserve = obj.get("personal_number"), obj.get("reserve_number")
    if number:
        try:
            parsed = parse_identity_number(str(number), today=today)
        except ValidationError as error:
            errors.append("personal_number: " + " ".join(str(m) for m in error.messages))
        else:
            obj["_number"] = parsed
    elif not reserve:
        errors.append("personal_number: " + _("give a personal_number or a reserve_number"))
    elif not isinstance(reserve, str) or len(reserve) > 20:
        errors.append("reserve_number: " + _("must be text of at most 20 characters"))


def _check_intake(errors: list, item: dict, path: str, today) -> None:
    _text(errors, item, "id", path, required=True, limit=90)
    received = _date(errors, item, "received_on", path, required=True, today=today)
    closed = _date(errors, item, "closed_on", path, required=False, today=today)
    _choice(errors, item, "source", path, Source)
    _choice(errors, item, "channel", path, Channel)
    _choice(errors, item, "outcome", path, IntakeOutcome)
    _text(errors, item, "reason", path, required=False, limit=2000)
    if received and closed and closed < received:
        errors.append(f"{path}closed_on: " + _("before received_on"))


def _check_decision(errors: list, item: dict, path: str, today) -> None:
    _text(errors, item, "id", path, required=True, limit=28)
    decided = _date(errors, item, "decided_on", path, required=True, today=today)
    applied = _date(errors, item, "applied_on", path, required=False, today=today)
    outcome = _choice(errors, item, "outcome", path, Outcome)
    reasons = _text(errors, item, "reasons", path, required=False, limit=5000)
    start = _date(errors, item, "period_from", path, required=False, today=datetime.date.max)
    end = _date(errors, item, "period_to", path, required=False, today=datetime.date.max)
    started = _date(errors, item, "started_on", path, required=False, today=today)
    if outcome and outcome != Outcome.GRANT and not reasons:
        errors.append(f"{path}reasons: " + _("required when the decision is not a full grant"))
    if outcome and outcome != Outcome.REJECTION and not (start and end):
        errors.append(f"{path}period_to: " + _("a granted decision needs period_from and to"))
    if start and end and end < start:
        errors.append(f"{path}period_to: " + _("before period_from"))
    if applied and decided and decided < applied:
        errors.append(f"{path}decided_on: " + _("before applied_on"))
    if started and outcome == Outcome.REJECTION:
        errors.append(f"{path}started_on: " + _("a rejected decision starts no support"))
    if started and decided and started < decided:
        errors.append(f"{path}started_on: " + _("before decided_on"))
    if "kind" in item:
        _choice(errors, item, "kind", path, DecisionKind)


def _check_closure(errors: list, item: dict, obj: dict, today) -> None:
    path = "closure."
    closed = _date(errors, item, "closed_on", path, required=True, today=today)
    reason = _choice(errors, item, "reason", path, ClosureReason)
    text = _text(errors, item, "reason_text", path, required=False, limit=2000)
    if reason == ClosureReason.OTHER and not text:
        errors.append(
            f"{path}reason_text: " + _("required when the reason is “%(code)s”") % {"code": "other"}
        )
    _choice(errors, item, "occupation", path, Occupation)
    _choice(errors, item, "isolation", path, Isolation)
    if not isinstance(item.get("follow_up_consent"), bool):
        errors.append(f"{path}follow_up_consent: " + _("must be true or false"))
    starts = [d.get("started_on") for d in obj.get("decisions", []) if isinstance(d, dict)]
    starts = [s for s in starts if isinstance(s, str)]
    if closed and starts and closed.isoformat() < min(starts):
        errors.append(f"{path}closed_on: " + _("before the support started"))
    follow_ups = _list(errors, item, "follow_ups")
    for index, follow in enumerate(follow_ups):
        fpath = f"{path}follow_ups[{index}]."
        if follow.get("months") not in (6, 12):
            errors.append(f"{fpath}months: " + _("must be 6 or 12"))
        status = _choice(errors, follow, "status", fpath, FollowUpStatus)
        _date(errors, follow, "done_on", fpath, required=status == "done", today=today)
        if status == FollowUpStatus.DONE:
            _choice(errors, follow, "occupation", fpath, Occupation)
            _choice(errors, follow, "isolation", fpath, Isolation)
    if follow_ups and item.get("follow_up_consent") is False:
        errors.append(f"{path}follow_ups: " + _("recorded without consent to follow-up"))


def check_line(obj, today: datetime.date) -> list[str]:
    if not isinstance(obj, dict):
        return [_("each line must be one JSON object")]
    errors: list[str] = []
    _check_person(errors, obj, today)
    for index, item in enumerate(_list(errors, obj, "intakes")):
        _check_intake(errors, item, f"intakes[{index}].", today)
    for index, item in enumerate(_list(errors, obj, "decisions")):
        _check_decision(errors, item, f"decisions[{index}].", today)
    closure = obj.get("closure")
    if closure is not None:
        if isinstance(closure, dict):
            _check_closure(errors, closure, obj, today)
        else:
            errors.append("closure: " + _("must be an object"))
    return errors


def _ids(obj: dict) -> Iterable[tuple[str, str]]:
    yield "person", str(obj.get("id"))
    for item in obj.get("intakes", []):
        yield "intake", str(item.get("id"))
    for item in obj.get("decisions", []):
        yield "decision", str(item.get("id"))


def validate_file(lines: Iterable[str], today: datetime.date | None = None) -> Checked:
    """Every line checked; a rejection names the line number and each reason."""
    today = today or timezone.localdate()
    checked = Checked()
    seen_ids: dict[tuple[str, str], int] = {}
    seen_numbers: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        checked.lines += 1
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as error:
            reason = _("not valid JSON (%(e)s)") % {"e": error.msg}
            checked.rejections.append(Rejection(number, reason))
            continue
        errors = check_line(obj, today)
        if not errors:
            errors = _duplicates(obj, number, seen_ids, seen_numbers)
        if errors:
            checked.rejections.append(Rejection(number, "; ".join(errors)))
        else:
            checked.rows.append(Row(number, obj))
    return checked


def _duplicates(obj: dict, number: int, seen_ids: dict, seen_numbers: dict) -> list[str]:
    errors = []
    for key in _ids(obj):
        if key in seen_ids:
            errors.append(
                _("%(kind)s id %(id)s already used on line %(line)s")
                % {"kind": key[0], "id": key[1], "line": seen_ids[key]}
            )
        seen_ids.setdefault(key, number)
    parsed = obj.get("_number")
    if parsed is not None:
        if parsed.digits in seen_numbers:
            errors.append(
                _("the same personal number is already on line %(line)s")
                % {"line": seen_numbers[parsed.digits]}
            )
        seen_numbers.setdefault(parsed.digits, number)
    return errors


# Loading


@dataclass
class Target:
    """Where imported records go, and who is recorded as having made them."""

    user: object
    authority_unit: Unit
    support_kind: SupportKind
    provider_unit: Unit


@transaction.atomic
def load(
    rows: list[Row],
    target: Target,
    *,
    file_name: str,
    file_sha256: str,
    lines: int,
    rejected: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the records of every row not imported before; returns counts by kind."""
    run = ImportRun.objects.create(
        file_name=file_name[:255],
        file_sha256=file_sha256,
        by=target.user,
        lines=lines,
        rejected=rejected,
    )
    known = _known(rows)
    counts = {kind: 0 for kind in ("person", "intake", "decision", "order", "closure")}
    counts["skipped"] = 0
    for index, row in enumerate(rows, start=1):
        _load_row(row.data, target, run, known, counts)
        if progress:
            progress(index, len(rows))
    run.created = counts
    run.save(update_fields=["created"])
    return counts


def _known(rows: list[Row]) -> dict[tuple[str, str], str]:
    keys = {key for row in rows for key in _ids(row.data)}
    keys |= {("closure", str(row.data.get("id"))) for row in rows}
    records = ImportedRecord.objects.filter(external_id__in={k[1] for k in keys})
    return {(r.kind, r.external_id): r.object_id for r in records}


def _person(obj: dict, target: Target) -> Person:
    parsed = obj.get("_number")
    if parsed is not None:
        existing = Person.objects.filter(personal_number=parsed.digits).first()
        values = {
            "personal_number": parsed.digits,
            "number_kind": parsed.kind,
            "birth_date": parsed.birth_date,
            "sex": sex_from_number(parsed.digits),
        }
    else:
        existing = Person.objects.filter(reserve_number=obj["reserve_number"]).first()
        values = {"reserve_number": obj["reserve_number"], "number_kind": RESERVE, "sex": "X"}
    if existing is not None:
        return existing.merged_into or existing
    return Person.objects.create(
        **values,
        first_name=obj["first_name"].strip(),
        last_name=obj["last_name"].strip(),
        municipality=str(obj.get("municipality", ""))[:100],
    )


def _first_date(obj: dict) -> datetime.date:
    days = [i["received_on"] for i in obj.get("intakes", [])]
    days += [d.get("applied_on") or d["decided_on"] for d in obj.get("decisions", [])]
    return datetime.date.fromisoformat(min(days)) if days else timezone.localdate()


def _case(obj: dict, person: Person, target: Target, known: dict) -> Case:
    pid = str(obj["id"])
    if ("person", pid) in known:
        case = Case.objects.filter(person=person, authority_unit=target.authority_unit).first()
        if case is not None:
            return case
    return Case.objects.create(
        person=person,
        authority_unit=target.authority_unit,
        status=CaseStatus.OPEN,
        opened_on=_first_date(obj),
    )


def _remember(run, kind: str, external_id: str, pk, known: dict) -> None:
    ImportedRecord.objects.create(run=run, kind=kind, external_id=external_id, object_id=str(pk))
    known[(kind, external_id)] = str(pk)


def _load_row(obj: dict, target: Target, run, known: dict, counts: dict) -> None:
    pid = str(obj["id"])
    person = _person(obj, target)
    accesses: list[Access] = []
    new_person = ("person", pid) not in known
    case = _case(obj, person, target, known)
    if new_person:
        _remember(run, "person", pid, person.pk, known)
        counts["person"] += 1
        accesses.append(Access(person.pk, "person", person.pk, Action.CREATE))
    for item in obj.get("intakes", []):
        if ("intake", str(item["id"])) in known:
            counts["skipped"] += 1
            continue
        intake = _intake(item, person, case, target)
        _remember(run, "intake", str(item["id"]), intake.pk, known)
        counts["intake"] += 1
        accesses.append(Access(person.pk, "intake", intake.pk, Action.CREATE))
    for item in sorted(obj.get("decisions", []), key=lambda d: d["decided_on"]):
        if ("decision", str(item["id"])) in known:
            counts["skipped"] += 1
            continue
        decision, order = _decision(item, person, case, target)
        _remember(run, "decision", str(item["id"]), decision.pk, known)
        counts["decision"] += 1
        accesses.append(Access(person.pk, "decision", decision.pk, Action.CREATE))
        if order is not None:
            counts["order"] += 1
            accesses.append(Access(person.pk, "order", order.pk, Action.CREATE))
    closure = obj.get("closure")
    if closure and ("closure", pid) not in known:
        made = _closure(closure, person, case, target)
        _remember(run, "closure", pid, made.pk, known)
        counts["closure"] += 1
        accesses.append(Access(person.pk, "closure", made.pk, Action.CREATE))
    elif closure:
        counts["skipped"] += 1
    if not closure:
        _close_if_nothing_ongoing(obj, case)
    log_accesses(
        user=target.user,
        accesses=[
            Access(a.person_id, a.record_type, a.record_id, a.action, detail="import")
            for a in accesses
        ],
    )


def _close_if_nothing_ongoing(obj: dict, case: Case) -> None:
    """A legacy case with no order under way and no closure is closed on its last date."""
    ongoing = Order.objects.filter(case=case).exclude(status=OrderStatus.ENDED).exists()
    if ongoing or case.status == CaseStatus.CLOSED:
        return
    days = [i.get("closed_on") or i["received_on"] for i in obj.get("intakes", [])]
    days += [d["decided_on"] for d in obj.get("decisions", [])]
    if not days:
        return
    case.status, case.closed_on = CaseStatus.CLOSED, datetime.date.fromisoformat(max(days))
    case.save(update_fields=["status", "closed_on", "last_entry_at"])


def _intake(item: dict, person: Person, case: Case, target: Target) -> Intake:
    received = datetime.date.fromisoformat(item["received_on"])
    closed = item.get("closed_on")
    return Intake.objects.create(
        unit=target.authority_unit,
        received_on=received,
        channel=item["channel"],
        source=item["source"],
        person=person,
        case=case,
        status=IntakeStatus.CLOSED,
        outcome=item["outcome"],
        outcome_reason=(item.get("reason") or "").strip() or IMPORTED,
        closed_on=datetime.date.fromisoformat(closed) if closed else received,
        closed_by=target.user,
        created_by=target.user,
        triaged=True,
    )


def _day(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _decision(item: dict, person: Person, case: Case, target: Target):
    decided = _day(item["decided_on"])
    application = Application.objects.create(
        person=person,
        case=case,
        support_kind=target.support_kind,
        applied_on=_day(item.get("applied_on")) or decided,
        form="written",
        what=IMPORTED,
        communication_exemption=IMPORTED if item["outcome"] != Outcome.GRANT else "",
        created_by=target.user,
    )
    replaces = None
    kind = item.get("kind", DecisionKind.NEW)
    if kind != DecisionKind.NEW:
        replaces = (
            Decision.objects.filter(person=person, support_kind=target.support_kind)
            .filter(decided_on__lte=decided)
            .order_by("-decided_on", "-created_at")
            .first()
        )
        kind = kind if replaces else DecisionKind.NEW
    decision = Decision.objects.create(
        number=f"H-{item['id']}",
        application=application,
        person=person,
        case=case,
        support_kind=target.support_kind,
        kind=kind,
        replaces=replaces,
        decided_on=decided,
        outcome=item["outcome"],
        content=(item.get("content") or "").strip() or IMPORTED,
        period_from=_day(item.get("period_from")),
        period_to=_day(item.get("period_to")),
        legal_basis=target.support_kind.legal_basis or IMPORTED,
        reasons=(item.get("reasons") or "").strip(),
        decided_by=target.user,
    )
    if item["outcome"] == Outcome.REJECTION:
        return decision, None
    return decision, _order(item, decision, target)


def _order(item: dict, decision: Decision, target: Target) -> Order:
    started = _day(item.get("started_on"))
    case = decision.case
    if case.provider_unit_id is None:
        case.provider_unit = target.provider_unit
        case.save(update_fields=["provider_unit", "last_entry_at"])
    return Order.objects.create(
        decision=decision,
        person=decision.person,
        case=case,
        support_kind=target.support_kind,
        provider_unit=target.provider_unit,
        period_from=decision.period_from,
        period_to=decision.period_to,
        status=OrderStatus.ACCEPTED if started else OrderStatus.NEW,
        accepted_on=started,
        created_by=target.user,
    )


def _closure(item: dict, person: Person, case: Case, target: Target) -> Closure:
    closed = _day(item["closed_on"])
    closure = Closure.objects.create(
        case=case,
        person=person,
        closed_on=closed,
        reason=item["reason"],
        reason_text=(item.get("reason_text") or "").strip(),
        occupation=item["occupation"],
        isolation=item["isolation"],
        follow_up_consent=item["follow_up_consent"],
        closed_by=target.user,
    )
    case.status, case.closed_on = CaseStatus.CLOSED, closed
    case.save(update_fields=["status", "closed_on", "last_entry_at"])
    Order.objects.filter(case=case).exclude(status=OrderStatus.ENDED).update(
        status=OrderStatus.ENDED
    )
    if item["follow_up_consent"]:
        given = {f["months"]: f for f in item.get("follow_ups", [])}
        FollowUp.objects.bulk_create(
            _follow_up(closure, person, months, given.get(months), target) for months in (6, 12)
        )
    return closure


def _follow_up(closure: Closure, person: Person, months: int, given: dict | None, target):
    follow = FollowUp(
        closure=closure,
        person=person,
        months=months,
        due_on=closure.closed_on + relativedelta(months=months),
    )
    if given:
        follow.status = given["status"]
        follow.done_on = _day(given.get("done_on"))
        follow.occupation = given.get("occupation", "") or ""
        follow.isolation = given.get("isolation", "") or ""
        follow.recorded_by = target.user
    return follow

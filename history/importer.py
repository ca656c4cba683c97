"""History import: a service's history from an earlier system, one JSON object per line.

The format is documented in docs/import-format.md. Each line's form is checked before it is
loaded (`checking`, `validate_file`: types, dates, choices, ids), as the load reads the lines
batch by batch, and the lines are loaded in one transaction (`load`). The load goes through
the same actions as the pages and the API (`create_intake`, `issue_decision`, `accept_order`,
`close_case`, …) with `history=True`, which relaxes only the rules that bind new work
(communication before a rejection, delegation, a letter, a coordinator named) and lets what the
earlier system never recorded be unknown. So every rule of the journey has one home, and the
report counts imported history like history kept in Brygga.

Ids belong to their source (`Target.source`): a re-import of a source's file adds what is new,
corrects what changed (listed old → new) and leaves the rest.
"""

from __future__ import annotations

import datetime
import functools
import gc
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit.events import Access, combined, log_accesses, one_entry_per_person
from audit.models import Action
from core.background import background
from core.bulk import unsaved
from core.choices import UNKNOWN, values_of
from core.lookups import among
from core.planner import index_lookups
from decisions.actions import (
    correct_history_decision,
    create_application,
    issue_decision,
)
from decisions.models import Decision, DecisionKind, Outcome
from history.models import ImportedRecord, ImportRun
from intake.actions import close_intake, correct_history_intake, create_intake
from intake.models import Channel, Intake, IntakeOutcome, Source
from organisation.models import SupportKind, Unit
from organisation.permissions import may_take_intakes, require
from people.identity import RESERVE, parse_identity_number, sex_from_number
from people.models import Case, CaseStatus, Person, Sex
from provision.actions import accept_order, correct_history_order, order_unit_ids
from provision.closure import (
    FOLLOW_UP_MONTHS,
    close_case,
    correct_history_closure,
    record_follow_up,
)
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

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from history.batch import Batches


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


def _choice(
    errors: list, obj: dict, key: str, path: str, choices, *, optional: bool = False
) -> str | None:
    """A stored choice value. `optional`: missing means unknown (never invented)."""
    value = obj.get(key)
    if optional and value in (None, ""):
        obj[key] = UNKNOWN
        return UNKNOWN
    if value not in values_of(choices):
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
    if obj.get("unidentified") is True:
        _check_unidentified(errors, obj)
        return
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
    if obj.get("sex", "") not in ("", *values_of(Sex)):
        errors.append("sex: " + _("must be F, M or X"))


def _check_unidentified(errors: list, obj: dict) -> None:
    """A line of intakes that never identified anyone: no person, so no decision or closure."""
    for key in ("id", "personal_number", "reserve_number", "first_name", "last_name"):
        if obj.get(key):
            errors.append(f"{key}: " + _("an unidentified line names no person"))
    for key in ("decisions", "closure"):
        if obj.get(key):
            errors.append(f"{key}: " + _("an unidentified line holds intakes only"))
    if not obj.get("intakes"):
        errors.append("intakes: " + _("missing"))


def _check_intake(errors: list, item: dict, path: str, today) -> None:
    _text(errors, item, "id", path, required=True, limit=90)
    received = _date(errors, item, "received_on", path, required=True, today=today)
    closed = _date(errors, item, "closed_on", path, required=False, today=today)
    _choice(errors, item, "source", path, Source)
    _choice(errors, item, "channel", path, Channel, optional=True)
    _choice(errors, item, "outcome", path, IntakeOutcome)
    _text(errors, item, "reason", path, required=False, limit=2000)
    _text(errors, item, "person_description", path, required=False, limit=300)
    if received and closed and closed < received:
        errors.append(f"{path}closed_on: " + _("before received_on"))


def _check_decision(errors: list, item: dict, path: str, today) -> None:
    """The form of a decision; its rules are `decisions.actions.validate_decision`'s (load)."""
    _text(errors, item, "id", path, required=True, limit=28)
    _date(errors, item, "decided_on", path, required=True, today=datetime.date.max)
    _date(errors, item, "applied_on", path, required=False, today=today)
    outcome = _choice(errors, item, "outcome", path, Outcome)
    _text(errors, item, "reasons", path, required=False, limit=5000)
    _date(errors, item, "period_from", path, required=False, today=datetime.date.max)
    _date(errors, item, "period_to", path, required=False, today=datetime.date.max)
    started = _date(errors, item, "started_on", path, required=False, today=today)
    if started and outcome == Outcome.REJECTION:
        errors.append(f"{path}started_on: " + _("a rejected decision starts no support"))
    if "kind" in item:
        _choice(errors, item, "kind", path, DecisionKind)


def _check_closure(errors: list, item: dict, obj: dict, today) -> None:
    """The form of a closure; its rules are `provision.closure.close_case`'s (load)."""
    path = "closure."
    _date(errors, item, "closed_on", path, required=True, today=today)
    _choice(errors, item, "reason", path, ClosureReason, optional=True)
    _text(errors, item, "reason_text", path, required=False, limit=2000)
    _choice(errors, item, "occupation", path, Occupation, optional=True)
    _choice(errors, item, "isolation", path, Isolation, optional=True)
    if item.get("follow_up_consent") not in (True, False, None):
        errors.append(f"{path}follow_up_consent: " + _("must be true, false or null"))
    follow_ups = _list(errors, item, "follow_ups")
    months_seen = set()
    for index, follow in enumerate(follow_ups):
        fpath = f"{path}follow_ups[{index}]."
        if follow.get("months") not in FOLLOW_UP_MONTHS or follow.get("months") in months_seen:
            months = " ".join(str(m) for m in FOLLOW_UP_MONTHS)
            errors.append(f"{fpath}months: " + _("one of %(months)s, once") % {"months": months})
        months_seen.add(follow.get("months"))
        status = _choice(errors, follow, "status", fpath, FollowUpStatus)
        _date(errors, follow, "done_on", fpath, required=status == "done", today=today)
        if status == FollowUpStatus.DONE:
            _choice(errors, follow, "occupation", fpath, Occupation, optional=True)
            _choice(errors, follow, "isolation", fpath, Isolation, optional=True)
    if follow_ups and item.get("follow_up_consent") is not True:
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
    if not obj.get("unidentified"):
        yield "person", str(obj.get("id"))
    for item in obj.get("intakes", []):
        yield "intake", str(item.get("id"))
    for item in obj.get("decisions", []):
        yield "decision", str(item.get("id"))


def validate_file(lines: Iterable[str], today: datetime.date | None = None) -> Checked:
    """Every line checked; a rejection names the line number and each reason."""
    checked = Checked()
    checked.rows = list(checking(lines, checked, today))
    return checked


def checking(
    lines: Iterable[str], checked: Checked, today: datetime.date | None = None
) -> Iterator[Row]:
    """The valid rows, each line checked as it is asked for, as `validate_file` checks them
    (its form, then its ids and number against the lines before it); `checked` counts the
    lines read and holds the rejections so far. The import reads a batch's rows while the
    previous batch is written (`load`), so that checking a file costs the database no wait."""
    today = today or timezone.localdate()
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
            yield Row(number, obj)


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


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector runs less often inside the block: its passes cost more
    with every object alive (a file's lines, a batch's rows), and made a quarter of an import's
    CPU. What is alive before is frozen out of its passes; cycles are still collected."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# Loading


@dataclass
class Target:
    """Where imported records go, the source their ids belong to, and who records them."""

    user: User
    authority_unit: Unit
    support_kind: SupportKind
    provider_unit: Unit
    source: str = "legacy"


@dataclass
class Loaded:
    """What a load did: counts by kind, the corrections (old → new), the lines refused."""

    counts: dict[str, int]
    changes: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


COUNTED = ("person", "joined", "intake", "decision", "order", "closure", "corrected", "unchanged")


def check_user(target: Target) -> None:
    """The importing user does the authority's and the provider's work of the history, so
    the same permissions as on the pages: refused before anything is loaded."""
    require(
        may_take_intakes(target.user, target.authority_unit)
        and target.provider_unit.pk in order_unit_ids(target.user),
        _(
            "The importing user must be an officer or manager of the authority unit and a "
            "manager or coordinator of the provider unit."
        ),
    )


@transaction.atomic
def load(
    rows: Iterable[Row],
    target: Target,
    *,
    file_name: str,
    file_sha256: str,
    lines: int,
    rejected: int,
    progress: Callable[[int], None] | None = None,
    batched: bool = True,
    checked: Checked | None = None,
) -> Loaded:
    """Load every row: a row the rules refuse is left out alone and named in `rejections`
    (the caller decides whether the rest is kept). `rows` may be read as they are checked
    (`checking`, with `checked` given: the run's lines and rejected lines are then counted
    from it once every row is read, in place of `lines` and `rejected`). `progress` is told
    how many rows were loaded after each batch.

    Rows that only add (a new person, ids new to the source) are loaded in batches
    (`history.batch`), rows whose records all came from the source before are compared and
    corrected in batches (`history.reimport`); the others, and all of them with
    `batched=False`, one at a time through the actions, each in a savepoint. Both give the
    same records and the same access-log entries."""
    check_user(target)
    run = ImportRun.objects.create(
        source=target.source,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        by=target.user,
        lines=lines,
        rejected=rejected,
    )
    from history.batch import Batches, sizes  # they build on this module
    from history.reimport import Reimport

    loader = Loader(target, run, {})
    batches = Batches(loader)
    reimport = Reimport(loader, batches.cited_on)
    source, batch_sizes = iter(rows), sizes()

    def take() -> list[Row]:
        return list(itertools.islice(source, next(batch_sizes)))

    chunk = take()
    following = take() if chunk else []
    done = 0
    # The tables grow by thousands of rows the planner's statistics cannot see yet.
    with index_lookups(), background() as writer:
        fast, slow = _split(chunk, loader, batches, batched)
        planned = batches.plan_lines(fast)
        while chunk:
            # The next batch is read before this one's write starts and worked out while it
            # runs (`core.background`): the database and Python then work at the same time.
            # What its reads cannot see of this write yet (a number) `split` knows by the lines.
            next_fast, next_slow = _split(following, loader, batches, batched)
            if planned.plans:
                writer.start(batches.write_planned, planned)
            next_planned = batches.plan_lines(next_fast)
            after = take() if following else []  # checked while the batch is written
            if not planned.plans or writer.wait():
                batches.record(planned)
            else:
                slow = chunk  # refused by the database as a batch: one by one, to name the line
            if batched:
                known, slow = reimport.split(slow)
                if known:
                    slow = sorted(reimport.load(known) + slow, key=lambda row: row.line)
            for row in slow:
                loader.one(row)
            done += len(chunk)
            if progress:
                progress(done)
            chunk, following, planned, slow = following, after, next_planned, next_slow
    if checked is not None:
        run.lines, rejected = checked.lines, len(checked.rejections)
    run.created = loader.result.counts
    run.rejected = rejected + len(loader.result.rejections)
    run.changes = loader.result.changes
    run.save(update_fields=["lines", "created", "rejected", "changes"])
    return loader.result


def _split(
    chunk: list[Row], loader: Loader, batches: Batches, batched: bool
) -> tuple[list[Row], list[Row]]:
    """A batch's reads before its lines are worked out: what came from the source before, and
    which lines only add (written in batches) and which go one by one."""
    if not chunk:
        return [], []
    loader.known.update(_known(chunk, loader.target.source))
    return batches.split(chunk) if batched else ([], chunk)


def _known(rows: list[Row], source: str) -> dict[tuple[str, str], str]:
    keys = {key for row in rows for key in _ids(row.data)}
    keys |= {(kind, str(row.data.get("id"))) for row in rows for kind in ("closure", "case")}
    records = ImportedRecord.objects.filter(
        among("external_id", {k[1] for k in keys}), source=source
    )
    return {(r.kind, r.external_id): r.object_id for r in records}


def _day(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# The file's names for what the actions call otherwise (a refusal names the file's field).
FILE_FIELDS = {"accepted_on": "started_on", "outcome_reason": "reason"}


class Loader:
    """Loads one row at a time through the actions; remembers what came from where."""

    def __init__(self, target: Target, run: ImportRun, known: dict) -> None:
        self.target, self.run, self.known = target, run, known
        self.user = target.user
        self.result = Loaded(counts=dict.fromkeys(COUNTED, 0))
        self.path = ""

    def one(self, row: Row) -> None:
        """Load one row in a savepoint; a refused row is named and leaves nothing, neither
        records nor counts nor corrections."""
        counts, changes, known = (
            dict(self.result.counts),
            len(self.result.changes),
            dict(self.known),
        )
        try:
            with transaction.atomic(), self.one_entry_per_person():
                self.row(row.data)
        except ValidationError as error:
            self.result.rejections.append(Rejection(row.line, self.where(error)))
            self.result.counts, self.known = counts, known
            del self.result.changes[changes:]

    # Bookkeeping

    def one_entry_per_person(self) -> AbstractContextManager[None]:
        """What the block logs is written as one entry per person, naming this run."""
        return one_entry_per_person(user=self.user, record_type=LOGGED_AS, record_id=self.run.pk)

    def combined(self, accesses: list[Access]) -> list[Access]:
        """One line's accesses as `one_entry_per_person` writes them (a batch's lines)."""
        return combined(accesses, record_type=LOGGED_AS, record_id=self.run.pk)

    def where(self, error: ValidationError) -> str:
        if not hasattr(error, "error_dict"):
            where = self.path.rstrip(".")
            return "; ".join(f"{where}: {m}" if where else m for m in error.messages)
        return "; ".join(
            f"{self.path}{FILE_FIELDS.get(name, name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )

    def remember(self, kind: str, external_id: str, pk) -> None:
        ImportedRecord.objects.create(
            run=self.run,
            source=self.target.source,
            kind=kind,
            external_id=external_id,
            object_id=str(pk),
        )
        self.known[(kind, external_id)] = str(pk)

    def recorded(self, kind: str, external_id: str):
        return self.known.get((kind, str(external_id)))

    def correct(self, label: str, record, wanted: dict) -> dict:
        """The fields of `wanted` that differ from the record, listed old → new."""
        changes, listed = differences(label, record, wanted)
        self.result.changes += listed
        self.result.counts["corrected" if changes else "unchanged"] += 1
        return changes

    # One line

    def row(self, obj: dict) -> None:
        self.path = ""
        if obj.get("unidentified"):
            for index, item in enumerate(obj["intakes"]):
                self.path = f"intakes[{index}]."
                self.intake(item, None, None)
            return
        pid = str(obj["id"])
        person = self.person(obj, pid)
        case, created_case = self.case(obj, pid, person)
        for index, item in enumerate(obj.get("intakes", [])):
            self.path = f"intakes[{index}]."
            self.intake(item, person, case)
        decisions = sorted(enumerate(obj.get("decisions", [])), key=lambda d: d[1]["decided_on"])
        for index, item in decisions:
            self.path = f"decisions[{index}]."
            self.decision(item, person, case)
        self.path = "closure."
        closure = obj.get("closure")
        if closure:
            self.closure(closure, pid, case)
        elif created_case:
            _close_if_nothing_ongoing(obj, case)

    # People and cases

    def person(self, obj: dict, pid: str) -> Person:
        recorded = self.recorded("person", pid)
        if recorded is not None:
            person = Person.objects.get(pk=recorded)
            return person.merged_into or person
        person, created = _person(obj)
        self.remember("person", pid, person.pk)
        self.result.counts["person" if created else "joined"] += 1
        if created:
            log_accesses(
                user=self.user,
                accesses=[Access(person.pk, "person", person.pk, Action.CREATE, detail="import")],
            )
        return person

    def case(self, obj: dict, pid: str, person: Person) -> tuple[Case, bool]:
        """The case the line's history belongs to: the one it went to before; else the
        person's open case in the unit, which the history joins (unless the history ended
        before that case began: then it is an earlier episode, a case of its own)."""
        recorded = self.recorded("case", pid)
        if recorded is not None:
            return Case.objects.get(pk=recorded), False
        first = _first_date(obj)
        unit = self.target.authority_unit
        open_case = Case.objects.filter(
            person=person, authority_unit=unit, status=CaseStatus.OPEN
        ).first()
        ended = _day((obj.get("closure") or {}).get("closed_on"))
        if open_case is not None and not (ended and ended < open_case.opened_on):
            if first < open_case.opened_on:
                open_case.opened_on = first
                open_case.save(update_fields=["opened_on", "last_entry_at"])
            self.remember("case", pid, open_case.pk)
            return open_case, False
        case = Case.objects.create(
            person=person, authority_unit=unit, status=CaseStatus.OPEN, opened_on=first
        )
        log_accesses(
            user=self.user,
            accesses=[Access(person.pk, "case", case.pk, Action.CREATE, detail="import")],
        )
        self.remember("case", pid, case.pk)
        return case, True

    # Intakes

    def intake(self, item: dict, person: Person | None, case: Case | None) -> None:
        wanted = intake_wanted(item)
        received = wanted["received_on"]
        recorded = self.recorded("intake", item["id"])
        if recorded is not None:
            intake = Intake.objects.get(pk=recorded)
            changes = self.correct(f"intake {item['id']}", intake, wanted)
            if changes:
                correct_history_intake(user=self.user, intake=intake, changes=changes)
            return
        intake = create_intake(
            user=self.user,
            unit=self.target.authority_unit,
            data={
                "received_on": received,
                "channel": wanted["channel"],
                "source": wanted["source"],
                "person": person,
                "case": case,
                "person_description": (item.get("person_description") or "").strip(),
                "triaged": True,
            },
            history=True,
        )
        close_intake(
            user=self.user,
            intake=intake,
            outcome=wanted["outcome"],
            reason=wanted["outcome_reason"],
            closed_on=wanted["closed_on"],
            history=True,
        )
        self.remember("intake", str(item["id"]), intake.pk)
        self.result.counts["intake"] += 1

    # Decisions and the start of support

    def decision(self, item: dict, person: Person, case: Case) -> None:
        wanted = decision_wanted(item)
        recorded = self.recorded("decision", item["id"])
        if recorded is not None:
            self.correct_decision(item, Decision.objects.get(pk=recorded), wanted)
            return
        kind = self.target.support_kind
        application = create_application(
            user=self.user,
            person=person,
            case=case,
            support_kind=kind,
            applied_on=_day(item.get("applied_on")) or wanted["decided_on"],
            form="written",
            what=RECORDED,
        )
        decision_kind, replaces = _replaces(item, person, kind, wanted["decided_on"])
        decision = issue_decision(
            officer=self.user,
            application=application,
            outcome=item["outcome"],
            content=(item.get("content") or "").strip() or RECORDED,
            kind=decision_kind,
            replaces=replaces,
            provider_unit=self.target.provider_unit,
            history_number=f"H-{self.target.source}-{item['id']}",
            **wanted,
        )
        self.remember("decision", str(item["id"]), decision.pk)
        self.result.counts["decision"] += 1
        order = Order.objects.filter(decision=decision).first()
        if order is None:
            return
        self.result.counts["order"] += 1
        started = _day(item.get("started_on"))
        if started:
            accept_order(user=self.user, order=order, coordinator=None, today=started, history=True)

    def correct_decision(self, item: dict, decision: Decision, wanted: dict) -> None:
        label = f"decision {item['id']}"
        if item["outcome"] != decision.outcome:
            raise ValidationError(
                {"outcome": [_("an outcome cannot be corrected by import; correct it by hand")]}
            )
        applied = _day(item.get("applied_on")) or wanted["decided_on"]
        changes = self.correct(label, decision, wanted)
        application = decision.application
        if application.applied_on != applied:
            self.result.changes.append(
                f"{label}.applied_on: {_shown(application.applied_on)} → {_shown(applied)}"
            )
            if not changes:
                self.result.counts["unchanged"] -= 1
                self.result.counts["corrected"] += 1
        if changes or application.applied_on != applied:
            correct_history_decision(
                officer=self.user,
                decision=decision,
                changes=changes,
                applied_on=applied if application.applied_on != applied else None,
            )
        order = Order.objects.filter(decision=decision).first()
        if order is not None:
            self.correct_order(label, order, item, wanted)

    def correct_order(self, label: str, order: Order, item: dict, wanted: dict) -> None:
        started = _day(item.get("started_on"))
        fields = order_wanted(item, wanted)
        if all(getattr(order, name) == value for name, value in fields.items()):
            return
        if order.accepted_on != started:
            self.result.changes.append(
                f"{label}.started_on: {_shown(order.accepted_on)} → {_shown(started)}"
            )
        correct_history_order(user=self.user, order=order, **fields)

    # Closure and follow-ups

    def closure(self, item: dict, pid: str, case: Case) -> None:
        wanted = closure_wanted(item)
        recorded = self.recorded("closure", pid)
        if recorded is not None:
            closure = Closure.objects.get(pk=recorded)
            changes = self.correct(f"closure {pid}", closure, wanted)
            if changes:
                correct_history_closure(user=self.user, closure=closure, changes=changes)
        else:
            closure = close_case(user=self.user, case=case, history=True, **wanted)
            self.remember("closure", pid, closure.pk)
            self.result.counts["closure"] += 1
        for index, follow in enumerate(item.get("follow_ups", [])):
            self.path = f"closure.follow_ups[{index}]."
            self.follow_up(pid, closure, follow)

    def follow_up(self, pid: str, closure: Closure, given: dict) -> None:
        follow = FollowUp.objects.get(closure=closure, months=given["months"])
        wanted = follow_up_wanted(given)
        if follow.status != FollowUpStatus.PENDING:
            label = f"closure {pid}.follow_up {given['months']}"
            if not self.correct(label, follow, wanted):
                return
        record_follow_up(user=self.user, follow_up=follow, history=True, **wanted)


# How the access log names what an imported line made: one entry per person, about the run
# (audit.events.one_entry_per_person), by the batches, one line at a time and the re-import.
LOGGED_AS = "history_import"
RECORDED = "Recorded from an earlier system."  # stored text, not shown as a UI message


# What a line's records should hold, compared with what they hold on a re-import (here and in
# `history.reimport`, which compares a batch at once).


def differences(label: str, record, wanted: dict) -> tuple[dict, list[str]]:
    """The fields of `wanted` that differ from the record, and each listed old → new."""
    changes = {name: value for name, value in wanted.items() if getattr(record, name) != value}
    listed = [
        f"{label}.{name}: {_shown(getattr(record, name))} → {_shown(value)}"
        for name, value in changes.items()
    ]
    return changes, listed


def intake_wanted(item: dict) -> dict[str, Any]:
    received = _day(item["received_on"])
    return {
        "received_on": received,
        "closed_on": _day(item.get("closed_on")) or received,
        "source": item["source"],
        "channel": item["channel"],
        "outcome": item["outcome"],
        "outcome_reason": (item.get("reason") or "").strip() or not_recorded(),
    }


def not_recorded() -> str:
    """The stored reason of an intake the file gives none (translated once per language: a
    gettext per line was a tenth of a re-import's time)."""
    return _not_recorded(get_language())


@functools.lru_cache
def _not_recorded(language: str) -> str:
    return _("Not recorded in the earlier system.")


def decision_wanted(item: dict) -> dict[str, Any]:
    return {
        "decided_on": _day(item["decided_on"]),
        "reasons": (item.get("reasons") or "").strip(),
        "period_from": _day(item.get("period_from")),
        "period_to": _day(item.get("period_to")),
    }


def order_wanted(item: dict, decision: dict) -> dict[str, Any]:
    """The order of a decision (`decision_wanted`) follows it and the start of support."""
    return {
        "accepted_on": _day(item.get("started_on")),
        "period_from": decision["period_from"],
        "period_to": decision["period_to"],
    }


def closure_wanted(item: dict) -> dict[str, Any]:
    return {
        "closed_on": _day(item["closed_on"]),
        "reason": item["reason"],
        "reason_text": (item.get("reason_text") or "").strip(),
        "occupation": item["occupation"],
        "isolation": item["isolation"],
        "follow_up_consent": item.get("follow_up_consent"),
    }


def follow_up_wanted(given: dict) -> dict[str, Any]:
    done = given["status"] == FollowUpStatus.DONE
    return {
        "status": given["status"],
        "done_on": _day(given.get("done_on")),
        "occupation": given.get("occupation", "") if done else "",
        "isolation": given.get("isolation", "") if done else "",
    }


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _person(obj: dict) -> tuple[Person, bool]:
    """The person with the line's number if already in Brygga (their history joins what
    exists), else a new person."""
    person = new_person(obj)
    if person.personal_number:
        existing = Person.objects.filter(personal_number=person.personal_number).first()
    else:
        existing = Person.objects.filter(reserve_number=person.reserve_number).first()
    if existing is not None:
        return existing.merged_into or existing, False
    person.save(force_insert=True)
    return person, True


def new_person(obj: dict) -> Person:
    """The person a line registers (not saved)."""
    parsed = obj.get("_number")
    if parsed is not None:
        values = {
            "personal_number": parsed.digits,
            "number_kind": parsed.kind,
            "birth_date": parsed.birth_date,
            # What the old system recorded as stated stands; only a blank is read from the number.
            "sex": obj.get("sex") or sex_from_number(parsed.digits),
        }
    else:
        values = {
            "reserve_number": obj["reserve_number"],
            "number_kind": RESERVE,
            "sex": obj.get("sex") or Sex.OTHER,
        }
    return unsaved(  # as Person(...), in a fraction of the time: one per line
        Person,
        **values,
        first_name=obj["first_name"].strip(),
        last_name=obj["last_name"].strip(),
        municipality=str(obj.get("municipality", ""))[:100],
    )


def _first_date(obj: dict) -> datetime.date:
    days = [i["received_on"] for i in obj.get("intakes", [])]
    days += [d.get("applied_on") or d["decided_on"] for d in obj.get("decisions", [])]
    return datetime.date.fromisoformat(min(days)) if days else timezone.localdate()


def _replaces(item: dict, person: Person, kind: SupportKind, decided: datetime.date):
    """A renewal or change refers to the person's latest earlier decision (else it is new)."""
    decision_kind = item.get("kind", DecisionKind.NEW)
    if decision_kind == DecisionKind.NEW:
        return decision_kind, None
    replaces = (
        Decision.objects.filter(person=person, support_kind=kind, decided_on__lte=decided)
        .order_by("-decided_on", "-created_at")
        .first()
    )
    return (decision_kind if replaces else DecisionKind.NEW), replaces


def _close_if_nothing_ongoing(obj: dict, case: Case) -> None:
    """A case the import opened, with no order under way and no closure, is closed on its
    last date (an earlier system's case that simply ended)."""
    ongoing = Order.objects.filter(case=case).exclude(status=OrderStatus.ENDED).exists()
    if ongoing or case.status == CaseStatus.CLOSED:
        return
    days = [i.get("closed_on") or i["received_on"] for i in obj.get("intakes", [])]
    days += [d["decided_on"] for d in obj.get("decisions", [])]
    if not days:
        return
    case.status, case.closed_on = CaseStatus.CLOSED, datetime.date.fromisoformat(max(days))
    case.save(update_fields=["status", "closed_on", "last_entry_at"])

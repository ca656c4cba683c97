"""The history import in batches: lines that only add are written with one insert per model.

A line only adds when its person is new to Brygga (no one has its number) and none of its ids
was imported from the source before; such lines are most of a first import. Each is worked out
in memory in the order `Loader.row` takes it, through the rules the actions call
(`refuse_closing`, `refuse_no_decision`, `validate_decision`, `refuse_start_before_decision`,
`closure_errors`, `refuse_closing_before_start`, `fill_follow_up`, the permissions of
`organisation.permissions` with `people.access.access_levels`), so that a refused line is
named with the same reason as one by one. The lines kept are then written per batch: one
`bulk_create` per model, one access-log write with the same entries as one by one (an entry
per person and line, `Loader.combined`).

Every other line (an existing person's history joining their case, a corrected re-import) goes
through `Loader.row` and the actions themselves; so does a whole batch the database refuses
(a decision number already taken, say), line by line, so that the refused line is named.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit.events import Access, Ready, append_ready, chain_in_use, prepare_accesses
from audit.models import Action
from core.bulk import Prepared, insert_prepared, prepare, prepare_values, unsaved
from core.lookups import among
from decisions.actions import refuse_no_decision, require_authority_work, validate_decision
from decisions.models import (
    Application,
    Decision,
    DecisionKind,
    LegalBasis,
    Outcome,
    citing,
)
from history.importer import (
    RECORDED,
    Loader,
    Rejection,
    Row,
    _day,
    _first_date,
    _ids,
    new_person,
    not_recorded,
)
from history.models import ImportedRecord
from intake.actions import refuse_closing
from intake.models import Intake, IntakeStatus
from organisation.permissions import Level, may_take_intakes
from people.access import access_levels
from people.models import Case, CaseStatus, Person
from provision.actions import order_unit_ids, refuse_start_before_decision
from provision.closure import (
    closure_errors,
    fill_follow_up,
    follow_ups_due,
    refuse_closing_before_start,
    require_provider_work,
)
from provision.models import Closure, FollowUp, FollowUpStatus, Order, OrderStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

# Lines per batch: one insert per model each. The first batches are smaller (`sizes`), so that
# the database starts writing after a few lines are worked out rather than a whole batch.
BATCH = 2000
FIRST = 250


def sizes(batch: int | None = None) -> Iterator[int]:
    """How many lines each batch takes, in order: FIRST, then twice as many each time up to
    `batch` (BATCH), which every later one takes. The first batch is worked out while the
    database waits; each next one while the previous one is written, so that the two take
    about as long (bench/README.md, "The history import at 2,000 a second")."""
    batch = batch or BATCH
    size = min(FIRST, batch)
    while True:
        yield size
        size = min(size * 2, batch)


@dataclass
class Plan:
    """What one line creates, unsaved, in the order the actions would create it."""

    line: int
    rows: dict[type, list] = field(default_factory=dict)
    accesses: list[Access] = field(default_factory=list)
    records: list[tuple[str, str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    authority_work: Person | None = None  # the person whose applications need write access
    provider_work: Person | None = None  # the person whose closure needs write access

    def add(self, obj: Any) -> Any:
        self.rows.setdefault(type(obj), []).append(obj)
        return obj


@dataclass
class Planned:
    """A batch's lines worked out: the plans to write, the lines the rules refused."""

    plans: list[Plan] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # What is written, read from the plans once they are all made (`Batches.prepare`).
    rows: dict[type[Model], Prepared] = field(default_factory=dict)
    records: Prepared = field(default_factory=lambda: Prepared(ImportedRecord, ()))
    accesses: Ready = field(default_factory=lambda: Ready([]))
    # The access the actions ask of the user: the batch's people, and each check a line asks
    # (`require_authority_work` or `require_provider_work`) with the id of its person.
    people: list[Person] = field(default_factory=list)
    checks: list[tuple[Callable[[Any, Level], None], Any]] = field(default_factory=list)


@contextmanager
def checked_at_once() -> Iterator[None]:
    """On PostgreSQL, the foreign keys of the rows written in the block are checked as each
    insert ends instead of at the commit (Django makes them deferred): a batch's checks then
    run while the next batch is worked out, not all after the last one. The rows are inserted
    in the order of their keys (`MODELS`), so each finds what it points to. After an error the
    savepoint's rollback restores the deferred checking by itself."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's (every key is deferrable)


# Models in the order they are inserted (a row's foreign keys point to those before it).
MODELS: tuple[type[Model], ...] = (
    Person,
    Case,
    Intake,
    Application,
    Decision,
    Order,
    Closure,
    FollowUp,
)


class Batches:
    """Splits each batch into the lines that only add and the others, and writes the first."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.target = loader.target
        self.user = loader.user
        kind = self.target.support_kind
        # What the actions check of the target is the same for every line: where it would
        # refuse, every line goes one by one and is refused there, with its reason.
        self.enabled = (
            kind.needs_decision
            and kind.provider_units.filter(pk=self.target.provider_unit.pk).exists()
            and self.target.provider_unit.pk in order_unit_ids(self.user)  # may_accept
            and may_take_intakes(self.user, self.target.authority_unit)  # create_intake
        )
        bases = list(LegalBasis.objects.all())
        # Asked twice per decision, of days that repeat: worked out once per day.
        self.cited_on = functools.cache(lambda day: citing(day, bases=bases)["cites"])
        # The numbers of every line split so far: a later line with one of them joins that
        # person one by one, even while the earlier line's batch is still being written.
        self.seen: set[str] = set()
        self.today = timezone.localdate()

    # Which lines only add

    def split(self, rows: list[Row]) -> tuple[list[Row], list[Row]]:
        if not self.enabled:
            return [], rows
        numbers = {r.data["_number"].digits for r in rows if r.data.get("_number")}
        reserves = [r.data["reserve_number"] for r in rows if self._reserve(r)]
        people = Person.objects.values_list
        taken = set(people("personal_number", flat=True).filter(among("personal_number", numbers)))
        taken |= set(people("reserve_number", flat=True).filter(among("reserve_number", reserves)))
        fast, slow = [], []
        seen = self.seen
        for row in rows:
            number = self._number(row)
            # A reserve number on two lines: the second joins the first's person, one by one.
            if self._known(row) or number in taken or number in seen:
                slow.append(row)
            else:
                fast.append(row)
            if number:
                seen.add(number)
        return fast, slow

    @staticmethod
    def _reserve(row: Row) -> bool:
        return not row.data.get("unidentified") and not row.data.get("_number")

    def _number(self, row: Row) -> str | None:
        if row.data.get("unidentified"):
            return None
        parsed = row.data.get("_number")
        return parsed.digits if parsed is not None else row.data["reserve_number"]

    def _known(self, row: Row) -> bool:
        keys = list(_ids(row.data))
        if not row.data.get("unidentified"):
            pid = str(row.data.get("id"))
            keys += [("case", pid), ("closure", pid)]
        return any(self.loader.recorded(kind, ext) is not None for kind, ext in keys)

    # Loading

    def load(self, rows: list[Row]) -> bool:
        """Work out and write the lines; False when the database refused the batch (nothing
        of it is then written, and the caller loads its lines one by one)."""
        planned = self.plan_lines(rows)
        written = self.write_planned(planned)
        if written:
            self.record(planned)
        return written

    def plan_lines(self, rows: list[Row]) -> Planned:
        """Each line worked out in memory, or refused with its reason: no query, so that it can
        run while another batch is written (`history.importer.load`)."""
        planned = Planned()
        self.today = timezone.localdate()  # validate_decision's, once for the batch
        for row in rows:
            try:
                planned.plans.append(self.plan(row))
            except ValidationError as error:
                planned.rejections.append(Rejection(row.line, self.loader.where(error)))
        self.prepare(planned)
        return planned

    def prepare(self, planned: Planned) -> None:
        """The rows of every model and the records of what came from where, formatted for COPY
        (`core.bulk.prepare`), the access-log entries of the batch and the access checks its
        lines ask for, read from its plans: here rather than in the write, so that it is done
        while the previous batch is written, and the writing thread, which shares the
        interpreter with this one, only sends bytes and waits for the database (issue 17)."""
        plans = planned.plans
        for model in MODELS:
            planned.rows[model] = prepare(model, [r for p in plans for r in p.rows.get(model, [])])
        run, source = self.loader.run.pk, self.target.source
        planned.records = prepare_values(
            ImportedRecord,
            ("run_id", "source", "kind", "external_id", "object_id"),
            [(run, source, kind, key, str(obj.pk)) for p in plans for kind, key, obj in p.records],
        )
        # Hashed but for the links, for the chain this import's transaction already holds
        # from its previous batch (on the first, the entries are made when written).
        combined = self.loader.combined
        planned.accesses = prepare_accesses(
            user=self.user,
            accesses=[a for p in plans for a in combined(p.accesses)],
            chain=chain_in_use(),
        )
        planned.people = [person for p in plans for person in p.rows.get(Person, [])]
        planned.checks = [check for p in plans for check in _checks(p)]

    def write_planned(self, planned: Planned) -> bool:
        """Write the lines worked out in one savepoint; False when the database refused them."""
        try:
            with transaction.atomic(), checked_at_once():
                self.write(planned)
        except (DatabaseError, ValidationError):
            return False
        return True

    def record(self, planned: Planned) -> None:
        """What a written batch adds to the load's result and to what came from where."""
        result = self.loader.result
        result.rejections.extend(planned.rejections)
        for plan in planned.plans:
            for kind, key, obj in plan.records:
                self.loader.known[(kind, key)] = str(obj.pk)
            for name, n in plan.counts.items():
                result.counts[name] += n

    def write(self, planned: Planned) -> None:
        for model in MODELS[:2]:
            insert_prepared(planned.rows[model])
        self._require_access(planned)
        for model in MODELS[2:]:
            insert_prepared(planned.rows[model])
        insert_prepared(planned.records)
        append_ready(planned.accesses)

    def _require_access(self, planned: Planned) -> None:
        """The access the actions ask of the user for each person (create_application and
        close_case), read for the whole batch once its people and cases are in. A check's
        answer depends only on the user and the level: each is asked once per level, in the
        order of the first line asking it, and refuses as the first line refused would."""
        levels = access_levels(self.user, planned.people)
        asked = set()
        for check, person_id in planned.checks:
            level = levels[person_id]
            if (check, level) not in asked:
                asked.add((check, level))
                check(self.user, level)

    # One line, as Loader.row

    def plan(self, row: Row) -> Plan:
        plan = Plan(row.line)
        obj = row.data
        loader = self.loader
        loader.path = ""
        if obj.get("unidentified"):
            for index, item in enumerate(obj["intakes"]):
                loader.path = f"intakes[{index}]."
                self.intake(plan, item, None, None)
            return plan
        pid = str(obj["id"])
        person = plan.add(new_person(obj))
        plan.records.append(("person", pid, person))
        plan.counts["person"] += 1
        plan.accesses.append(Access(person.pk, "person", person.pk, Action.CREATE, detail="import"))
        case = plan.add(
            unsaved(
                Case,
                person=person,
                authority_unit=self.target.authority_unit,
                status=CaseStatus.OPEN,
                opened_on=_first_date(obj),
            )
        )
        plan.accesses.append(Access(person.pk, "case", case.pk, Action.CREATE, detail="import"))
        plan.records.append(("case", pid, case))
        for index, item in enumerate(obj.get("intakes", [])):
            loader.path = f"intakes[{index}]."
            self.intake(plan, item, person, case)
        decisions = sorted(enumerate(obj.get("decisions", [])), key=lambda d: d[1]["decided_on"])
        for index, item in decisions:
            loader.path = f"decisions[{index}]."
            self.decision(plan, item, person, case)
        loader.path = "closure."
        closure = obj.get("closure")
        if closure:
            self.closure(plan, closure, pid, case)
        else:
            _close_if_nothing_ongoing(plan, obj, case)
        return plan

    def intake(self, plan: Plan, item: dict, person: Person | None, case: Case | None) -> None:
        """As `create_intake` and `close_intake` with `history=True` (the unit's permission
        is the same for every line: `may_take_intakes`, in `enabled`)."""
        received = _day(item["received_on"])
        assert received is not None  # required by the file's form
        reason = (item.get("reason") or "").strip() or not_recorded()
        refuse_closing(outcome=item["outcome"], reason=reason, referred_to=None, history=True)
        intake = plan.add(
            unsaved(
                Intake,
                unit=self.target.authority_unit,
                created_by=self.user,
                received_on=received,
                channel=item["channel"],
                source=item["source"],
                person=person,
                case=case,
                person_description=(item.get("person_description") or "").strip(),
                triaged=True,
                status=IntakeStatus.CLOSED,
                outcome=item["outcome"],
                outcome_reason=reason,
                referred_to=None,
                closed_on=_day(item.get("closed_on")) or received,
                closed_by=self.user,
                version=2,  # created, then closed: the change close_intake counts (`claim`)
            )
        )
        person_id = person.pk if person else None
        plan.accesses.append(Access(person_id, "intake", intake.pk, Action.CREATE))
        plan.accesses.append(Access(person_id, "intake", intake.pk, Action.UPDATE, detail="closed"))
        plan.records.append(("intake", str(item["id"]), intake))
        plan.counts["intake"] += 1

    def decision(self, plan: Plan, item: dict, person: Person, case: Case) -> None:
        """As `create_application`, `issue_decision` (with its order, GRANT_FOLLOWS) and
        `accept_order` with a history number."""
        kind = self.target.support_kind
        decided_on = _day(item["decided_on"])
        assert decided_on is not None  # required by the file's form
        plan.authority_work = person
        refuse_no_decision(kind)
        application = plan.add(
            unsaved(
                Application,
                person=person,
                case=case,
                support_kind=kind,
                applied_on=_day(item.get("applied_on")) or decided_on,
                form="written",
                what=RECORDED,
                created_by=self.user,
                # Its decision is inserted in the same batch, and the database's trigger would
                # mark it decided then (decisions.0010): written so at once, the trigger's
                # update finds nothing to rewrite (bench/README.md, the history import, 7 Dec).
                decided=True,
            )
        )
        plan.accesses.append(Access(person.pk, "application", application.pk, Action.CREATE))
        decision_kind, replaces = _replaces(plan, item, decided_on)
        reasons = (item.get("reasons") or "").strip()
        period_from, period_to = _day(item.get("period_from")), _day(item.get("period_to"))
        validate_decision(
            officer=self.user,
            application=application,
            outcome=item["outcome"],
            reasons=reasons,
            decided_on=decided_on,
            period_from=period_from,
            period_to=period_to,
            replaces=replaces,
            kind=decision_kind,
            history=True,
            cited_on=self.cited_on,
            today=self.today,
        )
        # A line's latest earlier decision is never one already replaced (the one replacing it
        # would be the latest), so `refuse_replaced` has nothing to refuse here.
        basis = self.cited_on(decided_on)
        assert basis is not None  # validate_decision refuses a date with no basis in force
        decision = plan.add(
            unsaved(
                Decision,
                number=f"H-{self.target.source}-{item['id']}",
                from_history=True,
                application=application,
                person=person,
                case=case,
                support_kind=kind,
                kind=decision_kind,
                replaces=replaces,
                decided_on=decided_on,
                outcome=item["outcome"],
                content=(item.get("content") or "").strip() or RECORDED,
                period_from=period_from,
                period_to=period_to,
                legal_basis=basis.citation,
                cites=basis,
                reasons=reasons,
                decided_by=self.user,
            )
        )
        plan.accesses.append(Access(person.pk, "decision", decision.pk, Action.CREATE))
        plan.records.append(("decision", str(item["id"]), decision))
        plan.counts["decision"] += 1
        if decision.outcome in (Outcome.GRANT, Outcome.PARTIAL):
            self.order(plan, decision, case, _day(item.get("started_on")))

    def order(
        self, plan: Plan, decision: Decision, case: Case, started: datetime.date | None
    ) -> None:
        """As `provision.actions.order_for_granted_decision` for a decision from history (a
        new order, the earlier one in force ended), then `accept_order` on `started`."""
        chain = {d.pk for d in decision.chain()}
        orders = plan.rows.get(Order, [])
        earlier = next(
            (
                o
                for o in reversed(orders)
                if o.decision_id in chain and o.status != OrderStatus.ENDED
            ),
            None,
        )
        person_id = decision.person_id
        if earlier is not None:
            earlier.status = OrderStatus.ENDED
            plan.accesses.append(Access(person_id, "order", earlier.pk, Action.UPDATE))
        order = plan.add(
            unsaved(
                Order,
                decision=decision,
                person_id=person_id,
                case=case,
                support_kind=decision.support_kind,
                provider_unit=self.target.provider_unit,
                period_from=decision.period_from,
                period_to=decision.period_to,
                created_by=self.user,
                replaces=earlier,
                status=OrderStatus.NEW,
            )
        )
        if case.provider_unit_id is None or case.status == CaseStatus.CLOSED:
            case.provider_unit, case.status = self.target.provider_unit, CaseStatus.OPEN
        plan.accesses.append(Access(person_id, "order", order.pk, Action.CREATE))
        plan.counts["order"] += 1
        if started:
            refuse_start_before_decision(order, started)
            order.status, order.accepted_on = OrderStatus.ACCEPTED, started
            plan.accesses.append(Access(person_id, "order", order.pk, Action.UPDATE))

    def closure(self, plan: Plan, item: dict, pid: str, case: Case) -> None:
        """As `provision.closure.close_case` and `record_follow_up` with `history=True`."""
        plan.provider_work = case.person
        values: dict[str, Any] = {
            "reason": item["reason"],
            "reason_text": (item.get("reason_text") or "").strip(),
            "occupation": item["occupation"],
            "isolation": item["isolation"],
            "follow_up_consent": item.get("follow_up_consent"),
        }
        errors = closure_errors(**values, history=True)
        if errors:
            raise ValidationError(errors)
        closed_on = _day(item["closed_on"])
        assert closed_on is not None  # required by the file's form
        orders = [o for o in plan.rows.get(Order, []) if o.case is case]
        starts = [o.accepted_on for o in orders if o.accepted_on is not None]
        refuse_closing_before_start(min(starts, default=None), closed_on)
        closure = plan.add(
            unsaved(
                Closure,
                case=case,
                person=case.person,
                closed_on=closed_on,
                closed_by=self.user,
                **values,
            )
        )
        case.status, case.closed_on = CaseStatus.CLOSED, closed_on
        ended = [o for o in orders if o.status != OrderStatus.ENDED]
        for o in ended:
            o.status = OrderStatus.ENDED
        follow_ups = follow_ups_due(closure, _follow_up) if closure.follow_up_consent else []
        for follow in follow_ups:
            plan.add(follow)
        person_id = case.person_id
        plan.accesses += [
            Access(person_id, "closure", closure.pk, Action.CREATE),
            Access(person_id, "case", case.pk, Action.UPDATE),
            *(Access(person_id, "order", o.pk, Action.UPDATE) for o in ended),
            *(Access(person_id, "follow_up", f.pk, Action.CREATE) for f in follow_ups),
        ]
        plan.records.append(("closure", pid, closure))
        plan.counts["closure"] += 1
        due = {f.months: f for f in follow_ups}
        for index, given in enumerate(item.get("follow_ups", [])):
            self.loader.path = f"closure.follow_ups[{index}]."
            self.follow_up(plan, due[given["months"]], given)

    def follow_up(self, plan: Plan, follow: FollowUp, given: dict) -> None:
        done = given["status"] == FollowUpStatus.DONE
        fill_follow_up(
            user=self.user,
            follow_up=follow,
            status=given["status"],
            occupation=given.get("occupation", "") if done else "",
            isolation=given.get("isolation", "") if done else "",
            comment="",
            done_on=_day(given.get("done_on")),
            history=True,
        )
        plan.accesses.append(Access(follow.person_id, "follow_up", follow.pk, Action.UPDATE))


def _follow_up(**values: Any) -> FollowUp:
    return unsaved(FollowUp, **values)


def _replaces(plan: Plan, item: dict, decided: datetime.date) -> tuple[str, Decision | None]:
    """As `history.importer._replaces`, among the line's own decisions (the person is new):
    the latest decided on or before the day, the last made of those decided the same day."""
    decision_kind = item.get("kind", DecisionKind.NEW)
    if decision_kind == DecisionKind.NEW:
        return decision_kind, None
    earlier = [d for d in plan.rows.get(Decision, []) if d.decided_on <= decided]
    replaces = max(reversed(earlier), key=lambda d: d.decided_on, default=None)
    return (decision_kind if replaces else DecisionKind.NEW), replaces


def _close_if_nothing_ongoing(plan: Plan, obj: dict, case: Case) -> None:
    """As `history.importer._close_if_nothing_ongoing`, on the line's own orders."""
    orders: Iterable[Order] = plan.rows.get(Order, [])
    if any(o.status != OrderStatus.ENDED for o in orders) or case.status == CaseStatus.CLOSED:
        return
    days = [i.get("closed_on") or i["received_on"] for i in obj.get("intakes", [])]
    days += [d["decided_on"] for d in obj.get("decisions", [])]
    if days:
        case.status, case.closed_on = CaseStatus.CLOSED, datetime.date.fromisoformat(max(days))


def _checks(plan: Plan) -> list[tuple[Callable[[Any, Level], None], Any]]:
    """The access checks the actions make for the line, in their order: `create_application`'s
    (its person's applications), then `close_case`'s."""
    checks: list[tuple[Callable[[Any, Level], None], Any]] = []
    if plan.authority_work is not None:
        checks.append((require_authority_work, plan.authority_work.pk))
    if plan.provider_work is not None:
        checks.append((require_provider_work, plan.provider_work.pk))
    return checks

"""A re-import in batches: lines whose records all came from the source before are compared a
batch at a time, and what changed is corrected in bulk.

A re-import of a source's file (a corrected one, or the same again) finds most of its records
unchanged. One line at a time, each record is read and compared and, where the file differs,
corrected through the actions (`correct_history_intake`, `correct_history_decision`,
`correct_history_order`, `correct_history_closure`): tens of queries a line. Here a batch's
records are read with a few queries, compared in memory as `Loader` compares them (with
`differences` and the `*_wanted` of `history.importer`), and corrected through the batch forms
of the same actions (`correct_history_intakes`, …), which hold every correction to the same
permission and rules and write the same access-log entries. An unchanged line writes nothing,
as one at a time.

A line goes one at a time (`Loader.one`) where the batch forms do not do what it needs: a
closure's date or consent corrected (they move the case and its follow-ups), a follow-up to
record, an outcome corrected (refused: by hand), a record missing, or a rule that refuses a
correction (so that the refusal names the line and the field, as it always did).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Min

from decisions.actions import check_history_decision, correct_history_decisions
from decisions.models import Decision
from history.importer import (
    Loader,
    Row,
    _day,
    _ids,
    _shown,
    closure_wanted,
    decision_wanted,
    differences,
    follow_up_wanted,
    intake_wanted,
    order_wanted,
)
from intake.actions import check_history_intake, correct_history_intakes
from intake.models import Intake
from people.access import access_levels
from people.models import Case, Person
from provision.actions import check_history_order, correct_history_orders, order_unit_ids
from provision.closure import (
    SETTLED_FIELDS,
    check_history_closure,
    correct_history_closures,
    follow_ups_settled,
    refuse_closing_before_start,
)
from provision.models import Closure, FollowUp, FollowUpStatus, Order


class OneByOne(Exception):
    """The line needs the actions one at a time."""


@dataclass
class Line:
    """What one line corrects, compared and checked in memory."""

    row: Row
    intakes: list[tuple[Intake, dict]] = field(default_factory=list)
    decisions: list[tuple[Decision, dict, datetime.date | None]] = field(default_factory=list)
    orders: list[tuple[Order, dict]] = field(default_factory=list)
    closures: list[tuple[Closure, dict]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def correct(self, label: str, record, wanted: dict) -> dict:
        """As `Loader.correct`: the differences, listed and counted."""
        changes, listed = differences(label, record, wanted)
        self.changes += listed
        self.counts["corrected" if changes else "unchanged"] += 1
        return changes


@dataclass
class Found:
    """A batch's records as stored, by id as text."""

    people: set[str]
    cases: set[str]
    intakes: dict[str, Intake]
    decisions: dict[str, Decision]
    orders: dict[str, list[Order]]  # by decision
    closures: dict[str, Closure]
    follow_ups: dict = field(default_factory=dict)  # by closure's id
    firsts: dict = field(default_factory=dict)  # each case's first start of support


class Reimport:
    def __init__(self, loader: Loader, cited_on) -> None:
        self.loader, self.user, self.cited_on = loader, loader.user, cited_on
        self.unit_ids = order_unit_ids(self.user)

    # Which lines are re-imports

    def split(self, rows: list[Row]) -> tuple[list[Row], list[Row]]:
        """The lines whose every record came from the source before, and the others."""
        known: list[Row] = []
        rest: list[Row] = []
        for row in rows:
            keys = self._keys(row)
            ok = all(self.loader.recorded(kind, ext) is not None for kind, ext in keys)
            (known if ok else rest).append(row)
        return known, rest

    @staticmethod
    def _keys(row: Row) -> list[tuple[str, str]]:
        keys = list(_ids(row.data))
        if not row.data.get("unidentified"):
            pid = str(row.data["id"])
            keys.append(("case", pid))
            if row.data.get("closure"):
                keys.append(("closure", pid))
        return keys

    # Loading

    def load(self, rows: list[Row]) -> list[Row]:
        """Compare the lines and correct what changed; returns the lines to load one at a
        time (those the batch forms do not do, or all when the database refused the batch)."""
        found = self._fetch(rows)
        lines, slow = [], []
        for row in rows:
            try:
                lines.append(self._line(row, found))
            except (OneByOne, ValidationError):
                slow.append(row)
        try:
            with transaction.atomic(), self.loader.one_entry_per_person():
                self._write(lines, found)
        except (DatabaseError, ValidationError):
            return rows
        result = self.loader.result
        for line in lines:
            result.changes += line.changes
            for name, n in line.counts.items():
                result.counts[name] += n
        return slow

    def _fetch(self, rows: list[Row]) -> Found:
        ids: dict[str, set] = defaultdict(set)
        for row in rows:
            for kind, ext in self._keys(row):
                ids[kind].add(self.loader.recorded(kind, ext))
        decisions = {
            str(d.pk): d
            for d in Decision.objects.filter(pk__in=ids["decision"]).select_related(
                "application__support_kind", "replaces"
            )
        }
        for decision in decisions.values():
            # The earlier decision as corrected in this batch, as one at a time would read it.
            earlier = decisions.get(str(decision.replaces_id))
            if earlier is not None:
                decision.replaces = earlier
        orders: dict[str, list[Order]] = defaultdict(list)
        for order in Order.objects.filter(decision_id__in=ids["decision"]):
            orders[str(order.decision_id)].append(order)
        closures = {str(c.pk): c for c in Closure.objects.filter(pk__in=ids["closure"])}
        found = Found(
            people={
                str(p)
                for p in Person.objects.filter(pk__in=ids["person"]).values_list("pk", flat=True)
            },
            cases={
                str(c) for c in Case.objects.filter(pk__in=ids["case"]).values_list("pk", flat=True)
            },
            intakes={str(i.pk): i for i in Intake.objects.filter(pk__in=ids["intake"])},
            decisions=decisions,
            orders=orders,
            closures=closures,
        )
        for follow in FollowUp.objects.filter(closure_id__in=[c.pk for c in closures.values()]):
            found.follow_ups.setdefault(follow.closure_id, []).append(follow)
        starts = (
            Order.objects.filter(
                case_id__in={c.case_id for c in closures.values()}, accepted_on__isnull=False
            )
            .values("case_id")
            .annotate(first=Min("accepted_on"))
        )
        found.firsts = {s["case_id"]: s["first"] for s in starts}
        return found

    def _line(self, row: Row, found: Found) -> Line:
        """As `Loader.row` for a line whose records all exist: compared, checked, not saved."""
        line, data, recorded = Line(row), row.data, self.loader.recorded
        if not data.get("unidentified"):
            pid = str(data["id"])
            if recorded("person", pid) not in found.people:
                raise OneByOne
            if recorded("case", pid) not in found.cases:
                raise OneByOne
        for item in data.get("intakes", []):
            intake = _get(found.intakes, recorded("intake", item["id"]))
            changes = line.correct(f"intake {item['id']}", intake, intake_wanted(item))
            if changes:
                check_history_intake(intake, changes)
                line.intakes.append((intake, changes))
        for item in sorted(data.get("decisions", []), key=lambda d: d["decided_on"]):
            decision = _get(found.decisions, recorded("decision", item["id"]))
            self._decision(line, item, decision, found)
        if data.get("closure"):
            self._closure(line, data["closure"], str(data["id"]), found)
        return line

    def _decision(self, line: Line, item: dict, decision: Decision, found: Found) -> None:
        """As `Loader.correct_decision`."""
        label, wanted = f"decision {item['id']}", decision_wanted(item)
        if item["outcome"] != decision.outcome:
            raise OneByOne  # refused there, with its reason
        applied = _day(item.get("applied_on")) or wanted["decided_on"]
        changes = line.correct(label, decision, wanted)
        application = decision.application
        moved = application.applied_on != applied
        if moved:
            line.changes.append(
                f"{label}.applied_on: {_shown(application.applied_on)} → {_shown(applied)}"
            )
            if not changes:
                line.counts["unchanged"] -= 1
                line.counts["corrected"] += 1
        if changes or moved:
            applied_on = applied if moved else None
            check_history_decision(self.user, decision, changes, applied_on, self.cited_on)
            for name, value in changes.items():
                # What the next record of the line reads, as the database would one at a time.
                setattr(decision, name, value)
            line.decisions.append((decision, changes, applied_on))
        orders = found.orders.get(str(decision.pk), [])
        if len(orders) > 1:
            raise OneByOne  # which one `Loader` takes is the newest: leave it to it
        if orders:
            self._order(line, label, orders[0], decision, order_wanted(item, wanted))

    def _order(
        self, line: Line, label: str, order: Order, decision: Decision, fields: dict
    ) -> None:
        """As `Loader.correct_order`."""
        if all(getattr(order, name) == value for name, value in fields.items()):
            return
        if order.accepted_on != fields["accepted_on"]:
            line.changes.append(
                f"{label}.started_on: {_shown(order.accepted_on)} → {_shown(fields['accepted_on'])}"
            )
        order.decision = decision
        check_history_order(self.user, order, **fields, unit_ids=self.unit_ids)
        line.orders.append((order, fields))

    def _closure(self, line: Line, item: dict, pid: str, found: Found) -> None:
        """As `Loader.closure` and `Loader.follow_up` for what is recorded already."""
        closure = _get(found.closures, self.loader.recorded("closure", pid))
        changes = line.correct(f"closure {pid}", closure, closure_wanted(item))
        follow_ups = found.follow_ups.get(closure.pk, [])
        if changes:
            settled = not set(changes) - set(SETTLED_FIELDS)
            # A start of support corrected on the line moves the date the closure is held to.
            if not settled or line.orders or not follow_ups_settled(closure, follow_ups):
                raise OneByOne
            check_history_closure(closure, changes)
            refuse_closing_before_start(found.firsts.get(closure.case_id), closure.closed_on)
            line.closures.append((closure, changes))
        for given in item.get("follow_ups", []):
            follow = next((f for f in follow_ups if f.months == given["months"]), None)
            if follow is None or follow.status == FollowUpStatus.PENDING:
                raise OneByOne  # recorded by `record_follow_up`
            label = f"closure {pid}.follow_up {given['months']}"
            if line.correct(label, follow, follow_up_wanted(given)):
                raise OneByOne

    def _write(self, lines: list[Line], found: Found) -> None:
        intakes = [c for line in lines for c in line.intakes]
        decisions = [c for line in lines for c in line.decisions]
        orders = [c for line in lines for c in line.orders]
        closures = [c for line in lines for c in line.closures]
        ids = {i.person_id for i, _c in intakes if i.person_id}
        ids |= {d.person_id for d, _c, _a in decisions} | {c.person_id for c, _c in closures}
        levels = access_levels(self.user, list(Person.objects.filter(pk__in=ids))) if ids else {}
        if intakes:
            correct_history_intakes(user=self.user, corrections=intakes, levels=levels)
        if decisions:
            correct_history_decisions(
                officer=self.user, corrections=decisions, levels=levels, cited_on=self.cited_on
            )
        if orders:
            correct_history_orders(user=self.user, corrections=orders)
        if closures:
            correct_history_closures(
                user=self.user,
                corrections=closures,
                levels=levels,
                firsts=found.firsts,
                follow_ups=found.follow_ups,
            )


def _get(records: dict, pk):
    record = records.get(pk)
    if record is None:
        raise OneByOne  # missing: one at a time meets it as it always did
    return record

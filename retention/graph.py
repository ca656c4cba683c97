"""Everything Brygga holds about one person, found by walking the models' relations.

Nothing here names the apps' models: starting from Person, every model with a foreign key (or
one-to-one, or an auto-created many-to-many table) pointing at a row already found is followed,
until nothing new turns up. A model added tomorrow with a path to Person is therefore culled and
extracted with the person automatically. A model that must not be is listed in EXCLUDED with the
reason; `tests/retention/test_graph.py` fails for a model with a path to Person that is neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Model

from core.lookups import among

# model label -> why it is not part of a person's record although it points at one.
# Rows of an excluded model survive culling; the foreign key pointing into the person's
# record must therefore be nullable (it is set to NULL; a test checks this).
EXCLUDED: dict[str, str] = {}

# Values that point at a person without a foreign key, and what happens to them.
PLAIN_REFERENCES: dict[str, str] = {
    "audit.AccessLogEntry.person_id": (
        "The access log has its own retention (BRYGGA_ACCESS_LOG_RETENTION_YEARS) and is "
        "culled oldest first behind a checkpoint; it is part of the register extract."
    ),
    "audit.AccessLogSubject.person_id": (
        "A person a list entry of the access log named: culled with its entry, as the entry's "
        "person_id; part of the register extract."
    ),
    "history.ImportedRecord.object_id": (
        "The legacy import's key (the old system's id -> Brygga's id, no personal data): it "
        "stays so that re-importing the same file never brings a culled person back."
    ),
    "retention.CullRecord.person_id": "What was culled, by id only: kept as the culling's proof.",
    "retention.RetentionVerdict.person_id": (
        "The culling's last verdict on the person (a rule and a date, no personal data): removed "
        "when the person's records are culled."
    ),
}


@dataclass(frozen=True)
class Edge:
    """`model.field` points at `target`: rows of model are found from rows of target."""

    model: type[models.Model]
    field: models.Field
    target: type[models.Model]


def _concrete_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.abstract and not m._meta.proxy
    ]


def edges_into() -> dict[type[models.Model], list[Edge]]:
    """For each model, the foreign keys of other models pointing at it."""
    into: dict[type[models.Model], list[Edge]] = defaultdict(list)
    for model in _concrete_models():
        for f in model._meta.concrete_fields:
            target = f.related_model  # a model class once the apps are loaded
            if f.is_relation and (f.many_to_one or f.one_to_one) and isinstance(target, type):
                into[target].append(Edge(model, f, target))
    return into


def person_model() -> type[models.Model]:
    return apps.get_model("people", "Person")


def models_with_path_to_person() -> set[type[models.Model]]:
    """Every concrete model from which a chain of foreign keys leads to Person."""
    into = edges_into()
    found, stack = {person_model()}, [person_model()]
    while stack:
        for edge in into.get(stack.pop(), []):
            if edge.model not in found:
                found.add(edge.model)
                stack.append(edge.model)
    return found


def record_models() -> list[type[models.Model]]:
    """The models that make up a person's record, parents before children."""
    into = edges_into()
    order, seen, stack = [], {person_model()}, [person_model()]
    while stack:
        model = stack.pop(0)
        order.append(model)
        for edge in into.get(model, []):
            if edge.model not in seen and edge.model._meta.label not in EXCLUDED:
                seen.add(edge.model)
                stack.append(edge.model)
    return order


@dataclass
class Record:
    """The primary keys of every row that belongs to some people, per model."""

    rows: dict[type[models.Model], set] = field(default_factory=lambda: defaultdict(set))

    def add(self, other: Record) -> None:
        """Take in another record's rows (several people's records culled together)."""
        for model, pks in other.rows.items():
            self.rows[model] |= pks

    def counts(self) -> dict[str, int]:
        return {m._meta.label: len(pks) for m, pks in self.rows.items() if pks}

    def models(self) -> list[type[models.Model]]:
        return [m for m in record_models() if self.rows.get(m)]

    def deletion_order(self) -> list[type[Model]]:
        """Children before their parents (foreign keys are also checked only at commit)."""
        return _children_first(self.models())


def collect(person_ids: Iterable) -> Record:
    """Walk from the people to every row pointing (in any number of steps) at their rows: all
    their records together (`collect_many` gives each person's own).

    Each round asks, per relation, only about rows found in the previous round, so the number
    of queries follows the depth of the schema, not the amount of data.
    """
    record = Record()
    for own in collect_many(person_ids).values():
        record.add(own)
    return record


def _children_first(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Order models so that every model comes before the models its foreign keys point at."""
    pending = set(chosen)
    parents = {
        m: {
            f.related_model
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model in pending and f.related_model is not m
        }
        for m in chosen
    }
    order: list[type[models.Model]] = []
    while pending:
        # A model nobody still pending points at may go now.
        free = [m for m in chosen if m in pending and not any(m in parents[o] for o in pending)]
        if not free:  # a cycle between models: the database checks the keys at commit
            free = [m for m in chosen if m in pending]
        for m in free:
            order.append(m)
            pending.discard(m)
    return order


def collect_many(
    person_ids: Iterable,
    *,
    fields: Callable[[type[Model]], list[str]] | None = None,
    values: dict | None = None,
) -> dict[object, Record]:
    """`collect` for many people at once: each person's own Record, as `collect([id])` gives it,
    with the number of queries following the depth of the schema, not the number of people.

    Each row found remembers whose record it belongs to (a row reached from two people's rows
    belongs to both, as each one's `collect` would find it). With `fields` (a model's attnames
    to read), each row found has those values put in `values[(model, pk)]` by the query that
    found it: the rules read the dates of every row without reading the rows again."""
    into = edges_into()
    person = person_model()
    ids = list(dict.fromkeys(person_ids))
    owners: dict[type[models.Model], dict] = defaultdict(dict)
    owners[person] = {pk: {pk} for pk in ids}
    frontier: dict[type[models.Model], set] = {person: set(ids)}
    while frontier:
        found: dict[type[models.Model], set] = defaultdict(set)
        for target, pks in frontier.items():
            for edge in into.get(target, []):
                if edge.model._meta.label in EXCLUDED:
                    continue
                known = owners[edge.model]
                extra = fields(edge.model) if fields else []
                for pk, parent, *read in _rows_and_parents(edge, pks, extra):
                    if extra and values is not None:
                        values[(edge.model, pk)] = read
                    whose = owners[target][parent]
                    mine = known.get(pk)
                    if mine is None:
                        known[pk] = set(whose)
                        found[edge.model].add(pk)
                    elif not whose <= mine:
                        mine |= whose
                        found[edge.model].add(pk)  # walk on: its children are theirs too
        frontier = found
    records: dict[object, Record] = {pk: Record() for pk in ids}
    for model, rows in owners.items():
        for pk, whose in rows.items():
            for owner in whose:
                records[owner].rows[model].add(pk)
    return records


def _rows_and_parents(edge: Edge, pks: set, extra: list[str]) -> list[tuple]:
    manager: models.QuerySet[Model] = models.QuerySet(model=edge.model)
    found: list[tuple] = []
    pks_list = list(pks)
    for start in range(0, len(pks_list), 5000):
        chunk = pks_list[start : start + 5000]
        found += manager.filter(among(edge.field.attname, chunk)).values_list(
            "pk", edge.field.attname, *extra
        )
    return found


# The same walk inside PostgreSQL (the first cull of a long history: bench/README.md)

# A date per row, as SQL over the row's columns (alias given), with its parameters.
RowDate = Callable[[type[Model], str], tuple[str, list]]


@dataclass
class Tally:
    """What a walk in the database found of one person's record: rows per model (as
    `Record.counts`), the newest date of its rows, and the primary keys of one model asked for
    (the cases). The rows themselves stay in the database."""

    rows: dict[str, int] = field(default_factory=dict)
    newest: Any = None  # a date, or None
    pks: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(self.rows)


class DatabaseWalk:
    """`collect_many` done by PostgreSQL: the same rows with the same owners, found with one
    `INSERT … SELECT` per relation and round into a temporary table per model (this
    connection's own), so that no row passes through Python. `date` gives each row's date as
    SQL, kept with the row; `tallies` sums up each person's record and `delete` removes the
    records of some of them, children first, one statement per kind of record.

    A table's rows are (pk, owner, round): a row reached from the rows of two people belongs to
    both, and a round walks on only from the pairs the round before found, as `collect_many`
    walks on from a row whose owners grew. Run inside a transaction that holds the people."""

    def __init__(self, person_ids: Iterable, *, date: RowDate | None = None) -> None:
        self.ids = list(dict.fromkeys(person_ids))
        self.date = date
        self.found: set[type[Model]] = set()
        self.person = person_model()
        self.owner_type = _key_type(self.person)

    @staticmethod
    def table(model: type[Model]) -> str:
        return connection.ops.quote_name(f"cull_{model._meta.db_table}"[:63])

    def _prepare(self, cursor) -> None:
        """The temporary tables (made once per connection), emptied: one statement."""
        tables = record_models()
        made = [
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.table(m)} ("
            f"pk {_key_type(m)} NOT NULL, owner {self.owner_type} NOT NULL, "
            "round integer NOT NULL, last date, PRIMARY KEY (pk, owner))"
            for m in tables
        ]
        emptied = f"TRUNCATE {', '.join(self.table(m) for m in tables)}"
        cursor.execute("; ".join([*made, emptied]))

    def _date(self, model: type[Model], alias: str) -> tuple[str, list]:
        return self.date(model, alias) if self.date else ("NULL::date", [])

    def run(self) -> DatabaseWalk:
        qn = connection.ops.quote_name
        into = edges_into()
        with connection.cursor() as cursor:
            self._prepare(cursor)
            if not self.ids:
                return self
            date, params = self._date(self.person, "c")
            pk = qn(self.person._meta.pk.column)
            cursor.execute(
                f"INSERT INTO {self.table(self.person)} (pk, owner, round, last) "  # noqa: S608 - names of the models' tables, quoted
                f"SELECT c.{pk}, c.{pk}, 0, {date} FROM {qn(self.person._meta.db_table)} c "
                f"WHERE c.{pk} = ANY(%s::{self.owner_type}[])",
                [*params, _array(self.ids)],
            )
            self.found, frontier, round_ = {self.person}, {self.person}, 0
            while frontier:
                grown: set[type[Model]] = set()
                for target in frontier:
                    for edge in into.get(target, []):
                        excluded = edge.model._meta.label in EXCLUDED
                        if not excluded and self._step(cursor, edge, round_):
                            grown.add(edge.model)
                self.found |= grown
                frontier, round_ = grown, round_ + 1
        return self

    def _step(self, cursor, edge: Edge, round_: int) -> int:
        """The rows of `edge.model` pointing at the rows the last round found: new pairs.

        Driven from the temporary table (no statistics: PostgreSQL takes it for a few rows), so
        that each of its rows is one probe of the foreign key's index; joined the other way
        round, the planner scanned the whole temporary table for every row found."""
        qn = connection.ops.quote_name
        fk, pk = qn(edge.field.column), qn(edge.model._meta.pk.column)
        parents = self.table(edge.target)
        date, params = self._date(edge.model, "c")
        cursor.execute(
            f"INSERT INTO {self.table(edge.model)} (pk, owner, round, last) "  # noqa: S608 - names of the models' tables, quoted
            f"SELECT c.{pk}, t.owner, %s, {date} FROM {parents} t "
            f"JOIN {qn(edge.model._meta.db_table)} c ON c.{fk} = t.pk WHERE t.round = %s "
            "ON CONFLICT DO NOTHING",
            [round_ + 1, *params, round_],
        )
        return cursor.rowcount

    def tallies(self, pks_of: type[Model] | None = None) -> dict[object, Tally]:
        """Each person's rows per model and newest date (one query), and the primary keys of
        `pks_of` in their record (one more)."""
        found = {pk: Tally() for pk in self.ids}
        chosen = [m for m in record_models() if m in self.found]
        parts = [
            f"SELECT owner, %s AS label, count(*) AS n, max(last) AS last "  # noqa: S608 - names of the models' tables, quoted
            f"FROM {self.table(m)} GROUP BY owner"
            for m in chosen
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT owner, json_object_agg(label, n), max(last) "  # noqa: S608 - names of the models' tables, quoted
                f"FROM ({' UNION ALL '.join(parts)}) s GROUP BY owner",
                [m._meta.label for m in chosen],
            )
            for owner, rows, newest in cursor.fetchall():
                found[owner].rows, found[owner].newest = rows, newest
            if pks_of is not None and pks_of in self.found:
                table = self.table(pks_of)
                cursor.execute(f"SELECT owner, array_agg(pk) FROM {table} GROUP BY owner")  # noqa: S608 - names of the models' tables, quoted
                for owner, pks in cursor.fetchall():
                    found[owner].pks = pks
        return found

    def delete(self, owners: list) -> None:
        """Delete every row of these people's records, children first (a row shared with a
        person who stays goes too, as `Record.add` of the culled records gives), and set to
        NULL the keys of excluded models pointing into them. No model's guard is asked."""
        qn = connection.ops.quote_name
        chosen = [m for m in record_models() if m in self.found]
        owned = f"ARRAY(SELECT pk FROM {{table}} WHERE owner = ANY(%s::{self.owner_type}[]))"  # noqa: S608 - names of the models' tables, quoted
        with connection.cursor() as cursor:
            for target in chosen:
                for edge in edges_into().get(target, []):
                    if edge.model._meta.label in EXCLUDED:
                        column = qn(edge.field.column)
                        cursor.execute(
                            f"UPDATE {qn(edge.model._meta.db_table)} SET {column} = NULL "  # noqa: S608 - names of the models' tables, quoted
                            f"WHERE {column} = ANY({owned.format(table=self.table(target))})",
                            [_array(owners)],
                        )
            for model in _children_first(chosen):
                rows = owned.format(table=self.table(model))
                cursor.execute(
                    f"DELETE FROM {qn(model._meta.db_table)} "  # noqa: S608 - names of the models' tables, quoted
                    f"WHERE {qn(model._meta.pk.column)} = ANY({rows})",
                    [_array(owners)],
                )


def _key_type(model: type[Model]) -> str:
    """The column type of a key pointing at the model (uuid, bigint, integer)."""
    return model._meta.pk.rel_db_type(connection)  # type: ignore[attr-defined]  # any Field has it


def _array(values: list) -> str:
    """An array literal of uuids or integers (`'{…}'`), cast by the statement."""
    return "{" + ",".join(map(str, values)) + "}"

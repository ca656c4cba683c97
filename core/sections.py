"""Registries that let each app add its part to shared pages without editing them.

- Person page sections: `person_section(order)` registers `fn(request, person) -> dict | None`;
  the dict needs "template" and may carry any context. Return None to show nothing.
- Start-page worklists: `worklist(order)` registers `fn(request, roles) -> dict | None` likewise.
- The person page's rows: `person_rows(Model, path)` registers one kind of row the page reads
  (rows of `Model` whose `path` leads to the person). The first time the page asks whether a
  person has rows of any kind (`PersonRows.of`), one query asks it of every kind at once, and
  the page then skips the queries of the kinds the person has none of: most people have no
  network, talks, referrals, mappings, documents or appeals. `read(person, OnePersonQuery(...))`
  reads a kind's list with SQL the ORM built once per process (core/compiled.py).
- A worklist's whole list: `full_list(WorkList(...))` registers one list a worklist shows the
  first `START_ROWS` rows of (`first_rows`); its page, `/arbetslista/<name>/`, shows every row
  a keyset page at a time, and the start page links to it when there are more.

Each function must run a constant number of queries, whatever the amount of data.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

from core.compiled import OnePersonQuery
from core.planner import without_parallel_workers

# A start page shows the most urgent rows of each list, and links to the whole list: five
# lists of fifty rows took more time to make into objects and HTML than to find (issue 17).
START_ROWS = 10

_person_sections: list[tuple[int, Callable]] = []
_worklists: list[tuple[int, Callable]] = []


def person_section(order: int):
    def decorator(fn: Callable) -> Callable:
        _person_sections.append((order, fn))
        _person_sections.sort(key=lambda item: item[0])
        return fn

    return decorator


def worklist(order: int):
    def decorator(fn: Callable) -> Callable:
        _worklists.append((order, fn))
        _worklists.sort(key=lambda item: item[0])
        return fn

    return decorator


def person_sections(request, person) -> list[dict]:
    return [section for _, fn in _person_sections if (section := fn(request, person))]


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PersonRows(Generic[M]):
    """One kind of row the person page reads: rows of `model` whose `path` is the person."""

    model: type[M]
    path: str = "person"

    def of(self, person, queryset: QuerySet[M]) -> QuerySet[M]:
        """`queryset` (the person's rows of this kind, as the page shows them) when the person
        has any rows of this kind; otherwise the same queryset read already and found empty.
        Chain nothing after it: a new queryset would be read again."""
        return queryset if self.exist(person) else _read_as_empty(queryset)

    def read(self, person, query: OnePersonQuery[Any]) -> list[M]:
        """`query`'s rows for the person (its SQL built once, core/compiled.py) when the person
        has any rows of this kind; otherwise [], without building or running anything."""
        return query.rows(person) if self.exist(person) else []

    def exist(self, person) -> bool:
        """Whether the person has any rows of this kind: every kind asked the first time, in one
        query, and remembered on the person object (one request's)."""
        present = getattr(person, "_rows_present", None)
        if present is None or self not in present:
            present = person._rows_present = _rows_present(person)
        return present[self]


_person_rows: list[PersonRows[Any]] = []
_presence_sql: dict[str, str] = {}
# A person id no one has: the registered queries are compiled once with it, then run for anyone.
_NOBODY = uuid.UUID(int=0)


def person_rows(model: type[M], path: str = "person") -> PersonRows[M]:
    kind = PersonRows(model, path)
    if kind not in _person_rows:
        _person_rows.append(kind)
        _presence_sql.clear()
    return kind


def _rows_present(person) -> dict[PersonRows[Any], bool]:
    """`EXISTS` of each registered kind, for one person, in one query. The SQL is built by the
    ORM once per process (each kind's only parameter is the person's id), then reused: building
    the SQL of a query costs more Python than running it here (bench/README.md)."""
    prepare = type(person)._meta.pk.get_db_prep_value
    sql = _presence_sql.get(connection.vendor)
    if sql is None:
        sql = _presence_sql[connection.vendor] = _presence_query(prepare(_NOBODY, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, [prepare(person.pk, connection)] * len(_person_rows))
        row = cursor.fetchone()
    return {kind: bool(found) for kind, found in zip(_person_rows, row, strict=True)}


def _presence_query(nobody) -> str:
    parts = []
    for kind in _person_rows:
        queryset = kind.model._base_manager.filter(**{kind.path: _NOBODY}).order_by().values("pk")
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        if list(params) != [nobody]:
            raise ValueError(f"{kind}: the person's id must be the query's only parameter")
        parts.append(f"EXISTS ({sql})")
    return "SELECT " + ", ".join(parts)


def _read_as_empty(queryset: QuerySet[M]) -> QuerySet[M]:
    """The queryset as if read and found empty: iterating, testing, counting or slicing it, or
    `first()` of an ordered one, neither queries nor builds SQL. (Django builds the whole SQL of
    a `none()` queryset before it finds it empty: as much Python as a query that runs.)"""
    empty = queryset.none()
    empty._result_cache = []
    empty._prefetch_done = True  # type: ignore[attr-defined]
    return empty


def worklists(request, roles) -> list[dict]:
    """The start page's lists. Each reads its first rows (a `LIMIT`), planned without parallel
    workers: for those few rows a parallel plan only adds its workers' start (11 of the 20 ms of
    the officer's "decisions whose letter has not been sent" at a million people,
    bench/README.md)."""
    with without_parallel_workers():
        return [section for _, fn in _worklists if (section := fn(request, roles))]


@dataclass(frozen=True)
class WorkList:
    """One list of a worklist, and how its whole-list page shows it.

    `rows(user, today)` is the whole list (a queryset); `keys` its order, most urgent first,
    ending with a unique key (core/pagination.py); `template` renders `rows` as a table (the
    start page and the list's page include the same one); `allowed(roles)` who may open it;
    `people(row)` the person ids a row shows (by default its own `person_id`), logged as one
    `record_type` entry per page.
    """

    name: str
    title: Any
    template: str
    rows: Callable[[Any, datetime.date], Any]
    keys: tuple[str, ...]
    record_type: str
    allowed: Callable[[Any], bool]
    people: Callable[[Any], list] = lambda row: [row.person_id]
    action: str = "search"


_full_lists: dict[str, WorkList] = {}


def full_list(spec: WorkList) -> WorkList:
    _full_lists[spec.name] = spec
    return spec


def find_full_list(name: str) -> WorkList | None:
    return _full_lists.get(name)


def full_list_names() -> list[str]:
    """The names of every list with a whole-list page (`/arbetslista/<name>/`)."""
    return sorted(_full_lists)


class FirstRows(list):
    """The first rows of a list (a list), the list they are from, and whether it has more
    (then the start page links to the whole list)."""

    def __init__(self, spec: WorkList, rows: list, more: bool) -> None:
        super().__init__(rows)
        self.spec = spec
        self.more = more


def first_rows(spec: WorkList, user, today: datetime.date, n: int = START_ROWS) -> FirstRows:
    """The `n` most urgent rows of the list, and whether there are more, from the query of the
    list page's first page (`head`)."""
    rows, more = head(spec.rows(user, today).order_by(*spec.keys), n)
    return FirstRows(spec, rows, more)


def head(queryset, n: int = START_ROWS) -> tuple[list, bool]:
    """The first `n` objects of an ordered queryset, and whether there are more.

    The query asks for as many rows as a list page's first page, not `n + 1`: with `LIMIT 11`
    PostgreSQL walked an index in the list's order hoping to meet eleven rows soon, where the
    rows wanted were few and at its far end (a provider's new orders by decision date: 0.2-0.3 s
    at 100,000 people, against 10 ms with `LIMIT 51`). Only `n + 1` rows are made into objects:
    making the other forty into objects (and their related ones) cost more than the query.
    """
    from core.pagination import PAGE_SIZE

    found: list = list(islice(ModelIterable(queryset[: PAGE_SIZE + 1]), n + 1))
    return found[:n], len(found) > n

"""Registries that let each app add its part to shared pages without editing them.

- Person page sections: `person_section(order)` registers `fn(request, person) -> dict | None`;
  the dict needs "template" and may carry any context. Return None to show nothing.
- Start-page worklists: `worklist(order)` registers `fn(request, roles) -> dict | None` likewise.
- A worklist's whole list: `full_list(WorkList(...))` registers one list a worklist shows the
  first `START_ROWS` rows of (`first_rows`); its page, `/arbetslista/<name>/`, shows every row
  a keyset page at a time, and the start page links to it when there are more.

Each function must run a constant number of queries, whatever the amount of data.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models.query import ModelIterable

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


def worklists(request, roles) -> list[dict]:
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

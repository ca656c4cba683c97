"""Keyset pagination and bounded counts for every list that can grow long (bench/README.md).

`OFFSET` makes the database read and throw away every row before the page, and Django's
`Paginator` counts the whole list for "page 3 of 40": for a manager whose units hold every case
that count alone took longer than a minute. A keyset page instead starts after (or before) the
row that ended the page before, found through the same index that orders the list, and a count
stops at a bound and says so ("more than 1,000").

    page = keyset_page(request, queryset, ("last_name", "first_name", "id"))
    page.rows            # at most `size` rows
    page.next_query      # the query string of the next page ("" on the last one)
    page.previous_query  # the same for the page before ("" on the first one)

The keys must together be unique and never null (end them with the primary key); a key written
`-name` orders descending; a key may name an annotation. Templates show the links with
`{% include "core/_pager.html" %}`.
A cursor that cannot be read (edited by hand) gives the first page, never an error.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PAGE_SIZE = 50
COUNT_BOUND = 1000
AFTER, BEFORE = "efter", "fore"


@dataclass
class KeysetPage:
    rows: list
    next_query: str = ""
    previous_query: str = ""
    object_list: list = field(init=False)

    def __post_init__(self) -> None:
        self.object_list = self.rows  # the name Django's Page uses, for templates moving over

    @property
    def has_next(self) -> bool:
        return bool(self.next_query)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_query)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    request,
    queryset: QuerySet,
    keys: tuple[str, ...],
    size: int = PAGE_SIZE,
    *,
    prefix: str = "",
) -> KeysetPage:
    """One page of `queryset` ordered by `keys`, in one query, whatever the list's length.

    `prefix` names the cursor parameters when a page shows more than one list."""
    after_name, before_name = prefix + AFTER, prefix + BEFORE
    after = _cursor(queryset, keys, request.GET.get(after_name))
    before = None if after is not None else _cursor(queryset, keys, request.GET.get(before_name))
    backwards = before is not None
    ordering = [_flip(key) for key in keys] if backwards else list(keys)
    rows = queryset.order_by(*ordering)
    if after is not None:
        rows = rows.filter(_beyond(keys, after))
    elif before is not None:
        rows = rows.filter(_beyond([_flip(key) for key in keys], before))
    found = list(rows[: size + 1])
    more = len(found) > size
    shown = found[:size]
    if backwards:
        shown.reverse()
    has_next = (more and not backwards) or backwards
    has_previous = (more and backwards) or after is not None
    query = request.GET.copy()
    for name in (after_name, before_name):
        query.pop(name, None)
    return KeysetPage(
        rows=shown,
        next_query=_query(query, after_name, keys, shown[-1]) if has_next and shown else "",
        previous_query=_query(query, before_name, keys, shown[0]) if has_previous and shown else "",
    )


def _flip(key: str) -> str:
    return key[1:] if key.startswith("-") else f"-{key}"


def _beyond(keys, values: list) -> Q:
    """Rows after `values` in the order of `keys`: (a > x) or (a = x and b > y) or …"""
    condition = Q()
    for n, key in enumerate(keys):
        name = key.lstrip("-")
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[n]})
        for earlier, value in zip(keys[:n], values[:n], strict=False):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def _field(queryset: QuerySet, path: str):
    if path in queryset.query.annotations:  # a key computed in the query (`annotate`)
        return queryset.query.annotations[path].output_field
    model = queryset.model
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    name = parts[-1]
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _value(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def _cursor(queryset: QuerySet, keys, text: str | None) -> list | None:
    if not text:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [
            _field(queryset, key.lstrip("-")).to_python(value)
            for key, value in zip(keys, raw, strict=True)
        ]
    except (ValueError, TypeError, ValidationError, binascii.Error):
        return None


def _encode(keys, row) -> str:
    values = []
    for key in keys:
        value: Any = _value(row, key.lstrip("-"))
        values.append(value if isinstance(value, int | str) else str(value))
    text = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def _query(query: QueryDict, name: str, keys, row) -> str:
    query = query.copy()
    query[name] = _encode(keys, row)
    return query.urlencode()


@dataclass(frozen=True)
class BoundedCount:
    """A count that stopped at its bound: `more` when there were more rows than `value`."""

    value: int
    more: bool

    def __str__(self) -> str:
        shown = number_format(self.value, force_grouping=True)
        return _("more than %(count)s") % {"count": shown} if self.more else shown

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0


def bounded_count(queryset: QuerySet, bound: int | None = None) -> BoundedCount:
    """Count up to `bound` rows (one query that reads at most `bound + 1` of them)."""
    bound = COUNT_BOUND if bound is None else bound
    n = queryset.order_by()[: bound + 1].count()
    return BoundedCount(value=min(n, bound), more=n > bound)

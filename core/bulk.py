"""Inserting many rows at once: PostgreSQL's COPY where it is available, else `bulk_create`.

COPY writes the same rows as `bulk_create`, several times faster (the history import's batches,
the access log's large writes, the synthetic data). Every constraint and foreign key is checked
as for an INSERT. An id the database assigns (an auto id) is not read back: use it for rows
whose ids are set before (UUIDs) or not needed afterwards.

The rows are formatted for COPY (`copy_data`) when they are prepared (`prepare`,
`prepare_values`), not while they are sent: the history import prepares a batch while its
writing thread sends the previous one, which then only hands over bytes and waits for the
database (issue 17: formatting there took 0.6 s of that thread's interpreter per 10,000
people, which the preparing thread then waited for).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import DateField, DateTimeField, Field, Model
from django.db.models.base import ModelState
from django.db.models.fields import return_None  # type: ignore[attr-defined]
from django.utils import timezone
from psycopg._copy_base import TextFormatter  # what `Copy.write_row` formats with
from psycopg.adapt import AdaptersMap, Transformer

from core.ids import new_id

M = TypeVar("M", bound=Model)

COPY_FROM = 200  # rows; fewer go through bulk_create, whose round trip is then as quick


def unsaved(model: type[M], **values: Any) -> M:
    """An unsaved instance, as `model(**values)` makes it (defaults filled in, a related object
    given by name cached as assigning it caches it), in a fraction of the time: for rows made by
    the thousand to be inserted with `insert` (the history import's batches). Plain models
    only: no custom __init__, no pre_init/post_init receivers."""
    obj = model.__new__(model)
    obj._state = state = ModelState()
    attrs = obj.__dict__
    for name, attname, related, constant, default in _fields(model):
        if name in values:
            value = values.pop(name)
            if related is not None:
                target, cache_name, one_to_one = related
                attrs[attname] = None if value is None else getattr(value, target)
                state.fields_cache[cache_name] = value  # as field.set_cached_value
                if value is not None and one_to_one is not None:
                    one_to_one.set_cached_value(value, obj)  # one-to-one: both ways
                continue
            attrs[attname] = value
        elif attname in values:
            attrs[attname] = values.pop(attname)
        else:
            attrs[attname] = default if constant else default()
    if values:
        raise TypeError(f"{model.__name__}() got unexpected fields {sorted(values)}")
    return obj


@functools.cache
def _fields(model: type[Model]) -> tuple[tuple[str, str, Any, bool, Any], ...]:
    """Each concrete field as `unsaved` sets it, read once per model: its name, its attname,
    for a relation (the target's attname, its cache name, the remote field of a one-to-one)
    else None, and its default: (True, the value) where `get_default` gives the same value
    every time (None, "", a constant: the same object, as Django gives it), else (False, a
    function making it): a call less per field and row."""
    return tuple(
        (field.name, field.attname, _related(field), *_default(field))
        for field in model._meta.concrete_fields
    )


def _related(field: Any) -> tuple[str, str, Any] | None:
    if not field.is_relation:
        return None
    one_to_one = None if field.remote_field.multiple else field.remote_field
    return field.target_field.attname, field.cache_name, one_to_one


def _default(field: Any) -> tuple[bool, Any]:
    if field.default is new_id:
        return False, new_id
    make = field._get_default  # what get_default calls (a ForeignKey's may add a lookup)
    if make is return_None:
        return True, None
    if make is str:
        return True, ""
    if field.has_default() and not callable(field.default) and not field.is_relation:
        return True, field.default
    return False, field.get_default


def insert(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert `objs` (unsaved rows of `model`)."""
    insert_prepared(prepare(model, objs))


def insert_values(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows given as tuples of the fields `names` (attnames), without making a model
    instance of each: on PostgreSQL they are copied as they are, so give every column without
    a database default (auto ids excepted)."""
    insert_prepared(prepare_values(model, names, rows))


def prepare_values(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> Prepared:
    """What `insert_values(model, names, rows)` would write, made ready now (as `prepare`)."""
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        column = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = ", ".join(connection.ops.quote_name(column[n]) for n in names)
        table = connection.ops.quote_name(model._meta.db_table)
        return Prepared(model, (), f"COPY {table} ({columns}) FROM STDIN", copy_data(rows))
    objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
    return Prepared(model, objs)


def copy_rows(model: type[Model], objs: Sequence[Model], *, keep_stamps: bool = False) -> None:
    """PostgreSQL COPY: the same rows bulk_create would insert, several times faster.
    keep_stamps: a created/updated time set on the row is kept (backdated synthetic history),
    where bulk_create would set now."""
    if objs:
        statement, rows = _copy_of(model, objs, keep_stamps)
        _copy(statement, copy_data(rows))


@dataclass
class Prepared:
    """Rows of `model` made ready for `insert_prepared`: on PostgreSQL, for COPY, the statement
    and the rows formatted as COPY reads them (`copy_data`); else the objects, for
    bulk_create."""

    model: type[Model]
    objs: Sequence[Model]
    statement: str = ""
    data: bytes = b""


def prepare(model: type[Model], objs: Sequence[Model]) -> Prepared:
    """What `insert(model, objs)` would write, read from the objects now (they must not change
    after) and, for COPY, formatted: the preparing can then be done apart from the writing, in
    another thread (the history import prepares a batch's rows while the previous batch is
    written, and the writing thread only sends the bytes)."""
    if connection.vendor == "postgresql" and len(objs) >= COPY_FROM:
        statement, rows = _copy_of(model, objs)
        return Prepared(model, objs, statement, copy_data(rows))
    return Prepared(model, objs)


def insert_prepared(prepared: Prepared) -> None:
    """Insert rows made ready by `prepare` or `prepare_values`: the same rows as `insert` or
    `insert_values`."""
    if prepared.statement:
        _copy(prepared.statement, prepared.data)
    elif prepared.objs:
        prepared.model._base_manager.bulk_create(prepared.objs)


def _copy_of(
    model: type[Model], objs: Sequence[Model], keep_stamps: bool = False
) -> tuple[str, list[list]]:
    """The COPY statement for `objs` and the values of each row, as bulk_create would insert."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    now = timezone.now()  # one time for the rows written together (bulk_create: one each)
    values = [_value_of(f, keep_stamps and _stamped(f), now) for f in fields]
    rows = [[value(obj) for value in values] for obj in objs]
    return f"COPY {table} ({columns}) FROM STDIN", rows


def _copy(statement: str, data: bytes) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(data)


def copy_data(rows: Iterable[Sequence]) -> bytes:
    """`rows` in COPY's text format, the bytes psycopg's `Copy.write_row` sends for them: made
    by the same formatter, with the same dumpers (the connection's adapters), without using the
    connection itself, which another thread may be using (the history import's writer). Its
    text is UTF-8, the client encoding Django sets on every PostgreSQL connection."""
    connection.ensure_connection()
    formatter = TextFormatter(Transformer(_Adapting(connection.connection.adapters)), "utf-8")
    data = bytearray()
    for row in rows:
        data += formatter.write_row(row)
    data += formatter.end()
    return bytes(data)


class _Adapting:
    """What psycopg's dumpers are made from (`AdaptContext`): a connection's adapters, and no
    connection (its encoding is then UTF-8, as a Django connection's)."""

    connection = None

    def __init__(self, adapters: AdaptersMap) -> None:
        self.adapters = adapters


def _value_of(field, keep_stamp: bool, now: Any = None) -> Callable[[Model], Any]:
    """How a row's value of `field` is read, as `bulk_create` would (`pre_save`): a plain field's
    is its attribute (most of them: read without the call), a time stamp's is now (or the one
    set, with `keep_stamp`), a JSON field's is dumped. `now`: the time stamps' now, set on
    each row as `pre_save` sets it."""
    name = field.attname
    if field.get_internal_type() == "JSONField":
        return lambda obj: json.dumps(field.pre_save(obj, True))
    if keep_stamp:
        return lambda obj: getattr(obj, name) or field.pre_save(obj, True)
    if now is not None and _stamped(field) and field.get_internal_type() == "DateTimeField":

        def stamped(obj: Model) -> Any:
            setattr(obj, name, now)
            return now

        return stamped
    if type(field).pre_save is Field.pre_save or (
        # Django's date fields read the attribute unless they stamp
        type(field).pre_save in (DateField.pre_save, DateTimeField.pre_save) and not _stamped(field)
    ):
        return attrgetter(name)
    return lambda obj: field.pre_save(obj, True)


def _stamped(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))

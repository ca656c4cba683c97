"""Inserting many rows at once: PostgreSQL's COPY where it is available, else `bulk_create`.

COPY writes the same rows as `bulk_create`, several times faster (the history import's batches,
the access log's large writes, the synthetic data). Every constraint and foreign key is checked
as for an INSERT. An id the database assigns (an auto id) is not read back: use it for rows
whose ids are set before (UUIDs) or not needed afterwards.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)

COPY_FROM = 200  # rows; fewer go through bulk_create, whose round trip is then as quick


def unsaved(model: type[M], **values: Any) -> M:
    """An unsaved instance, as `model(**values)` makes it (defaults filled in, a related object
    given by name cached as assigning it caches it), in a fraction of the time: for rows made by
    the thousand to be inserted with `insert` (the history import's batches). Plain models
    only: no custom __init__, no pre_init/post_init receivers."""
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    for field in _fields(model):
        if field.name in values:
            value = values.pop(field.name)
            if field.is_relation:
                attrs[field.attname] = (
                    None if value is None else getattr(value, field.target_field.attname)
                )
                field.set_cached_value(obj, value)
                if value is not None and not field.remote_field.multiple:
                    field.remote_field.set_cached_value(value, obj)  # one-to-one: both ways
                continue
            attrs[field.attname] = value
        elif field.attname in values:
            attrs[field.attname] = values.pop(field.attname)
        else:
            attrs[field.attname] = field.get_default()
    if values:
        raise TypeError(f"{model.__name__}() got unexpected fields {sorted(values)}")
    return obj


@functools.cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


def insert(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert `objs` (unsaved rows of `model`)."""
    if connection.vendor == "postgresql" and len(objs) >= COPY_FROM:
        copy_rows(model, objs)
    elif objs:
        model._base_manager.bulk_create(objs)


def insert_values(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows given as tuples of the fields `names` (attnames), without making a model
    instance of each: on PostgreSQL they are copied as they are, so give every column without
    a database default (auto ids excepted)."""
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        column = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = ", ".join(connection.ops.quote_name(column[n]) for n in names)
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif rows:
        model._base_manager.bulk_create(model(**dict(zip(names, row, strict=True))) for row in rows)


def copy_rows(model: type[Model], objs: Sequence[Model], *, keep_stamps: bool = False) -> None:
    """PostgreSQL COPY: the same rows bulk_create would insert, several times faster.
    keep_stamps: a created/updated time set on the row is kept (backdated synthetic history),
    where bulk_create would set now."""
    if not objs:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = [_value_of(f, keep_stamps and _stamped(f)) for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([value(obj) for value in values])


def _value_of(field, keep_stamp: bool) -> Callable[[Model], Any]:
    """How a row's value of `field` is read, as `bulk_create` would (`pre_save`): a plain field's
    is its attribute (most of them: read without the call), a time stamp's is now (or the one
    set, with `keep_stamp`), a JSON field's is dumped."""
    name = field.attname
    if field.get_internal_type() == "JSONField":
        return lambda obj: json.dumps(field.pre_save(obj, True))
    if keep_stamp:
        return lambda obj: getattr(obj, name) or field.pre_save(obj, True)
    if type(field).pre_save is Field.pre_save:
        return attrgetter(name)
    return lambda obj: field.pre_save(obj, True)


def _stamped(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))

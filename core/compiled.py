"""Queries whose SQL the ORM builds once per process (issue 17).

Building a small query's SQL (its columns, joins, conditions and order, each compiled from an
expression) costs the person page more Python than PostgreSQL takes to run it: about 1 ms a
query, a quarter of the page's CPU (bench/README.md). `CompiledQuery(build, *fields)` asks
`build(*values)` for the queryset once per database, with stand-in values, keeps its SQL and
the places of each value among its parameters, and then runs that SQL with the values given,
making the rows into objects as the queryset would (its `only()`, `defer()`,
`select_related()`, annotations, order and slice), or into tuples (`values_list()`).

`fields`: the model field each value is compared with (a value goes to the database as that
field sends it). `build` must use nothing but the values it is given: no time of day, no
setting that may change, no other argument (each query is compiled with two sets of
stand-ins, which must differ only where the values go, or `ValueError`). No
`prefetch_related()` (the caller prefetches on the rows).

`OnePersonQuery(build)`: the rows of one person (`build(person_id)`), each with the person set
on it as a related manager sets it.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)


def _stand_ins(field: models.Field, connection, n: int = 0) -> tuple[Any, Any]:
    """Two values of the field's type that no real row has, other than those of the values
    before it (`n`), and within the column's range (Django builds no condition on a value
    beyond it)."""
    if field.is_relation:
        field = field.target_field  # type: ignore[attr-defined]
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=2 * n), uuid.UUID(int=2 * n + 1)
    if isinstance(field, models.DateTimeField):
        return (
            datetime.datetime(1901 + 2 * n, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC),
            datetime.datetime(1902 + 2 * n, 3, 4, 5, 6, 7, 8, tzinfo=datetime.UTC),
        )
    if isinstance(field, models.IntegerField):
        _low, high = connection.ops.integer_field_range(field.get_internal_type())
        return high - 1 - 2 * n, high - 2 - 2 * n
    raise TypeError(f"no stand-ins for {field!r}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[tuple[int, ...], ...]  # for each value, where it goes among the params
    compiler: Any  # after as_sql(): its select, klass_info and the converters' fields
    models: bool  # objects (ModelIterable) or tuples (values_list())
    init_list: list[str]
    start: int
    end: int
    populators: list
    annotations: dict[str, int]


class CompiledQuery:
    """`build(*values)`'s rows, from SQL built once per process (see module doc)."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *fields: models.Field) -> None:
        self._build = build
        self._fields = fields
        self._model: type[Model] | None = None
        self._for_write = False
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def rows(self, *values: Any) -> list:
        if self._model is None:
            queryset = self._build(
                *(_stand_ins(f, connections["default"])[0] for f in self._fields)
            )
            self._model, self._for_write = queryset.model, queryset._for_write  # type: ignore[attr-defined]
        # As the queryset's `db`: the primary for `select_for_update()`.
        route = router.db_for_write if self._for_write else router.db_for_read
        alias = route(self._model)
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = self._compiled[alias, connection.vendor] = self._compile(alias)
        params = list(compiled.params)
        for field, value, positions in zip(self._fields, values, compiled.positions, strict=True):
            prepared = field.get_db_prep_value(value, connection, prepared=False)
            for position in positions:
                params[position] = prepared
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        # A copy on this thread's connection: the converters ask it how to read a value.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        if compiler.has_extra_select:
            fetched = [row[: compiler.col_count] for row in fetched]
        rows = compiler.results_iter([fetched], tuple_expected=not compiled.models)
        if not compiled.models:
            return list(rows)
        found = []
        start, end, model = compiled.start, compiled.end, self._model
        for row in rows:
            obj = model.from_db(alias, compiled.init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        pairs = [_stand_ins(field, connection, n) for n, field in enumerate(self._fields)]
        built = []
        for n in (0, 1):
            values = [pair[n] for pair in pairs]
            queryset = self._build(*values)
            iterable = queryset._iterable_class
            if queryset._prefetch_related_lookups or iterable not in (  # type: ignore[attr-defined]
                ModelIterable,
                ValuesListIterable,
            ):
                raise ValueError(f"{queryset.model.__name__}: no prefetch_related() or values()")
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            prepared = [
                f.get_db_prep_value(v, connection, prepared=False)
                for f, v in zip(self._fields, values, strict=True)
            ]
            built.append((compiler, sql, tuple(params), prepared, iterable))
        (compiler, sql, params, first, iterable), (_c, other_sql, other_params, second, _i) = built
        positions = tuple(
            tuple(i for i, param in enumerate(params) if param == value) for value in first
        )
        expected = list(params)
        for value, places in zip(second, positions, strict=True):
            for i in places:
                expected[i] = value
        taken = [i for value in positions for i in value]
        if len(taken) != len(set(taken)):
            raise ValueError(f"{self._model}: two values stand at one place in the query")
        if not all(positions) or sql != other_sql or list(other_params) != expected:
            raise ValueError(f"{self._model}: only the values given may vary in the query")
        select, klass_info = compiler.select, compiler.klass_info
        is_models = iterable is ModelIterable
        fields = klass_info["select_fields"] if is_models else [0]
        start, end = fields[0], fields[-1] + 1
        return _Compiled(
            sql=sql,
            params=params,
            positions=positions,
            compiler=compiler,
            models=is_models,
            init_list=[column[0].target.attname for column in select[start:end]]
            if is_models
            else [],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias) if is_models else [],
            annotations=dict(compiler.annotation_col_map or {}),
        )


class OnePersonQuery(Generic[M]):
    """`build(person_id)`'s rows for one person, from SQL built once (see module doc).

    `path`: the field of the rows that is the person, when it is a foreign key on them (it is
    set on each row to the person given, as a related manager does; "" for none)."""

    def __init__(self, build: Callable[[Any], QuerySet[M]], path: str = "person") -> None:
        self._build = build
        self._query: CompiledQuery | None = None
        self._path = path

    def rows(self, person) -> list[M]:
        if self._query is None:
            self._query = CompiledQuery(self._build, type(person)._meta.pk)
        found = self._query.rows(person.pk)
        if self._path and found:
            field = type(found[0])._meta.get_field(self._path)
            for obj in found:
                field.set_cached_value(obj, person)
        return found

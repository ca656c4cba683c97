"""`AnyOf` and `ExistsPerRow`: membership PostgreSQL plans well (bench/README.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Exists, F, Lookup, Q

# Values whose text needs no quoting inside an array literal (exactly these types: not bool,
# nor an int or UUID subclass, whose text may differ; those go through the field instead).
_PLAIN_TYPES = frozenset({int, uuid.UUID})


def _all_plain(values: list) -> bool:
    """Whether every value is plain: one pass over the types (a large provider's 1,740 units in
    each of a page's eight queries; a test per value took 0.35 ms a query)."""
    return set(map(type, values)) <= _PLAIN_TYPES


class AnyOf(Lookup):
    """`lhs IN (…)` of a subquery or of a list of values; on PostgreSQL `lhs = ANY(…)`.

    - A subquery becomes `= ANY(ARRAY(subquery))`: PostgreSQL runs it once and can then use it
      as an index condition even inside an OR, where `IN (subquery)` or `EXISTS` force a scan
      of the whole table (the caseload page read every case to find a coordinator's twenty).
    - A list becomes `= ANY(%s)`, the list one array parameter: with thousands of ids, parsing
      a placeholder each cost 150 ms.

    Use it as an expression: `filter(AnyOf(F("pk"), Subquery(...)))` or `AnyOf(F("pk"), ids)`.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        values = list(value)
        if connection.vendor == "postgresql" and values and _all_plain(values):
            # One array literal ('{…}', typed by the column): psycopg would quote-check each
            # value of a list, a quarter of the culling's CPU (bench/README.md).
            return ("%s", ["{" + ",".join(map(str, values)) + "}"])
        return ("%s", [self._values(values, connection)])

    def _of_subquery(self) -> bool:
        return hasattr(self.rhs, "as_sql")

    def _values(self, value, connection) -> list:
        """The list's values as the column's field sends them (a UUID as the database stores
        it: text without dashes on SQLite, whose driver binds no UUID), so that one list may mix
        UUIDs and their text. A list PostgreSQL takes as it is (UUIDs, integers) is not
        converted one by one: thousands of ids in a culling's batch."""
        values = list(value)
        if connection.vendor == "postgresql" and _all_plain(values):
            return values
        field = self.lhs.output_field
        return [field.get_db_prep_value(v, connection, prepared=False) for v in values]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if self._of_subquery():
            rhs, rhs_params = self.process_rhs(compiler, connection)
            return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)
        values = self._values(self.rhs, connection)
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        template = "{lhs} = ANY(ARRAY{rhs})" if self._of_subquery() else "{lhs} = ANY({rhs})"
        return template.format(lhs=lhs, rhs=rhs), (*lhs_params, *rhs_params)


def among(field: str, values: Iterable) -> Q:
    """`field` is one of `values`, on PostgreSQL sent as one array (`AnyOf`): `field__in=values`
    with a placeholder per value cost a large provider's pages (1,740 units, seven lists on the
    start page) tens of ms of Python, and a culling batch's thousands of ids took longer to send
    than to look up. On SQLite an `IN` list. No values: nothing, without a query, as
    `__in=[]`."""
    values = list(values)
    if not values:
        return Q(pk__in=[])
    return Q(AnyOf(F(field), values))


class ExistsPerRow(Exists):
    """`EXISTS (… OFFSET 0)`: an EXISTS that PostgreSQL tests row by row, when it is reached.

    Without the `OFFSET 0` PostgreSQL may turn an EXISTS into a hash of the whole subquery,
    built the first time a row needs it: for someone named on every case, a read of the whole
    staff table to decide about a handful of cases outside their units. `OFFSET 0` keeps the
    subquery as written (PostgreSQL does not simplify it), and means the same everywhere."""

    template = "EXISTS(%(subquery)s OFFSET 0)"

"""Foreign keys without an index of their own (decisions.0013, provision.0015, intake.0010: the
history import writes fewer index entries per row): each column is still the first column of
an index, on PostgreSQL and on SQLite, so a lookup by it (a page's, a foreign key's check when
the row it points to is deleted) still finds an index; and the triggers of the tables stay."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.db.models import UUIDField

from decisions.models import Decision
from history.models import ImportedRecord
from intake.models import Intake
from provision.models import FollowUp, Order

LED = [
    (Decision, "case_id", "decision_case_date_idx"),
    (Decision, "support_kind_id", "decision_kind_date_idx"),
    (Order, "case_id", "order_case_start_idx"),
    (Order, "person_id", "order_person_start_idx"),
    (FollowUp, "closure_id", "follow_up_once_per_month"),
    (Intake, "unit_id", "intake_unit_status_idx"),
]


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: c["columns"]
        for name, c in constraints.items()
        if (c["index"] or c["unique"]) and not c["primary_key"] and not c["foreign_key"]
    }


@pytest.mark.parametrize(("model", "column", "index"), LED)
def test_the_column_is_led_by_an_index_and_has_none_of_its_own(db, model, column, index):
    indexes = _indexes(model)
    assert indexes[index][0] == column
    assert [column] not in indexes.values()
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    assert not field.db_index


def test_a_lookup_by_each_column_uses_an_index_it_leads(db):
    """Which of the indexes led by the column the planner takes depends on the tables'
    statistics; that it takes one whose first column it is does not."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for model, column, _index in LED:
            table = model._meta.db_table
            field = next(f for f in model._meta.concrete_fields if f.column == column)
            value = uuid.UUID(int=1) if isinstance(field.target_field, UUIDField) else 1
            sql = f'EXPLAIN SELECT 1 FROM "{table}" WHERE "{column}" = %s'  # noqa: S608 - ours
            cursor.execute(sql, [value])
            plan = " ".join(row[0] for row in cursor.fetchall())
            used = set(re.findall(r"Index (?:Only )?Scan (?:using|on) (\w+)", plan))
            led = {name for name, columns in _indexes(model).items() if columns[0] == column}
            assert used & led, (table, column, plan)


# Triggers on the tables whose indexes went: Django's AlterField would have rebuilt the tables
# on SQLite and lost them; the migrations drop the indexes alone.
TRIGGERS = {
    "decisions_decision": ("decisions_decision_decides", "provision_decision_date_to_order"),
    "provision_order": ("provision_order_decided_on",),
    "provision_followup": ("provision_followup_case_units",),
}


def test_the_tables_keep_their_triggers(db):
    with connection.cursor() as cursor:
        for table, names in TRIGGERS.items():
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [table]
                )
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
            found = {row[0] for row in cursor.fetchall()}
            for name in names:
                assert any(f.startswith(name) for f in found), (table, name, found)


def test_an_imported_records_run_has_no_index(db):
    """Nothing looks imported records up by their run (history.0003)."""
    assert ["run_id"] not in _indexes(ImportedRecord).values()
    assert not ImportedRecord._meta.get_field("run").db_index

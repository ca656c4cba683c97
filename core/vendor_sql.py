"""SQL a migration runs on one database only (triggers, backfills written for each vendor)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def run_per_vendor(statements: Mapping[str, Sequence[str]]) -> Callable[[Any, Any], None]:
    """A `RunPython` function that executes the statements listed for the migrating database's
    vendor ("postgresql", "sqlite"), in order; nothing on a vendor not listed."""

    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def index_dropped(table: str, column: str, index: str):
    """A migration operation dropping one column's index and only it (`DROP INDEX`), recreated on
    reverse: Django's `AlterField(db_index=False)` would also re-add the foreign key on
    PostgreSQL and rebuild the table on SQLite, losing its triggers (issue 17, hI)."""
    from django.db import migrations

    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{index}"',
        reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
    )

"""Foreign keys that refuse a delete at once: ON DELETE RESTRICT on PostgreSQL.

Django makes every foreign key NO ACTION, DEFERRABLE INITIALLY DEFERRED. For each row deleted,
each key pointing at its table then queues a check for the commit, and that check runs two
lookups: whether a row with the same key has come back, and whether a row still points at it.
RESTRICT runs only the second, at the end of the statement. Culling deletes millions of rows
through 157 keys (23 point at a person); RESTRICT took about a quarter of PostgreSQL's CPU out
of a first cull (bench/README.md). What the database refuses is the same: a row that others
still point at cannot go. The check only comes sooner, which nothing here relies on, since
Django deletes the rows that point before the row they point at, as the cull does. Inserts
and updates keep their deferred check: the constraints stay DEFERRABLE INITIALLY DEFERRED.

`restrict_deletes` runs after every `migrate` (retention.apps), so a key a later migration adds
or rebuilds is turned into RESTRICT as well; once all are, it is one catalogue query.
"""

from __future__ import annotations

from django.db import connections, transaction

NO_ACTION_KEYS = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE c.contype = 'f' AND c.confdeltype = 'a' AND n.nspname = current_schema()
    ORDER BY 1, 2
"""


def restricted(definition: str) -> str:
    """A NO ACTION key's definition (`pg_get_constraintdef`) with ON DELETE RESTRICT."""
    for before in (" DEFERRABLE", " NOT VALID"):
        if before in definition:
            return definition.replace(before, f" ON DELETE RESTRICT{before}", 1)
    return f"{definition} ON DELETE RESTRICT"


def restrict_deletes(using: str = "default", **kwargs) -> int:
    """Turn every NO ACTION foreign key of the schema into ON DELETE RESTRICT, keeping its
    name and deferral; the number turned. Nothing on SQLite.

    One transaction; each table is locked while its key is rebuilt and its rows checked: no
    time on an empty database; once on an upgrade (18 s at 100,000 people on a busy machine)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    qn = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(NO_ACTION_KEYS)
        keys = cursor.fetchall()
        for table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}, "  # noqa: S608 - names from the catalogue, quoted
                f"ADD CONSTRAINT {qn(name)} {restricted(definition)}"
            )
    if keys and kwargs.get("verbosity", 1) >= 1:
        print(f"  Foreign keys made ON DELETE RESTRICT: {len(keys)}")
    return len(keys)

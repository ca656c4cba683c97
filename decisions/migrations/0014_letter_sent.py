"""Decision.letter_sent, kept by the database: set when a delivery of the decision's letter is
inserted, never cleared by an update (the save of a copy read before the delivery). Triggers
rather than code in each place that records deliveries: the synthetic data inserts them in bulk.

The column is added by `ALTER TABLE ... ADD COLUMN` on both databases: Django's own AddField of a
NOT NULL column rebuilds the table on SQLite, which would lose the triggers of decisions.0011 and
0012 on `decisions_decision`.

The statement triggers' functions, this one and decisions.0010's, run without hash and merge
joins (as provision.0016's): PostgreSQL plans a function's query once a session, for the size of
the first statement's rows, and a first insert of many rows would leave later one-row inserts
hashing the whole decision or application table. With nested loops each inserted row costs one
index probe.
"""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

ADD_COLUMN = {
    "postgresql": [
        "ALTER TABLE decisions_decision ADD COLUMN letter_sent boolean NOT NULL DEFAULT false"
    ],
    "sqlite": ["ALTER TABLE decisions_decision ADD COLUMN letter_sent bool NOT NULL DEFAULT 0"],
}
DROP_COLUMN = {
    "postgresql": ["ALTER TABLE decisions_decision DROP COLUMN letter_sent"],
    "sqlite": ["ALTER TABLE decisions_decision DROP COLUMN letter_sent"],
}
BACKFILL = """
    UPDATE decisions_decision SET letter_sent = true
    WHERE EXISTS (
        SELECT 1 FROM decisions_letterdelivery l WHERE l.decision_id = decisions_decision.id
    )
"""
NESTED_LOOPS = "SET enable_hashjoin = off SET enable_mergejoin = off"
POSTGRESQL = [
    f"""
    CREATE FUNCTION decisions_decision_letter_sent() RETURNS trigger LANGUAGE plpgsql
    {NESTED_LOOPS} AS $$
    BEGIN
        UPDATE decisions_decision d SET letter_sent = true
        FROM inserted WHERE d.id = inserted.decision_id AND NOT d.letter_sent;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER decisions_letterdelivery_sends AFTER INSERT ON decisions_letterdelivery
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION decisions_decision_letter_sent()
    """,
    """
    CREATE FUNCTION decisions_decision_stays_sent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.letter_sent := true;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER decisions_decision_stays_sent BEFORE UPDATE ON decisions_decision
    FOR EACH ROW WHEN (OLD.letter_sent AND NOT NEW.letter_sent)
    EXECUTE FUNCTION decisions_decision_stays_sent()
    """,
    f"ALTER FUNCTION decisions_application_decided() {NESTED_LOOPS}",
]
POSTGRESQL_REVERSE = [
    "ALTER FUNCTION decisions_application_decided() RESET enable_hashjoin RESET enable_mergejoin",
    "DROP TRIGGER decisions_letterdelivery_sends ON decisions_letterdelivery",
    "DROP FUNCTION decisions_decision_letter_sent()",
    "DROP TRIGGER decisions_decision_stays_sent ON decisions_decision",
    "DROP FUNCTION decisions_decision_stays_sent()",
]
SQLITE = [
    """
    CREATE TRIGGER decisions_letterdelivery_sends AFTER INSERT ON decisions_letterdelivery
    BEGIN
        UPDATE decisions_decision SET letter_sent = 1
        WHERE id = NEW.decision_id AND NOT letter_sent;
    END
    """,
    """
    CREATE TRIGGER decisions_decision_stays_sent AFTER UPDATE OF letter_sent
    ON decisions_decision WHEN OLD.letter_sent AND NOT NEW.letter_sent
    BEGIN
        UPDATE decisions_decision SET letter_sent = 1 WHERE id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER decisions_letterdelivery_sends",
    "DROP TRIGGER decisions_decision_stays_sent",
]


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0013_hi_no_lone_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="decision",
                    name="letter_sent",
                    field=models.BooleanField(default=False, editable=False),
                ),
            ],
            database_operations=[
                migrations.RunPython(run_per_vendor(ADD_COLUMN), run_per_vendor(DROP_COLUMN)),
            ],
        ),
        migrations.RunPython(
            run_per_vendor({"postgresql": [BACKFILL, *POSTGRESQL], "sqlite": [BACKFILL, *SQLITE]}),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(("from_history", False), ("letter_sent", False)),
                fields=["decided_on", "number"],
                name="decision_unsent_idx",
            ),
        ),
    ]

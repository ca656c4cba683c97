"""Application.decided, kept by the database: set when a decision on the application is inserted,
never cleared by an update (a save of a copy read before the decision). Triggers rather than
code in each place that inserts decisions: the history import and the synthetic data insert them
in bulk, past any model method."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

POSTGRESQL = [
    """
    CREATE FUNCTION decisions_application_decided() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE decisions_application a SET decided = true
        FROM inserted WHERE a.id = inserted.application_id AND NOT a.decided;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER decisions_decision_decides AFTER INSERT ON decisions_decision
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION decisions_application_decided()
    """,
    """
    CREATE FUNCTION decisions_application_stays_decided() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.decided := OLD.decided OR NEW.decided;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER decisions_application_stays_decided BEFORE UPDATE ON decisions_application
    FOR EACH ROW EXECUTE FUNCTION decisions_application_stays_decided()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER decisions_decision_decides ON decisions_decision",
    "DROP FUNCTION decisions_application_decided()",
    "DROP TRIGGER decisions_application_stays_decided ON decisions_application",
    "DROP FUNCTION decisions_application_stays_decided()",
]
SQLITE = [
    """
    CREATE TRIGGER decisions_decision_decides AFTER INSERT ON decisions_decision
    BEGIN
        UPDATE decisions_application SET decided = 1
        WHERE id = NEW.application_id AND NOT decided;
    END
    """,
    """
    CREATE TRIGGER decisions_application_stays_decided AFTER UPDATE OF decided
    ON decisions_application WHEN OLD.decided AND NOT NEW.decided
    BEGIN
        UPDATE decisions_application SET decided = 1 WHERE id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER decisions_decision_decides",
    "DROP TRIGGER decisions_application_stays_decided",
]
BACKFILL = """
    UPDATE decisions_application SET decided = true
    WHERE EXISTS (
        SELECT 1 FROM decisions_decision d WHERE d.application_id = decisions_application.id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0009_ending_decision"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="decided",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(
            run_per_vendor({"postgresql": [BACKFILL, *POSTGRESQL], "sqlite": [BACKFILL, *SQLITE]}),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("decided", False)),
                fields=["applied_on", "created_at"],
                name="application_undecided_idx",
            ),
        ),
    ]

"""Decision.case_ended_on, kept by the database: the day the decision's case ended (its closing
day, or its opening day where none was recorded), null while the case is open.

Set when a decision is inserted (from its case) and whenever a case's status or dates change
(on each of its decisions). Triggers rather than code in each place, as for
`Application.decided` (0010): the history import and the synthetic data insert decisions and
close cases in bulk, past any model method, and a case may be closed and reopened. A write to
the column itself (or to the decision's case) is recomputed from the case, so the column can
only ever say what the case says."""

from django.db import migrations, models

# The value for a case row `c`: the same as Coalesce("case__closed_on", "case__opened_on") of a
# closed case, which the list sorted by before.
ENDED = "CASE WHEN {c}.status = 'closed' THEN COALESCE({c}.closed_on, {c}.opened_on) END"

POSTGRESQL = [
    f"""
    CREATE FUNCTION decisions_decision_case_ended_on() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.case_ended_on := (SELECT {ENDED.format(c="c")} FROM people_case c
                              WHERE c.id = NEW.case_id);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER decisions_decision_case_ended_on
    BEFORE INSERT OR UPDATE OF case_id, case_ended_on ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION decisions_decision_case_ended_on()
    """,
    f"""
    CREATE FUNCTION decisions_case_ended_on() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE decisions_decision SET case_ended_on = {ENDED.format(c="NEW")}
        WHERE case_id = NEW.id AND case_ended_on IS DISTINCT FROM ({ENDED.format(c="NEW")});
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER decisions_case_ended_on
    AFTER UPDATE OF status, closed_on, opened_on ON people_case FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.closed_on IS DISTINCT FROM NEW.closed_on
          OR OLD.opened_on IS DISTINCT FROM NEW.opened_on)
    EXECUTE FUNCTION decisions_case_ended_on()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER decisions_case_ended_on ON people_case",
    "DROP FUNCTION decisions_case_ended_on()",
    "DROP TRIGGER decisions_decision_case_ended_on ON decisions_decision",
    "DROP FUNCTION decisions_decision_case_ended_on()",
]
# SQLite has no BEFORE trigger that sets NEW: the row is updated after its insert. Recursive
# triggers are off (SQLite's default), so the update does not fire its own trigger again.
SQLITE = [
    f"""
    CREATE TRIGGER decisions_decision_case_ended_on AFTER INSERT ON decisions_decision
    BEGIN
        UPDATE decisions_decision SET case_ended_on = (
            SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = NEW.case_id
        ) WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER decisions_decision_case_ended_on_update
    AFTER UPDATE OF case_id, case_ended_on ON decisions_decision
    BEGIN
        UPDATE decisions_decision SET case_ended_on = (
            SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = NEW.case_id
        ) WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER decisions_case_ended_on AFTER UPDATE OF status, closed_on, opened_on
    ON people_case
    WHEN OLD.status IS NOT NEW.status
         OR OLD.closed_on IS NOT NEW.closed_on
         OR OLD.opened_on IS NOT NEW.opened_on
    BEGIN
        UPDATE decisions_decision SET case_ended_on = {ENDED.format(c="NEW")}
        WHERE case_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER decisions_case_ended_on",
    "DROP TRIGGER decisions_decision_case_ended_on_update",
    "DROP TRIGGER decisions_decision_case_ended_on",
]
# Before the triggers: only the decisions of closed cases are written.
BACKFILL = f"""
    UPDATE decisions_decision SET case_ended_on = (
        SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = decisions_decision.case_id
    )
    WHERE case_id IN (SELECT id FROM people_case WHERE status = 'closed')
"""


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0010_h8_application_decided"),
        ("people", "0006_h5_open_cases_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="case_ended_on",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(
            _run({"postgresql": [BACKFILL, *POSTGRESQL], "sqlite": [BACKFILL, *SQLITE]}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(
                    ("case_ended_on__isnull", False), ("outcome__in", ("grant", "partial"))
                ),
                fields=["period_to", "case_ended_on", "number"],
                name="decision_left_in_force_idx",
            ),
        ),
    ]

"""Decision.case_ended_on and Decision.left_running_until, kept by the database: the day the
decision's case ended (its closing day, or its opening day where none was recorded), null while
the case is open; and for a grant or partial grant in a closed case, the last day of its period
(9999-12-31 when it has none), null for any other decision.

Set when a decision is inserted (from its case), when its case, outcome or period is written,
and whenever a case's status or dates change (on each of its decisions). Triggers rather than
code in each place, as for `Application.decided` (0010): the history import and the synthetic
data insert decisions and close cases in bulk, past any model method, a case may be closed and
reopened, and a corrected re-import corrects a period. A write to the columns themselves is
recomputed, so they can only ever say what the case and the decision say."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

# The value for a case row `c`: the same as Coalesce("case__closed_on", "case__opened_on") of a
# closed case, which the list sorted by before.
ENDED = "CASE WHEN {c}.status = 'closed' THEN COALESCE({c}.closed_on, {c}.opened_on) END"
# For a decision row `d`, given whether its case is closed: what the list asks to be after today.
RUNNING_IF = (
    "CASE WHEN {closed} AND {d}outcome IN ('grant', 'partial')"
    " THEN COALESCE({d}period_to, '9999-12-31') END"
)
RUNNING = RUNNING_IF.replace("{closed}", "{d}case_ended_on IS NOT NULL")

POSTGRESQL = [
    f"""
    CREATE FUNCTION decisions_decision_case_ended_on() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.case_ended_on := (SELECT {ENDED.format(c="c")} FROM people_case c
                              WHERE c.id = NEW.case_id);
        NEW.left_running_until := {RUNNING.format(d="NEW.")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER decisions_decision_case_ended_on
    BEFORE INSERT OR UPDATE OF case_id, outcome, period_to, case_ended_on, left_running_until
    ON decisions_decision
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
# SQLite has no BEFORE trigger that sets NEW: the row is updated after its insert or update.
# Recursive triggers are off (SQLite's default), so an update does not fire its own trigger again.
SQLITE_BODY = f"""
        UPDATE decisions_decision SET case_ended_on = (
            SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = NEW.case_id
        ) WHERE id = NEW.id;
        UPDATE decisions_decision SET left_running_until = {RUNNING.format(d="")}
        WHERE id = NEW.id;"""
SQLITE = [
    f"""
    CREATE TRIGGER decisions_decision_case_ended_on AFTER INSERT ON decisions_decision
    BEGIN{SQLITE_BODY}
    END
    """,
    f"""
    CREATE TRIGGER decisions_decision_case_ended_on_update
    AFTER UPDATE OF case_id, outcome, period_to, case_ended_on, left_running_until
    ON decisions_decision
    BEGIN{SQLITE_BODY}
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
        UPDATE decisions_decision SET left_running_until = {RUNNING.format(d="")}
        WHERE case_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER decisions_case_ended_on",
    "DROP TRIGGER decisions_decision_case_ended_on_update",
    "DROP TRIGGER decisions_decision_case_ended_on",
]
# Before the triggers: only the decisions of closed cases are written, each once (a second
# update of the same rows in this transaction would queue a key check for each).
BACKFILL = [
    f"""
    UPDATE decisions_decision SET
        case_ended_on = (
            SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = decisions_decision.case_id
        ),
        left_running_until = {RUNNING_IF.format(closed="true", d="")}
    WHERE case_id IN (SELECT id FROM people_case WHERE status = 'closed')
    """,
]

CHECKED = ["SET CONSTRAINTS ALL IMMEDIATE", "SET CONSTRAINTS ALL DEFERRED"]


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
        migrations.AddField(
            model_name="decision",
            name="left_running_until",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(
            run_per_vendor(
                {
                    # Any deferred key checks of the backfill run here: PostgreSQL builds no index
                    # on a table with checks pending.
                    "postgresql": [*BACKFILL, *CHECKED, *POSTGRESQL],
                    "sqlite": [*BACKFILL, *SQLITE],
                }
            ),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(("left_running_until__isnull", False)),
                fields=["left_running_until", "case_ended_on", "number"],
                name="decision_left_in_force_idx",
            ),
        ),
    ]

"""`Decision.left_running_until` says only what still runs: the last day of a grant's period in
a closed case while that day is today or later (the database's date), null once it has passed.

The officer's "still in force in a closed case" lists the grants of closed cases whose period
runs past today, oldest closing day first. With every grant of a closed case kept, the running
ones (12,600 at a million people) had to be read and sorted for the first page, and the ended
ones grow with every year. Kept to the running ones, the partial index holds little more than
the list and gives its order: `decision_left_in_force_idx` is now on (case_ended_on, number)
where `left_running_until` is set, walked in order until a page is full.

The triggers of 0011 now leave a passed day out when they write; what passes later is cleared by
the daily jobs (`manage.py clear_ended_periods`, which writes the column and lets the trigger
recompute it). The list still asks `left_running_until > today`, so a day not yet cleared is
never shown. The date is the database's (UTC on Django's connections): never later than Swedish
local time's, so nothing that runs today by Swedish time is ever cleared."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

ENDED = "CASE WHEN {c}.status = 'closed' THEN COALESCE({c}.closed_on, {c}.opened_on) END"


def running(d: str, today: str, closed: str | None = None) -> str:
    """The value for decision row `d` (a prefix: "NEW." or ""): its period's last day if it is
    a grant in a closed case and that day is not before `today`."""
    closed = closed or f"{d}case_ended_on IS NOT NULL"
    until = f"COALESCE({d}period_to, '9999-12-31')"
    return (
        f"CASE WHEN {closed} AND {d}outcome IN ('grant', 'partial') AND {until} >= {today}"
        f" THEN {until} END"
    )


def postgresql(running_sql: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION decisions_decision_case_ended_on() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.case_ended_on := (SELECT {ENDED.format(c="c")} FROM people_case c
                                  WHERE c.id = NEW.case_id);
            NEW.left_running_until := {running_sql};
            RETURN NEW;
        END $$
        """
    ]


POSTGRESQL = postgresql(running("NEW.", "CURRENT_DATE"))
POSTGRESQL_REVERSE = postgresql(
    "CASE WHEN NEW.case_ended_on IS NOT NULL AND NEW.outcome IN ('grant', 'partial')"
    " THEN COALESCE(NEW.period_to, '9999-12-31') END"
)


def sqlite(running_sql: str) -> list[str]:
    body = f"""
        UPDATE decisions_decision SET case_ended_on = (
            SELECT {ENDED.format(c="c")} FROM people_case c WHERE c.id = NEW.case_id
        ) WHERE id = NEW.id;
        UPDATE decisions_decision SET left_running_until = {running_sql}
        WHERE id = NEW.id;"""
    return [
        "DROP TRIGGER decisions_case_ended_on",
        "DROP TRIGGER decisions_decision_case_ended_on_update",
        "DROP TRIGGER decisions_decision_case_ended_on",
        f"""
        CREATE TRIGGER decisions_decision_case_ended_on AFTER INSERT ON decisions_decision
        BEGIN{body}
        END
        """,
        f"""
        CREATE TRIGGER decisions_decision_case_ended_on_update
        AFTER UPDATE OF case_id, outcome, period_to, case_ended_on, left_running_until
        ON decisions_decision
        BEGIN{body}
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
            UPDATE decisions_decision SET left_running_until = {running_sql}
            WHERE case_id = NEW.id;
        END
        """,
    ]


SQLITE = sqlite(running("", "date('now')"))
SQLITE_REVERSE = sqlite(
    "CASE WHEN case_ended_on IS NOT NULL AND outcome IN ('grant', 'partial')"
    " THEN COALESCE(period_to, '9999-12-31') END"
)
# The days already passed, cleared as the daily job clears them (the trigger writes the null).
CLEAR = {
    "postgresql": [
        "UPDATE decisions_decision SET left_running_until = NULL"
        " WHERE left_running_until < CURRENT_DATE"
    ],
    "sqlite": [
        "UPDATE decisions_decision SET left_running_until = NULL"
        " WHERE left_running_until < date('now')"
    ],
}
# Before the reverse's triggers: every grant of a closed case has its day again.
RESTORE = (
    "UPDATE decisions_decision SET left_running_until = COALESCE(period_to, '9999-12-31')"
    " WHERE case_ended_on IS NOT NULL AND outcome IN ('grant', 'partial')"
)
CHECKED = ["SET CONSTRAINTS ALL IMMEDIATE", "SET CONSTRAINTS ALL DEFERRED"]


class Migration(migrations.Migration):
    dependencies = [("decisions", "0011_ha_decision_case_ended_on")]

    operations = [
        migrations.RemoveIndex(model_name="decision", name="decision_left_in_force_idx"),
        migrations.RunPython(
            run_per_vendor(
                {
                    "postgresql": [*POSTGRESQL, *CLEAR["postgresql"], *CHECKED],
                    "sqlite": [*SQLITE, *CLEAR["sqlite"]],
                }
            ),
            run_per_vendor(
                {
                    "postgresql": [*POSTGRESQL_REVERSE, RESTORE, *CHECKED],
                    "sqlite": [*SQLITE_REVERSE, RESTORE],
                }
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(("left_running_until__isnull", False)),
                fields=["case_ended_on", "number"],
                name="decision_left_in_force_idx",
            ),
        ),
    ]

"""A new decision's date given to its orders and a new closure's case to its follow-ups
(provision.0013, provision.0012) once per insert statement, over the rows it inserted (a
transition table), instead of once per row (issue 17). These only ever find a row when the order
or follow-up was inserted before what it points to (the keys are checked at the commit); the
history import inserts a batch's decisions and closures first, with one COPY each, and per row
each ran an UPDATE that found nothing, a decision's also firing the order table's statement
trigger of provision.0014: about 25,600 calls of the three functions per 10,000 imported people.
Now one call of each per statement. What the columns hold is unchanged (the tests of 0012/0013,
and a bulk insert of many rows in `tests/provision/test_order_decided_on.py` and
`test_follow_up_units.py`).

The triggers on an update (a decision's date changed, a closure moved) stay per row, with their
WHEN, as do the BEFORE INSERT OR UPDATE triggers filling an order's date and a follow-up's case
and units (and decisions.0011's `case_ended_on`). Measured against their one indexed lookup a
row, a statement's UPDATE of the inserted rows whose copies differ is cheaper only for a bulk
insert whose code writes the copies itself (2,000 rows: 5-8 µs less a row); it costs more where
the code does not (9-37 µs a row) and on a one-row insert (12-39 µs).

The functions run without hash and merge joins: PostgreSQL plans a function's query once a
session, for the size of the first statement's rows, and a first insert of many rows would leave
later one-row inserts joined by hashing the whole order table (measured against a million
orders: 0.4 s each instead of under 1 ms). With nested loops each inserted row costs one index
probe.

SQLite has no statement-level triggers: its triggers stay as they are."""

from django.db import migrations

from core.vendor_sql import run_per_vendor

NESTED_LOOPS = "SET enable_hashjoin = off SET enable_mergejoin = off"
POSTGRESQL = [
    "DROP TRIGGER provision_decision_date_to_order ON decisions_decision",
    f"""
    CREATE FUNCTION provision_decisions_date_to_orders() RETURNS trigger LANGUAGE plpgsql
    {NESTED_LOOPS} AS $$
    BEGIN
        -- Only orders inserted before their decisions, in the same transaction: rarely any, and
        -- then no UPDATE (which would also fire the order table's statement triggers).
        IF EXISTS (SELECT FROM new_rows n JOIN provision_order o ON o.decision_id = n.id) THEN
            UPDATE provision_order o SET decided_on = n.decided_on
            FROM new_rows n WHERE o.decision_id = n.id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER provision_decision_date_to_order AFTER INSERT ON decisions_decision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION provision_decisions_date_to_orders()
    """,
    "DROP TRIGGER provision_closure_case_to_follow_ups ON provision_closure",
    # Each follow-up updated takes its closure's case and units (provision.0012's row trigger).
    f"""
    CREATE FUNCTION provision_closures_case_to_follow_ups() RETURNS trigger LANGUAGE plpgsql
    {NESTED_LOOPS} AS $$
    BEGIN
        UPDATE provision_followup f SET case_id = n.case_id
        FROM new_rows n WHERE f.closure_id = n.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER provision_closure_case_to_follow_ups AFTER INSERT ON provision_closure
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION provision_closures_case_to_follow_ups()
    """,
]
# As provision.0012 and 0013 made them (their functions still serve the update triggers).
POSTGRESQL_REVERSE = [
    "DROP TRIGGER provision_closure_case_to_follow_ups ON provision_closure",
    "DROP FUNCTION provision_closures_case_to_follow_ups()",
    """
    CREATE TRIGGER provision_closure_case_to_follow_ups AFTER INSERT ON provision_closure
    FOR EACH ROW EXECUTE FUNCTION provision_closure_case_to_follow_ups()
    """,
    "DROP TRIGGER provision_decision_date_to_order ON decisions_decision",
    "DROP FUNCTION provision_decisions_date_to_orders()",
    """
    CREATE TRIGGER provision_decision_date_to_order AFTER INSERT ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION provision_decision_date_to_order()
    """,
]


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0015_hi_no_lone_fk_indexes"),
    ]

    operations = [
        migrations.RunPython(
            run_per_vendor({"postgresql": POSTGRESQL}),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE}),
        ),
    ]

"""The statement triggers' lookups made row by row, whatever the planner believes of a table.

PostgreSQL plans a trigger function's query once a session, from its statistics of each table,
which count only committed rows. Into a new database the history import fills the closures,
orders and follow-ups of thousands of cases in one transaction, while the planner still takes
those tables for a few rows, and planned two lookups as reads of a whole table:

- a new closure's follow-ups and a new decision's orders (provision.0016): every follow-up or
  order read, and each tested against every inserted closure or decision;
- the follow-up places of a statement's cases (provision.0014): the closures and orders joined
  by reading all of both (a merge join over whole indexes).

So each batch's closures took longer than the batch before: 35 ms for the fourth batch of 2,000
people, 270 ms for the seventeenth (bench/README.md, the history import at 2,000 a second).
Now each inserted closure, and each case, is looked up through its own index entries (a
LATERAL subquery per row, which no statistics can turn into a read of the whole table); a new
closure's follow-ups are updated only when there are any (only follow-ups inserted before
their closure, in the same transaction: rarely), as a new decision's orders already were. The
rows come out as before (tested, with how many rows an import reads:
`tests/history/test_batches.py`). SQLite's triggers work per row already."""

from django.db import migrations

from core.vendor_sql import run_per_vendor

# The rows of a set of cases, as they follow from their closures and orders: as provision.0014's
# REWRITE, each case's closures and orders found through its index (`OFFSET 0` keeps each
# subquery a lookup per case).
REWRITE = """
    DELETE FROM provision_followupplace WHERE case_id = ANY(cases);
    INSERT INTO provision_followupplace
        (closure_id, case_id, support_kind_id, provider_unit_id, closed_on)
    SELECT DISTINCT c.id, c.case_id, o.support_kind_id, o.provider_unit_id, c.closed_on
    FROM unnest(cases) AS x(case_id)
    CROSS JOIN LATERAL (
        SELECT c.id, c.case_id, c.closed_on FROM provision_closure c
        WHERE c.case_id = x.case_id AND c.follow_up_consent OFFSET 0
    ) c
    CROSS JOIN LATERAL (
        SELECT o.support_kind_id, o.provider_unit_id FROM provision_order o
        WHERE o.case_id = x.case_id OFFSET 0
    ) o;
"""
CHANGED = {
    "provision_order": "(o.case_id, o.support_kind_id, o.provider_unit_id)"
    " IS DISTINCT FROM (n.case_id, n.support_kind_id, n.provider_unit_id)",
    "provision_closure": "(o.case_id, o.closed_on, o.follow_up_consent)"
    " IS DISTINCT FROM (n.case_id, n.closed_on, n.follow_up_consent)",
}


def function(rewrite: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION provision_follow_up_places() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        cases uuid[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT case_id) INTO cases FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT case_id) INTO cases FROM old_rows;
        ELSIF TG_TABLE_NAME = 'provision_order' THEN
            SELECT array_agg(DISTINCT x) INTO cases
            FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.case_id), (n.case_id)) v(x)
            WHERE {CHANGED["provision_order"]};
        ELSE
            SELECT array_agg(DISTINCT x) INTO cases
            FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.case_id), (n.case_id)) v(x)
            WHERE {CHANGED["provision_closure"]};
        END IF;
        IF cases IS NOT NULL THEN
            {rewrite}
        END IF;
        RETURN NULL;
    END $$
    """


# provision.0014's query, for going back.
BEFORE = """
    DELETE FROM provision_followupplace WHERE case_id = ANY(cases);
    INSERT INTO provision_followupplace
        (closure_id, case_id, support_kind_id, provider_unit_id, closed_on)
    SELECT DISTINCT c.id, c.case_id, o.support_kind_id, o.provider_unit_id, c.closed_on
    FROM provision_closure c JOIN provision_order o ON o.case_id = c.case_id
    WHERE c.case_id = ANY(cases) AND c.follow_up_consent;
"""


def copied_to_earlier_rows(function: str, table: str, key: str, column: str) -> str:
    """`function`: the rows of `table` whose `key` is an inserted row's id take its `column`.
    Only rows inserted before what they point to, in the same transaction: rarely any, looked
    for row by row, and then no UPDATE (which would also fire the table's statement
    triggers)."""
    return f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
    LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
    BEGIN
        IF EXISTS (
            SELECT FROM new_rows n CROSS JOIN LATERAL (
                SELECT FROM {table} r WHERE r.{key} = n.id LIMIT 1
            ) r
        ) THEN
            UPDATE {table} r SET {column} = n.{column}
            FROM new_rows n WHERE r.{key} = n.id;
        END IF;
        RETURN NULL;
    END $$
    """


CLOSURES_TO_FOLLOW_UPS = copied_to_earlier_rows(
    "provision_closures_case_to_follow_ups", "provision_followup", "closure_id", "case_id"
)
DECISIONS_TO_ORDERS = copied_to_earlier_rows(
    "provision_decisions_date_to_orders", "provision_order", "decision_id", "decided_on"
)
# provision.0016's, for going back.
DECISIONS_TO_ORDERS_BEFORE = """
    CREATE OR REPLACE FUNCTION provision_decisions_date_to_orders() RETURNS trigger
    LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
    BEGIN
        IF EXISTS (SELECT FROM new_rows n JOIN provision_order o ON o.decision_id = n.id) THEN
            UPDATE provision_order o SET decided_on = n.decided_on
            FROM new_rows n WHERE o.decision_id = n.id;
        END IF;
        RETURN NULL;
    END $$
"""
CLOSURES_TO_FOLLOW_UPS_BEFORE = """
    CREATE OR REPLACE FUNCTION provision_closures_case_to_follow_ups() RETURNS trigger
    LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
    BEGIN
        UPDATE provision_followup f SET case_id = n.case_id
        FROM new_rows n WHERE f.closure_id = n.id;
        RETURN NULL;
    END $$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0016_imp_insert_triggers_per_statement"),
    ]

    operations = [
        migrations.RunPython(
            run_per_vendor(
                {"postgresql": [function(REWRITE), CLOSURES_TO_FOLLOW_UPS, DECISIONS_TO_ORDERS]}
            ),
            run_per_vendor(
                {
                    "postgresql": [
                        function(BEFORE),
                        CLOSURES_TO_FOLLOW_UPS_BEFORE,
                        DECISIONS_TO_ORDERS_BEFORE,
                    ]
                }
            ),
        ),
    ]

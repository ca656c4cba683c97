"""FollowUpPlace, kept by the database: a row for each consenting closure and each kind and
provider unit of its case's orders, which the capacity page counts from one index (issue 17: it
tested each of a year's 22,493 consenting closures against its case's orders, 70–105 ms for the
manager of everything at a million people). Triggers on closures and orders rewrite the rows of
the cases a statement touched (a handful of rows each), rather than code in each place that
writes them: the history import and the synthetic data insert in bulk, merging moves them to
another case, culling deletes them."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

# The rows of a set of cases, as they follow from their closures and orders.
REWRITE = """
    DELETE FROM provision_followupplace WHERE case_id {cases};
    INSERT INTO provision_followupplace
        (closure_id, case_id, support_kind_id, provider_unit_id, closed_on)
    SELECT DISTINCT c.id, c.case_id, o.support_kind_id, o.provider_unit_id, c.closed_on
    FROM provision_closure c JOIN provision_order o ON o.case_id = c.case_id
    WHERE c.case_id {cases} AND c.follow_up_consent;
"""
# What of each table the rows depend on: an update of anything else (an order's status, the
# closure's reason) leaves them as they are.
COLUMNS = {
    "provision_closure": ("case_id", "closed_on", "follow_up_consent"),
    "provision_order": ("case_id", "support_kind_id", "provider_unit_id"),
}


def _changed(columns: tuple[str, ...]) -> str:
    old = ", ".join(f"o.{c}" for c in columns)
    new = ", ".join(f"n.{c}" for c in columns)
    return f"({old}) IS DISTINCT FROM ({new})"


POSTGRESQL = [
    f"""
    CREATE FUNCTION provision_follow_up_places() RETURNS trigger LANGUAGE plpgsql AS $$
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
            WHERE {_changed(COLUMNS["provision_order"])};
        ELSE
            SELECT array_agg(DISTINCT x) INTO cases
            FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.case_id), (n.case_id)) v(x)
            WHERE {_changed(COLUMNS["provision_closure"])};
        END IF;
        IF cases IS NOT NULL THEN
            {REWRITE.format(cases="= ANY(cases)")}
        END IF;
        RETURN NULL;
    END $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_follow_up_places_{event.lower()} AFTER {event} ON {table}
        REFERENCING {references} FOR EACH STATEMENT
        EXECUTE FUNCTION provision_follow_up_places()
        """
        for table in COLUMNS
        for event, references in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
]
POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER {table}_follow_up_places_{event} ON {table}"
        for table in COLUMNS
        for event in ("insert", "update", "delete")
    ),
    "DROP FUNCTION provision_follow_up_places()",
]
SQLITE = [
    *(
        f"""
        CREATE TRIGGER {table}_follow_up_places_insert AFTER INSERT ON {table}
        BEGIN {REWRITE.format(cases="= NEW.case_id")} END
        """
        for table in COLUMNS
    ),
    *(
        f"""
        CREATE TRIGGER {table}_follow_up_places_update AFTER UPDATE OF {", ".join(columns)}
        ON {table}
        BEGIN
            {REWRITE.format(cases="= OLD.case_id")}
            {REWRITE.format(cases="= NEW.case_id")}
        END
        """
        for table, columns in COLUMNS.items()
    ),
    *(
        f"""
        CREATE TRIGGER {table}_follow_up_places_delete AFTER DELETE ON {table}
        BEGIN {REWRITE.format(cases="= OLD.case_id")} END
        """
        for table in COLUMNS
    ),
]
SQLITE_REVERSE = [
    f"DROP TRIGGER {table}_follow_up_places_{event}"
    for table in COLUMNS
    for event in ("insert", "update", "delete")
]
BACKFILL = """
    INSERT INTO provision_followupplace
        (closure_id, case_id, support_kind_id, provider_unit_id, closed_on)
    SELECT DISTINCT c.id, c.case_id, o.support_kind_id, o.provider_unit_id, c.closed_on
    FROM provision_closure c JOIN provision_order o ON o.case_id = c.case_id
    WHERE c.follow_up_consent
"""


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0013_hc_order_decided_on"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowUpPlace",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("closure_id", models.UUIDField()),
                ("case_id", models.UUIDField()),
                ("support_kind_id", models.BigIntegerField()),
                ("provider_unit_id", models.BigIntegerField()),
                ("closed_on", models.DateField()),
            ],
            options={
                "default_permissions": (),
                "indexes": [
                    models.Index(
                        fields=["provider_unit_id", "closed_on", "support_kind_id", "closure_id"],
                        name="followupplace_count_idx",
                    ),
                    models.Index(fields=["case_id"], name="followupplace_case_idx"),
                ],
            },
        ),
        migrations.RunPython(
            run_per_vendor({"postgresql": [BACKFILL, *POSTGRESQL], "sqlite": [BACKFILL, *SQLITE]}),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]

"""Order.decided_on: a copy of its decision's date, kept by the database, so that the new orders
of a large provider are walked in that order through an index on the order (issue 17).
Triggers, as provision.0011: an order inserted or updated takes its decision's date (a save of
a copy read earlier cannot write another back); a decision whose date changes gives it to its
order. `generate_synthetic` on PostgreSQL turns triggers off for its bulk insert and writes the
copy itself (history/synthetic.py)."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

SQLITE_COPY = (
    "decided_on = (SELECT d.decided_on FROM decisions_decision d WHERE d.id = {row}.decision_id)"
)
BACKFILL = {
    "postgresql": """
        UPDATE provision_order o SET decided_on = d.decided_on
        FROM decisions_decision d WHERE d.id = o.decision_id
    """,
    "sqlite": "UPDATE provision_order SET " + SQLITE_COPY.format(row="provision_order"),
}
POSTGRESQL = [
    """
    CREATE FUNCTION provision_order_decided_on() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT d.decided_on INTO NEW.decided_on
        FROM decisions_decision d WHERE d.id = NEW.decision_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER provision_order_decided_on BEFORE INSERT OR UPDATE ON provision_order
    FOR EACH ROW EXECUTE FUNCTION provision_order_decided_on()
    """,
    # Inserted with its order after it (the keys are checked at the commit), or its date changed.
    """
    CREATE FUNCTION provision_decision_date_to_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE provision_order SET decided_on = NEW.decided_on WHERE decision_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER provision_decision_date_to_order AFTER INSERT ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION provision_decision_date_to_order()
    """,
    """
    CREATE TRIGGER provision_decision_date_changes_order
    AFTER UPDATE OF decided_on ON decisions_decision
    FOR EACH ROW WHEN (OLD.decided_on IS DISTINCT FROM NEW.decided_on)
    EXECUTE FUNCTION provision_decision_date_to_order()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER provision_decision_date_changes_order ON decisions_decision",
    "DROP TRIGGER provision_decision_date_to_order ON decisions_decision",
    "DROP FUNCTION provision_decision_date_to_order()",
    "DROP TRIGGER provision_order_decided_on ON provision_order",
    "DROP FUNCTION provision_order_decided_on()",
]
SQLITE = [
    f"""
    CREATE TRIGGER provision_order_decided_on_insert AFTER INSERT ON provision_order
    BEGIN
        UPDATE provision_order SET {SQLITE_COPY.format(row="NEW")} WHERE id = NEW.id;
    END
    """,
    # Only when the copy differs: the update below then does not fire this trigger again.
    f"""
    CREATE TRIGGER provision_order_decided_on_update AFTER UPDATE ON provision_order
    WHEN NEW.decided_on IS NOT (
        SELECT d.decided_on FROM decisions_decision d WHERE d.id = NEW.decision_id
    )
    BEGIN
        UPDATE provision_order SET {SQLITE_COPY.format(row="NEW")} WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER provision_decision_date_to_order AFTER INSERT ON decisions_decision
    BEGIN
        UPDATE provision_order SET decided_on = NEW.decided_on WHERE decision_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER provision_decision_date_changes_order
    AFTER UPDATE OF decided_on ON decisions_decision
    WHEN OLD.decided_on IS NOT NEW.decided_on
    BEGIN
        UPDATE provision_order SET decided_on = NEW.decided_on WHERE decision_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER provision_decision_date_changes_order",
    "DROP TRIGGER provision_decision_date_to_order",
    "DROP TRIGGER provision_order_decided_on_update",
    "DROP TRIGGER provision_order_decided_on_insert",
]


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0010_h8_application_decided"),
        ("provision", "0012_hc_followup_case_units"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="decided_on",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(
            run_per_vendor(
                {
                    "postgresql": [BACKFILL["postgresql"], *POSTGRESQL],
                    "sqlite": [BACKFILL["sqlite"], *SQLITE],
                }
            ),
            run_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status", "new")),
                fields=["decided_on", "created_at", "id"],
                name="order_new_decided_idx",
            ),
        ),
    ]

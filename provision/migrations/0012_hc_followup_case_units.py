"""FollowUp.case, .authority_unit and .provider_unit: copies of its closure's case and of that
case's units now, kept by the database, so that a manager's follow-ups due are found through an
index on the follow-up (issue 17). Triggers rather than code in each place that writes: the
history import inserts follow-ups in bulk, and a case moves to another team or unit past any
model method (`case.save(update_fields=…)`, a queryset's `update`).

- A follow-up inserted or updated takes its closure's case and units (a save of a copy read
  before its case moved cannot write the old units back).
- A closure inserted or moved to another case gives its follow-ups the case's.
- A case given another unit gives them to its follow-ups.

`generate_synthetic` on PostgreSQL turns triggers off for its bulk insert (`_fast_session`) and
writes the copies itself (history/synthetic.py)."""

from django.db import migrations, models

from core.vendor_sql import run_per_vendor

# The follow-up's columns from its closure's case (SQLite: one subquery each).
SQLITE_COPY = """
    case_id = (SELECT cl.case_id FROM provision_closure cl WHERE cl.id = {row}.closure_id),
    authority_unit_id = (
        SELECT c.authority_unit_id FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = {row}.closure_id
    ),
    provider_unit_id = (
        SELECT c.provider_unit_id FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = {row}.closure_id
    )
"""
SQLITE_STALE = """
    NEW.case_id IS NOT (SELECT cl.case_id FROM provision_closure cl WHERE cl.id = NEW.closure_id)
    OR NEW.authority_unit_id IS NOT (
        SELECT c.authority_unit_id FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = NEW.closure_id
    )
    OR NEW.provider_unit_id IS NOT (
        SELECT c.provider_unit_id FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = NEW.closure_id
    )
"""
BACKFILL = {
    "postgresql": """
        UPDATE provision_followup f SET
            case_id = c.id, authority_unit_id = c.authority_unit_id,
            provider_unit_id = c.provider_unit_id
        FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = f.closure_id
    """,
    "sqlite": "UPDATE provision_followup SET " + SQLITE_COPY.format(row="provision_followup"),
}
POSTGRESQL = [
    """
    CREATE FUNCTION provision_followup_case_units() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT c.id, c.authority_unit_id, c.provider_unit_id
        INTO NEW.case_id, NEW.authority_unit_id, NEW.provider_unit_id
        FROM provision_closure cl JOIN people_case c ON c.id = cl.case_id
        WHERE cl.id = NEW.closure_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER provision_followup_case_units BEFORE INSERT OR UPDATE ON provision_followup
    FOR EACH ROW EXECUTE FUNCTION provision_followup_case_units()
    """,
    # Each follow-up updated takes the case's again (the trigger above).
    """
    CREATE FUNCTION provision_closure_case_to_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE provision_followup SET case_id = NEW.case_id WHERE closure_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER provision_closure_case_to_follow_ups AFTER INSERT ON provision_closure
    FOR EACH ROW EXECUTE FUNCTION provision_closure_case_to_follow_ups()
    """,
    """
    CREATE TRIGGER provision_closure_moves_follow_ups AFTER UPDATE OF case_id ON provision_closure
    FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id)
    EXECUTE FUNCTION provision_closure_case_to_follow_ups()
    """,
    """
    CREATE FUNCTION provision_case_units_to_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE provision_followup
        SET authority_unit_id = NEW.authority_unit_id, provider_unit_id = NEW.provider_unit_id
        WHERE case_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER provision_case_units_to_follow_ups
    AFTER UPDATE OF authority_unit_id, provider_unit_id ON people_case FOR EACH ROW
    WHEN (
        OLD.authority_unit_id IS DISTINCT FROM NEW.authority_unit_id
        OR OLD.provider_unit_id IS DISTINCT FROM NEW.provider_unit_id
    )
    EXECUTE FUNCTION provision_case_units_to_follow_ups()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER provision_case_units_to_follow_ups ON people_case",
    "DROP FUNCTION provision_case_units_to_follow_ups()",
    "DROP TRIGGER provision_closure_moves_follow_ups ON provision_closure",
    "DROP TRIGGER provision_closure_case_to_follow_ups ON provision_closure",
    "DROP FUNCTION provision_closure_case_to_follow_ups()",
    "DROP TRIGGER provision_followup_case_units ON provision_followup",
    "DROP FUNCTION provision_followup_case_units()",
]
SQLITE = [
    f"""
    CREATE TRIGGER provision_followup_case_units_insert AFTER INSERT ON provision_followup
    BEGIN
        UPDATE provision_followup SET {SQLITE_COPY.format(row="NEW")} WHERE id = NEW.id;
    END
    """,
    # Only when a copy differs: the update below then does not fire this trigger again.
    f"""
    CREATE TRIGGER provision_followup_case_units_update AFTER UPDATE ON provision_followup
    WHEN {SQLITE_STALE}
    BEGIN
        UPDATE provision_followup SET {SQLITE_COPY.format(row="NEW")} WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER provision_closure_case_to_follow_ups_insert AFTER INSERT ON provision_closure
    BEGIN
        UPDATE provision_followup SET case_id = NEW.case_id WHERE closure_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER provision_closure_case_to_follow_ups_update
    AFTER UPDATE OF case_id ON provision_closure WHEN OLD.case_id IS NOT NEW.case_id
    BEGIN
        UPDATE provision_followup SET case_id = NEW.case_id WHERE closure_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER provision_case_units_to_follow_ups
    AFTER UPDATE OF authority_unit_id, provider_unit_id ON people_case
    WHEN OLD.authority_unit_id IS NOT NEW.authority_unit_id
        OR OLD.provider_unit_id IS NOT NEW.provider_unit_id
    BEGIN
        UPDATE provision_followup
        SET authority_unit_id = NEW.authority_unit_id, provider_unit_id = NEW.provider_unit_id
        WHERE case_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER provision_case_units_to_follow_ups",
    "DROP TRIGGER provision_closure_case_to_follow_ups_update",
    "DROP TRIGGER provision_closure_case_to_follow_ups_insert",
    "DROP TRIGGER provision_followup_case_units_update",
    "DROP TRIGGER provision_followup_case_units_insert",
]


def _copy(**kwargs):
    return models.ForeignKey(
        db_constraint=False,
        editable=False,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_unit_code"),
        ("people", "0006_h5_open_cases_index"),
        ("provision", "0011_hb_places_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="authority_unit",
            field=_copy(db_index=False, to="organisation.unit"),
        ),
        migrations.AddField(
            model_name="followup",
            name="case",
            field=_copy(to="people.case"),
        ),
        migrations.AddField(
            model_name="followup",
            name="provider_unit",
            field=_copy(db_index=False, to="organisation.unit"),
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
            model_name="followup",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["provider_unit", "due_on"],
                name="followup_pending_provider_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["authority_unit", "due_on"],
                name="followup_pending_authority_idx",
            ),
        ),
    ]

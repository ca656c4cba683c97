"""A decision's case and kind of support without an index of their own: decision_case_date_idx
and decision_kind_date_idx lead with them (issue 17, hI: fewer index entries per imported row).

Only the index is dropped (DROP INDEX, on PostgreSQL and SQLite alike): Django's own AlterField
would also drop and re-add the foreign key on PostgreSQL (a check of every row) and rebuild the
table on SQLite, losing the triggers of decisions.0010/0011 and provision.0012-0014. Each column
stays indexed as the first column of the index named (`tests/test_lone_fk_indexes.py`).
"""

import django.db.models.deletion
from django.db import migrations, models

from core.vendor_sql import index_dropped as dropped



class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0012_left_in_force_ends"),
        ("organisation", "0007_he_user_name_idx"),
        ("people", "0007_he_caseload_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="decision",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decisions",
                        to="people.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="decision",
                    name="support_kind",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="organisation.supportkind",
                        verbose_name="kind of support",
                    ),
                ),
            ],
            database_operations=[
                dropped("decisions_decision", "case_id", "decisions_decision_case_id_ebec06ea"),
                dropped(
                    "decisions_decision",
                    "support_kind_id",
                    "decisions_decision_support_kind_id_19ce5326",
                ),
            ],
        ),
    ]

"""An intake's unit without an index of its own: intake_unit_status_idx leads with it (issue 17,
hI: fewer index entries per imported row).

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
        ("intake", "0009_referral_result_note"),
        ("organisation", "0007_he_user_name_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="intake",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="intakes",
                        to="organisation.unit",
                        verbose_name="authority unit",
                    ),
                ),
            ],
            database_operations=[
                dropped("intake_intake", "unit_id", "intake_intake_unit_id_146eb607"),
            ],
        ),
    ]

"""An order's case and person and a follow-up's closure without an index of their own:
order_case_start_idx, order_person_start_idx and follow_up_once_per_month lead with them
(issue 17, hI: fewer index entries per imported row).

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
        ("people", "0007_he_caseload_indexes"),
        ("provision", "0014_he_follow_up_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="followup",
                    name="closure",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="provision.closure",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="people.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="people.person",
                    ),
                ),
            ],
            database_operations=[
                dropped(
                    "provision_followup", "closure_id", "provision_followup_closure_id_9eeba93e"
                ),
                dropped("provision_order", "case_id", "provision_order_case_id_d6966e81"),
                dropped("provision_order", "person_id", "provision_order_person_id_4d721524"),
            ],
        ),
    ]

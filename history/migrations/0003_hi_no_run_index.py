"""An imported record's run without an index: nothing looks records up by their run (runs are
never deleted), and an import writes four or five records a person (issue 17, hI: fewer index
entries per imported row).

Only the index is dropped (DROP INDEX, on PostgreSQL and SQLite alike): Django's own AlterField
would also drop and re-add the foreign key on PostgreSQL (a check of every row) and rebuild the
table on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0002_ids_per_source"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importedrecord",
                    name="run",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="history.importrun",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "history_importedrecord_run_id_8e791a4a"',
                    reverse_sql='CREATE INDEX "history_importedrecord_run_id_8e791a4a" '
                    'ON "history_importedrecord" ("run_id")',
                ),
            ],
        ),
    ]

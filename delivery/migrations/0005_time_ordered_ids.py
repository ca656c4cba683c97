"""New rows' UUID keys are made by `core.ids.new_id` (time-ordered, version 7) instead of
`uuid.uuid4`: a default Python gives, so nothing changes in the database (only the state: on
SQLite an altered field would otherwise rebuild its table)."""

from django.db import migrations, models

import core.ids


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_closing_cancels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="goal",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="goal",
                    name="lineage",
                    field=models.UUIDField(db_index=True, default=core.ids.new_id, editable=False),
                ),
                migrations.AlterField(
                    model_name="goalreview",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="homework",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="note",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="objection",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="plan",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ],
        ),
    ]

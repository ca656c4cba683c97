"""New rows' UUID keys are made by `core.ids.new_id` (time-ordered, version 7) instead of
`uuid.uuid4`: a default Python gives, so nothing changes in the database (only the state: on
SQLite an altered field would otherwise rebuild its table)."""

from django.db import migrations, models

import core.ids


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0003_session_recorded_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mapping",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="mappingsession",
                    name="id",
                    field=models.UUIDField(
                        default=core.ids.new_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ],
        ),
    ]

from django.db import migrations, models

VIEW = """
CREATE VIEW reports_intake_step AS
SELECT i.id AS intake_id, i.received_on, 'talk' AS step, t.held_on AS happened_on
  FROM intake_intake i
  JOIN intake_assessmenttalk t ON t.intake_id = i.id AND t.held_on >= i.received_on
UNION ALL
SELECT i.id, i.received_on, 'decision', d.decided_on
  FROM intake_intake i
  JOIN decisions_decision d ON d.case_id = i.case_id AND d.decided_on >= i.received_on
UNION ALL
SELECT i.id, i.received_on, 'start', o.accepted_on
  FROM intake_intake i
  JOIN provision_order o ON o.case_id = i.case_id AND o.accepted_on >= i.received_on
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0004_report_indexes"),
        ("decisions", "0003_report_indexes"),
        ("provision", "0004_report_indexes"),
    ]

    operations = [
        migrations.RunSQL(VIEW, reverse_sql="DROP VIEW reports_intake_step"),
        migrations.CreateModel(
            name="IntakeStep",
            fields=[
                ("intake_id", models.UUIDField(primary_key=True, serialize=False)),
                ("received_on", models.DateField()),
                ("step", models.CharField(max_length=8)),
                ("happened_on", models.DateField()),
            ],
            options={"db_table": "reports_intake_step", "managed": False},
        ),
    ]

"""The capacity page's caseloads from indexes alone (issue 17): a coordinator's case links by
role with their cases (`casestaff_user_role_case_idx`, replacing the user key's own index, which
it serves as well) tested against the open cases' ids (`case_open_id_idx`, 62,000 entries at a
million people): 24–30 ms for a page of 50 coordinators, hashing every open case, to 2–7 ms."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_unit_code"),
        ("people", "0006_h5_open_cases_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")), fields=["id"], name="case_open_id_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="casestaff",
            index=models.Index(
                fields=["user", "role", "case"], name="casestaff_user_role_case_idx"
            ),
        ),
        migrations.AlterField(
            model_name="casestaff",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case_links",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]

"""The open cases of a provider's teams, by index (issue 17).

A manager's start page lists the open cases of the manager's units: those whose authority unit or
provider unit is one of them, or that name the manager. The authority side had an index (the
unit's key), the provider side only one over every case, open or closed, so for the demo's
manager of five units (16 open cases among 62,000 at a million people) PostgreSQL estimated
thousands of cases to fetch and walked every open case instead: 75-83 ms for the page. With the
open cases' provider units in an index of their own, it reads the 16 by index: 36-44 ms
(bench/README.md, "At a million people, fifth round")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0010_time_ordered_ids")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["provider_unit"],
                name="case_open_provider_idx",
            ),
        ),
    ]

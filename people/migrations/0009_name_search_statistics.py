"""Finer statistics on the name-search indexes' names (issue 17): how many people a name's first
letters find, estimated from up to 1,000 of the commonest names and a histogram of 1,000 bounds
instead of 100.

With 100, a surname shared by a thousand people that no histogram bound happened to start with
was estimated at the planner's floor (0.01 % of the register), and a search for its first four
letters within the user's own cases read all its rows (5,000 buffers at 200,000 people) instead
of the user's caseload (1,800), for about half the surnames of the synthetic register, changing
with each ANALYZE (bench/README.md). ANALYZE of the register samples 300,000 rows instead of
30,000. SQLite needs nothing.
"""

from django.db import migrations

from core.vendor_sql import run_per_vendor

COLUMNS = [
    (index, column)
    for index in ("person_last_first_upper_idx", "person_first_last_upper_idx")
    for column in (1, 2)
]


def _statistics(target: int) -> list[str]:
    return [
        f"ALTER INDEX {index} ALTER COLUMN {column} SET STATISTICS {target}"
        for index, column in COLUMNS
    ]


class Migration(migrations.Migration):
    dependencies = [("people", "0008_name_search_both_names")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"postgresql": _statistics(1000)}),
            run_per_vendor({"postgresql": _statistics(-1)}),
        )
    ]

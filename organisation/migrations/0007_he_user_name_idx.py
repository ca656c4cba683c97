"""Staff by name from an index (issue 17): the capacity page's coordinators, a keyset page of 50
ordered by first and last name, sorted all of a large provider's 9,683 coordinator memberships
(11–30 ms at a million people); walked in the order of this index and stopped after the page, it
reads about 50 users (under 1 ms). Also what the reassignment page's lists of staff sort by.

`auth_user` is Django's table, so the index is written out here rather than declared on a model.
Both PostgreSQL and SQLite keep it through a column's change of type; SQLite would lose it if
a later Django migration rebuilt `auth_user` (tests/test_queries.py would not notice, the
benchmark would)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_unit_code"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX auth_user_name_idx ON auth_user (first_name, last_name)",
            "DROP INDEX auth_user_name_idx",
        ),
    ]

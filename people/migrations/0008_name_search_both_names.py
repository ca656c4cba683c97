"""Name search on PostgreSQL narrowed by both words of a full name (issue 17).

Each name's upper-case index (people.0003) becomes one on both names, that name first:
(UPPER(last_name), UPPER(first_name)) and (UPPER(first_name), UPPER(last_name)), text_pattern_ops.
A search for "Alma Bergpåhitt" (people.search: the first name starts with one word and the last
name with the other) then finds its people's entries in one range of an index and reads only
their rows, where it read every row of the surname and filtered them for the first name. Each
index still serves a search for one word by its leading name, so the register keeps two name
indexes. SQLite has no such operator classes and needs nothing.
"""

from django.db import migrations

from core.vendor_sql import run_per_vendor

BOTH = [
    ("person_last_first_upper_idx", "last_name", "first_name"),
    ("person_first_last_upper_idx", "first_name", "last_name"),
]
ONE = [
    ("person_last_name_upper_idx", "last_name"),
    ("person_first_name_upper_idx", "first_name"),
]


def _upper(column: str) -> str:
    return f'UPPER("{column}"::text) text_pattern_ops'


def _both(name: str, leading: str, second: str) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({_upper(leading)}, {_upper(second)})"
    )


def _one(name: str, column: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({_upper(column)})"


FORWARD = [_both(*index) for index in BOTH] + [f"DROP INDEX IF EXISTS {name}" for name, _ in ONE]
BACKWARD = [_one(*index) for index in ONE] + [f"DROP INDEX IF EXISTS {name}" for name, *_ in BOTH]


class Migration(migrations.Migration):
    dependencies = [("people", "0007_he_caseload_indexes")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"postgresql": FORWARD}), run_per_vendor({"postgresql": BACKWARD})
        )
    ]

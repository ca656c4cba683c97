"""Time the access log's verification: from the start, and the daily check from a checkpoint.

Run on a scratch database (it appends entries to the access log):

    createdb -h 127.0.0.1 -U postgres bench_log
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python bench/access_log.py --sizes 10000 100000 1000000 --daily 20000

For each log size it appends entries (a fictional user reading a fictional person, in batches of
one lock and one insert), then prints: entries per second written, the full verification's time
and rate, the daily check's time after `--daily` new entries, and the bytes the log takes per
entry (PostgreSQL only). With `--lists N` it then appends N list entries of `--shown` people each
(one entry per list page, its people in AccessLogSubject rows) and prints the bytes per entry and
per person named (pg_total_relation_size: table, indexes and TOAST).

`--mix STAFF` measures instead what the 70-staff mix of bench/load.py writes, on a copy of the
benchmark database (it writes; never on bench_brygga itself):

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_copy
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_copy DEBUG=0 \
        .venv/bin/python bench/access_log.py --mix 10 --bytes-entry 585 --bytes-subject 60

For each of STAFF synthetic coordinators it does every action of load.py once, in process
through Django's test client (no server), plus the start page and the caseload page, and counts
the access-log rows each writes (entries, and people named by list entries when the table
exists). From the bytes per row (measured by the first mode) it prints the bytes per action, per
action of load.py's weighted mix, and per staff member per day for `--day` actions a day.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from audit.events import Access, log_accesses  # noqa: E402
from audit.models import AccessLogEntry  # noqa: E402
from audit.verification import verify  # noqa: E402

BATCH = 500


def append(user, count: int) -> float:
    start = time.perf_counter()
    person = uuid.uuid4()  # a fictional person id: the log holds plain values, not keys
    for done in range(0, count, BATCH):
        with transaction.atomic():
            log_accesses(
                user=user,
                accesses=[
                    Access(person_id=person, record_type="person", record_id=str(person))
                    for _ in range(min(BATCH, count - done))
                ],
            )
    return time.perf_counter() - start


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def bytes_per_entry() -> str:
    if connection.vendor != "postgresql":
        return "-"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('audit_accesslogentry')")
        size = cursor.fetchone()[0]
    return f"{size / max(AccessLogEntry.objects.count(), 1):.0f}"


def append_lists(user, lists: int, shown: int) -> None:
    from audit.events import log_list

    for _ in range(lists):
        log_list(user=user, record_type="person", people=[uuid.uuid4() for _ in range(shown)])


def table_bytes(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def list_sizes(user, lists: int, shown: int) -> None:
    """Bytes per list entry and per person it names, from what `lists` new list entries add."""
    from audit.models import AccessLogSubject

    before = table_bytes("audit_accesslogentry"), AccessLogEntry.objects.count()
    append_lists(user, lists, shown)
    entry_bytes = table_bytes("audit_accesslogentry") - before[0]
    entries = AccessLogEntry.objects.count() - before[1]
    subjects = AccessLogSubject.objects.count()
    subject_bytes = table_bytes("audit_accesslogsubject")
    print(
        f"{entries} list entries of {shown} people: {entry_bytes / entries:.0f} bytes/entry, "
        f"{subjects} people named: {subject_bytes / max(subjects, 1):.0f} bytes/person named"
    )


class ClientHttp:
    """The two calls load.Worker makes on its requests.Session, through Django's test client."""

    def __init__(self, client):
        self.client = client

    def request(self, method, url, allow_redirects=False, params=None, data=None, headers=None):
        if method == "GET":
            response = self.client.get(url, params or {})
        else:
            response = self.client.post(url, data or {})
        response.text = response.content.decode()
        return response

    def get(self, url):
        return self.request("GET", url)


def rows_written() -> tuple[int, int]:
    """(entries, people named by list entries) in the log now; no second table before it."""
    subjects = 0
    if "audit_accesslogsubject" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_accesslogsubject")
            subjects = cursor.fetchone()[0]
    return AccessLogEntry.objects.count(), subjects


def load_py():
    """bench/load.py, whose actions and mix this measures (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("load", Path(__file__).with_name("load.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count(written: dict, name: str, before: tuple[int, int]) -> None:
    after = rows_written()
    written.setdefault(name, []).append((after[0] - before[0], after[1] - before[1]))


def measure_mix(staff: int, bytes_entry: float, bytes_subject: float, day: int) -> None:
    from django.test import Client

    load = load_py()
    ACTIONS, Worker = load.ACTIONS, load.Worker

    pages = {"start page": "/", "caseload page": "/personer/"}
    written: dict[str, list[tuple[int, int]]] = {}
    for seed, (user, people) in enumerate(load.staff_with_caseloads(staff)):
        client = Client()
        client.force_login(user)
        worker = Worker.__new__(Worker)
        worker.base, worker.http, worker.results = "", ClientHttp(client), {}
        worker.measure_from, worker.errors = 0.0, 0
        person = people[seed % len(people)]
        for name, _weight in ACTIONS:
            before = rows_written()
            worker.do(name, person)
            count(written, name, before)
        for name, path in pages.items():
            before = rows_written()
            client.get(path)
            count(written, name, before)
    print(f"{'action':<20} {'entries':>8} {'people':>7} {'bytes':>8}  (mean per action)")
    weights = dict(ACTIONS)
    mix_bytes = 0.0
    for name, counts in written.items():
        entries = sum(c[0] for c in counts) / len(counts)
        subjects = sum(c[1] for c in counts) / len(counts)
        size = entries * bytes_entry + subjects * bytes_subject
        if name in weights:
            mix_bytes += size * weights[name] / sum(weights.values())
        print(f"{name:<20} {entries:>8.1f} {subjects:>7.1f} {size:>8.0f}")
    print(
        f"load.py's mix: {mix_bytes:.0f} bytes per action; at {day} actions a day "
        f"{mix_bytes * day / 1024:.0f} KiB per staff member per day"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--daily", type=int, default=5_000, help="new entries per day")
    parser.add_argument("--lists", type=int, default=0, help="list entries to append")
    parser.add_argument("--shown", type=int, default=50, help="people on each list")
    parser.add_argument("--mix", type=int, default=0, help="staff: measure load.py's mix")
    parser.add_argument("--bytes-entry", type=float, default=585)
    parser.add_argument("--bytes-subject", type=float, default=60)
    parser.add_argument("--day", type=int, default=300, help="actions per staff member a day")
    args = parser.parse_args()
    if args.mix:
        measure_mix(args.mix, args.bytes_entry, args.bytes_subject, args.day)
        return
    user, _ = get_user_model().objects.get_or_create(username="bench.logger")
    print(
        f"{'entries':>10} {'write/s':>9} {'full s':>8} {'full/s':>9} "
        f"{'daily s':>8} {'daily read':>10} {'bytes/entry':>11}"
    )
    for size in args.sizes:
        missing = size - AccessLogEntry.objects.count()
        written = append(user, missing) if missing > 0 else 0.0
        full_s, full = timed(lambda: verify(full=True))
        append(user, args.daily)
        daily_s, daily = timed(lambda: verify(full=False))
        assert full.broken is None and daily.broken is None
        rate = f"{missing / written:9.0f}" if missing > 0 else f"{'-':>9}"
        print(
            f"{size:>10} {rate} {full_s:8.2f} {full.read / full_s:9.0f} "
            f"{daily_s:8.2f} {daily.read:>10} {bytes_per_entry():>11}",
            flush=True,
        )
    if args.lists and connection.vendor == "postgresql":
        list_sizes(user, args.lists, args.shown)


if __name__ == "__main__":
    main()

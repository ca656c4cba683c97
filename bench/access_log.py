"""Time the access log's verification: from the start, and the daily check from a checkpoint.

Run on a scratch database (it appends entries to the access log):

    createdb -h 127.0.0.1 -U postgres bench_log
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python bench/access_log.py --sizes 10000 100000 1000000 --daily 20000

For each log size it appends entries (a fictional user reading a fictional person, in batches of
one lock and one insert, as a list page does), then prints: entries per second written, the full
verification's time and rate, the daily check's time after `--daily` new entries, and the bytes
the log takes per entry (PostgreSQL only). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--daily", type=int, default=5_000, help="new entries per day")
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()

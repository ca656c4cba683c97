"""Time the statistics for all years on the primary and on a streaming replica, side by side.

Run beside a replica of the benchmark database (scripts/with_replica.sh makes one):

    bash scripts/with_replica.sh env DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_brygga \
        DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/bench_brygga DEBUG=0 \
        .venv/bin/python bench/replica.py [--repeat 3]

Prints the best of `--repeat` builds of the report (`build_report`, all years) read on each, and
whether the two reports hold the same figures, and the replica's lag before and after. Reads only.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports import figures  # noqa: E402
from reports.report import build_report  # noqa: E402


def lag() -> str:
    with connections["replica"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
        )
        recovering, caught_up = cursor.fetchone()
    return f"standby={recovering}, replayed all it received={caught_up}"


def best(alias: str, start: datetime.date, end: datetime.date, repeat: int) -> tuple[float, dict]:
    settings.BRYGGA_HEAVY_READS_DATABASE = alias
    times, report = [], {}
    for _n in range(repeat):
        began = time.perf_counter()
        report = build_report(start, end, suppress=False, named_staff=True)
        times.append((time.perf_counter() - began) * 1000)
    return min(times), report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not settings.DATABASE_REPLICA_URL:
        sys.exit("Set DATABASE_REPLICA_URL (see the docstring).")
    end = timezone.localdate()
    start = figures.first_day_of_data() or end
    print(f"## The statistics {start}–{end}, best of {args.repeat} (ms)")
    print(f"replica before: {lag()}")
    primary_ms, on_primary = best("default", start, end, args.repeat)
    replica_ms, on_replica = best("replica", start, end, args.repeat)
    same = on_primary["sections"] == on_replica["sections"]
    print(f"primary {primary_ms:8.0f}   (as of: {on_primary['as_of']})")
    print(f"replica {replica_ms:8.0f}   (as of: {on_replica['as_of']})")
    print(f"same figures: {same}")
    print(f"replica after: {lag()}")


if __name__ == "__main__":
    main()

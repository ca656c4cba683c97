"""Time culling: the first cull of a long history, then the daily run after it.

It culls, so run it on a copy of a benchmark database, never on a shared one:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_cull
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cull DEBUG=0 \\
        .venv/bin/python bench/culling.py [--today YYYY-MM-DD] [--days 1]

The data must have a history (`generate_synthetic` spreads it over ten years). For each run it
prints: the candidates the database chose (one query), the people an earlier verdict kept
without assessing, the people assessed, the people culled, the time of the plan (choosing and
assessing; with --two-step only) and of the culling (each batch locked, assessed, its rows
removed), the CPU of this process and of its PostgreSQL backend, the load average, and the
queries per person assessed. The first run is `--days` days before `--today` (default: today),
then a daily run for each day up to `--today`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from people.models import Person  # noqa: E402
from retention import actions  # noqa: E402
from retention.models import RetentionVerdict  # noqa: E402

SHARED = {"bench_brygga"}


class Counter:
    """Counts the queries run (without keeping their text)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (user + system), read from
    /proc/<pid>/stat: the server is on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(day: datetime.date, label: str, two_step: bool, workers: int = 1) -> None:
    assessed: list[int] = [0]
    real = actions.assess_many

    def counting(people, today, **kw):
        assessed[0] += len(people)
        return real(people, today, **kw)

    counter = Counter()
    elsewhere: list[float] = [0.0]  # the worker threads' backends' CPU
    real_cull_people = actions.cull_people

    def cull_people(ids, today, **kw):
        if threading.current_thread() is threading.main_thread():
            return real_cull_people(ids, today, **kw)
        with connection.execute_wrapper(counter):  # this thread's own connection
            began = backend_cpu()
            try:
                return real_cull_people(ids, today, **kw)
            finally:
                elsewhere[0] += backend_cpu() - began

    actions.assess_many, actions.cull_people = counting, cull_people
    cpu, server = time.process_time(), backend_cpu()
    try:
        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            candidates = actions.candidates(day).count()
            kept = actions.kept_without_assessing(day)
            counted = time.perf_counter() - began
            began = time.perf_counter()
            if two_step:  # as before 6 Dec: a plan, then each culled person assessed again
                going = [v for v in actions.plan_culling(day) if v.cull]
                planned = time.perf_counter() - began
                began = time.perf_counter()
                culled = actions.cull_planned(going, day)
                del going
            else:  # each candidate assessed once, under the lock that culls them
                planned = 0.0
                culled = actions.cull(day, workers=workers)
            culling = time.perf_counter() - began
    finally:
        actions.assess_many, actions.cull_people = real, real_cull_people
    cpu, server = time.process_time() - cpu, backend_cpu() - server + elsewhere[0]
    total = counted + planned + culling
    print(
        f"{label:<12} {day}  candidates {candidates:>8,}  kept by a verdict {kept:>8,}  "
        f"assessed {assessed[0]:>8,}  culled {len(culled):>8,}"
    )
    print(
        f"{'':<12} counting {counted:7.1f} s  plan {planned:8.1f} s  "
        f"{'cull' if two_step else 'assess and cull'} {culling:8.1f} s  total {total:8.1f} s  "
        f"({len(culled) / max(planned + culling, 1e-9):,.0f} culled/s)"
    )
    print(
        f"{'':<12} CPU: this process {cpu:.1f} s, PostgreSQL's backends {server:.1f} s; "
        f"queries {counter.count:,} ({counter.count / max(assessed[0], 1):.2f} per person "
        f"assessed); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=1, help="daily runs after the first")
    parser.add_argument(
        "--two-step",
        action="store_true",
        help="plan, then cull the plan (each culled person assessed twice), as before 6 Dec",
    )
    parser.add_argument("--batch", type=int, default=None, help="people a batch (CULL_BATCH)")
    parser.add_argument("--workers", type=int, default=1, help="threads culling side by side")
    args = parser.parse_args()
    logging.getLogger("retention.actions").setLevel(logging.WARNING)  # a line per batch
    if connection.settings_dict["NAME"] in SHARED:
        sys.exit("This culls: run it on a copy (createdb -T bench_brygga ...), not the shared one.")
    last = args.today or timezone.localdate()
    day = last - datetime.timedelta(days=args.days)
    print(
        f"# Culling on {connection.vendor}: {Person.objects.count():,} people, "
        f"{RetentionVerdict.objects.count():,} stored verdicts"
    )
    if args.batch:
        actions.CULL_BATCH = args.batch
    how = "plan, then cull" if args.two_step else f"assessed once, {args.workers} worker(s)"
    print(f"# {how}, {actions.CULL_BATCH} a batch")
    run(day, "first", args.two_step, args.workers)
    for n in range(1, args.days + 1):
        run(day + datetime.timedelta(days=n), f"daily +{n}", args.two_step, args.workers)
    print(f"# After: {Person.objects.count():,} people")


if __name__ == "__main__":
    main()

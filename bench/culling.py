"""Time culling: the first cull of a long history, then the daily run after it.

It culls, so run it on a copy of a benchmark database, never on a shared one:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_cull
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cull DEBUG=0 \\
        .venv/bin/python bench/culling.py [--today YYYY-MM-DD] [--days 1]

The data must have a history (`generate_synthetic` spreads it over ten years). For each run it
prints: the candidates the database chose (one query), the people an earlier verdict kept
without assessing, the people assessed, the people culled, the time of the plan (choosing and
assessing) and of the culling (assessed again under a lock, rows removed), and the queries per
person assessed. The first run is `--days` days before `--today` (default: today), then a daily
run for each day up to `--today`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
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


def run(day: datetime.date, label: str) -> None:
    assessed: list[int] = [0]
    real = actions.assess_many

    def counting(people, today):
        assessed[0] += len(people)
        return real(people, today)

    actions.assess_many = counting
    counter = Counter()
    try:
        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            candidates = actions.candidates(day).count()
            kept = actions.kept_without_assessing(day)
            counted = time.perf_counter() - began
            began = time.perf_counter()
            plan = actions.plan_culling(day)
            planned = time.perf_counter() - began
            in_plan, assessed_in_plan = counter.count, assessed[0]
            going = [v for v in plan if v.cull]
            del plan
            began = time.perf_counter()
            culled = actions.cull_planned(going, day)
            culling = time.perf_counter() - began
    finally:
        actions.assess_many = real
    per_person = in_plan / max(assessed_in_plan, 1)
    total = counted + planned + culling
    print(
        f"{label:<12} {day}  candidates {candidates:>8,}  kept by a verdict {kept:>8,}  "
        f"assessed {assessed_in_plan:>8,}  culled {len(culled):>8,}"
    )
    print(
        f"{'':<12} counting {counted:7.1f} s  plan {planned:8.1f} s  cull {culling:8.1f} s  "
        f"total {total:8.1f} s  ({assessed_in_plan / max(planned, 1e-9):,.0f} assessed/s, "
        f"{len(culled) / max(culling, 1e-9):,.0f} culled/s)"
    )
    print(
        f"{'':<12} queries: plan {in_plan:,} ({per_person:.2f} per person assessed), "
        f"all {counter.count:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=1, help="daily runs after the first")
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
    run(day, "first")
    for n in range(1, args.days + 1):
        run(day + datetime.timedelta(days=n), f"daily +{n}")
    print(f"# After: {Person.objects.count():,} people")


if __name__ == "__main__":
    main()

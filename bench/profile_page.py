"""Profile one page for one user: each query's time, the slowest queries' plans, Python's profile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_copy DEBUG=0 \
        .venv/bin/python bench/profile_page.py syn-officer / [--explain 3] [--cprofile 25]

Run on a copy: the page writes its access-log entries as it would for the user. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("username")
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--cprofile", type=int, default=0, help="show the N costliest functions")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.username)
    client = Client()
    client.force_login(user, backend="organisation.auth.BryggaModelBackend")
    response = client.get(args.url)
    print(f"{args.username} {args.url}: status {response.status_code}")
    times = []
    for _n in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(args.url)
        times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    best = min(times)
    print(f"best of {args.repeat}: {best[0]:.1f} ms wall, {best[1]:.1f} ms CPU of this process")
    print(f"load average {os.getloadavg()[0]:.2f}")
    queries: list[tuple[float, str, object]] = []

    def record(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - began) * 1000, sql, params))

    with connection.execute_wrapper(record):
        client.get(args.url)
    print(f"{len(queries)} queries, {sum(q[0] for q in queries):.1f} ms in the database")
    for took, sql, _params in sorted(queries, key=lambda q: -q[0]):
        print(f"  {took:7.1f} ms  {' '.join(sql.split())[:240]}")
    for _took, sql, params in sorted(queries, key=lambda q: -q[0])[: args.explain]:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n" + " ".join(sql.split())[:2000])
            print("\n".join(row[0] for row in cursor.fetchall()))
    if args.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        client.get(args.url)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.cprofile)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"process CPU in all: {usage.ru_utime + usage.ru_stime:.1f} s")


if __name__ == "__main__":
    main()

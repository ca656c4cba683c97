"""CPU and wall time in one process of opening people, or searching them by full name.

The test client (no server, no network) as five coordinators, four of their people each, each
page asked `--rounds` times; prints queries per request and this process's CPU (min, quartile,
median) and wall time (median), which includes the database's. Quicker and steadier than
`bench/cpu_per_action.py` for comparing two versions of one page's code side by side:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_copy DEBUG=0 \\
        .venv/bin/python bench/page_cpu.py open|search [--rounds 5]

Run on a copy: the pages write their access-log entries. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

import load  # noqa: E402  (bench/load.py: the staff and their people)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", choices=["open", "search"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = []
    for user, people in load.staff_with_caseloads(5):
        client = Client()
        client.force_login(user, backend="organisation.auth.BryggaModelBackend")
        for person in people[:4]:
            if args.page == "open":
                pages.append((client, f"/personer/{person.pk}/", None))
            else:
                pages.append(
                    (client, "/personer/", {"q": f"{person.first_name} {person.last_name}"})
                )
    for client, url, data in pages:
        client.get(url, data)  # warm up
    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        for client, url, data in pages:
            client.get(url, data)
    cpu, wall = [], []
    for _ in range(args.rounds):
        for client, url, data in pages:
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(url, data)
            cpu.append((time.process_time() - began_cpu) * 1000)
            wall.append((time.perf_counter() - began) * 1000)
    cpu.sort()
    wall.sort()
    print(
        f"{args.page}: {len(pages)} pages, {count[0] / len(pages):.1f} queries a request; "
        f"CPU ms min {cpu[0]:.1f}, p25 {cpu[len(cpu) // 4]:.1f}, median {cpu[len(cpu) // 2]:.1f}; "
        f"wall ms median {wall[len(wall) // 2]:.1f}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

"""The person page's throughput with the access log in one chain, in several chains, and off.

Every read of the person page writes access-log entries. With one chain every writer in the
installation locks the same head row; with several (`BRYGGA_ACCESS_LOG_CHAINS`, audit.events) a
writer takes a head nobody holds. This starts three gunicorn servers on a copy of the benchmark
database, one for each mode, the same code in each:

- **one chain**: `BRYGGA_ACCESS_LOG_CHAINS=1`, the design before issue 18;
- **chains**: `BRYGGA_ACCESS_LOG_CHAINS=16` (the default);
- **log off**: the access log's write replaced by a no-op in this benchmark's server only (the
  floor: what the page costs without its log).

For each number of concurrent clients (each a synthetic coordinator with a session, opening
people of their own caseload over and over, no pause) it runs the three servers one after the
other, in a rotating order, and prints the pages served per second and
the client's p50/p95. With `--writes` it also times the log alone: threads (at most 32, one
connection each) that each append one entry per transaction, no page around it.

It writes access-log entries: run it on a copy, never on the shared database:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_log
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_log DEBUG=0 \\
        .venv/bin/python bench/log_throughput.py --clients 1 4 16 64 --seconds 20 --writes

Prints figures; asserts nothing. Every request goes to 127.0.0.1, and each run stops by itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

if os.environ.get("BENCH_LOG_OFF") == "1":
    # The floor, in this benchmark's server only: reads are not written anywhere.
    from audit import events

    events._write = lambda pending: []  # type: ignore[assignment]

from django.core.wsgi import get_wsgi_application  # noqa: E402

# What gunicorn serves (`log_throughput:application`).
application = get_wsgi_application()

MODES = [
    ("one chain", {"BRYGGA_ACCESS_LOG_CHAINS": "1"}),
    ("chains", {"BRYGGA_ACCESS_LOG_CHAINS": "16"}),
    ("log off", {"BENCH_LOG_OFF": "1"}),
]


def start_server(env: dict, workers: int, threads: int, port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--pythonpath",
            f"{ROOT},{BENCH}",
            "log_throughput:application",
            "-k",
            "gthread",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
    )
    import requests

    for _ in range(240):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=30)
            return process
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("The server did not start.")


def run_clients(url: str, staff: list, clients: int, seconds: float, warmup: float) -> dict:
    """`staff`: (session key, people) for each client; the sessions are made beforehand, so that
    the clients hold no database connection of their own."""
    import requests
    from django.conf import settings

    began = time.monotonic()
    measure_from, until = began + warmup, began + warmup + seconds
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(number: int) -> None:
        session, people = staff[number % len(staff)]
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, session)
        n = number
        barrier.wait()
        while time.monotonic() < until:
            person = people[n % len(people)]
            n += 1
            start = time.monotonic()
            try:
                response = http.get(f"{url}/personer/{person.pk}/", allow_redirects=False)
                status = response.status_code
            except requests.RequestException:
                status = 0
            end = time.monotonic()
            with lock:
                if status != 200:
                    errors[0] += 1
                elif start >= measure_from and end <= until:
                    times.append(end - start)

    pool = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    times.sort()

    def pick(share: float) -> float:
        return times[min(len(times) - 1, int(share * (len(times) - 1)))] * 1000 if times else 0.0

    return {"rate": len(times) / seconds, "p50": pick(0.5), "p95": pick(0.95), "errors": errors[0]}


def writes_per_second(chains: int, threads: int, seconds: float) -> float:
    """The log alone: `threads` writers appending one entry per transaction."""
    import uuid

    from django.conf import settings
    from django.db import connection

    from audit.events import Access, log_accesses

    settings.BRYGGA_ACCESS_LOG_CHAINS = chains
    person = uuid.uuid4()
    until = time.monotonic() + seconds
    counts = [0] * threads
    barrier = threading.Barrier(threads)

    def writer(number: int) -> None:
        barrier.wait()
        try:
            while time.monotonic() < until:
                log_accesses(user=None, accesses=[Access(person, "person", person)])
                counts[number] += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    # 3 servers x 2 x 8 = 48 connections at most: PostgreSQL's default limit is 100.
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--port", type=int, default=8941)
    parser.add_argument("--writes", action="store_true", help="also time the log alone")
    args = parser.parse_args()

    import importlib

    from django.db import connection

    # The load run's helpers, beside this script (bench/ is not a package).
    load = importlib.import_module("load")
    session_for, staff_with_caseloads = load.session_for, load.staff_with_caseloads

    staff = [(session_for(u), people) for u, people in staff_with_caseloads(max(args.clients))]
    connection.close()
    print(
        f"# The person page, {len(staff)} coordinators' caseloads, {args.seconds:.0f} s per "
        f"run after {args.warmup:.0f} s not timed; gunicorn gthread {args.workers} processes x "
        f"{args.threads} threads for each mode, the three servers up side by side",
        flush=True,
    )
    results: dict[int, dict] = {clients: {} for clients in args.clients}
    servers = []
    try:
        for number, (name, env) in enumerate(MODES):
            port = args.port + number
            process = start_server(env, args.workers, args.threads, port)
            servers.append((name, f"http://127.0.0.1:{port}", process))
        for round_, clients in enumerate(args.clients):
            # The modes side by side for each number of clients, in a rotating order, so that
            # the machine's other load drifts over all three alike.
            for name, url, _process in servers[round_ % 3 :] + servers[: round_ % 3]:
                result = run_clients(url, staff, clients, args.seconds, args.warmup)
                results[clients][name] = result
                print(f"{name:>10}, {clients:>3} clients: {_line(result)}", flush=True)
    finally:
        for _name, _url, process in servers:
            process.terminate()
        for _name, _url, process in servers:
            process.wait(timeout=60)

    print()
    print(
        "| clients | one chain pages/s (p95 ms) | 16 chains pages/s (p95 ms) | log off pages/s "
        "(p95 ms) | 16 chains / off | one chain / off |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for clients, row in results.items():
        one, many, off = row["one chain"], row["chains"], row["log off"]
        floor = off["rate"] or 1.0
        print(
            f"| {clients} | {one['rate']:.1f} ({one['p95']:.0f}) | {many['rate']:.1f} "
            f"({many['p95']:.0f}) | {off['rate']:.1f} ({off['p95']:.0f}) | "
            f"{many['rate'] / floor:.0%} | {one['rate'] / floor:.0%} |"
        )
    errors = sum(r["errors"] for row in results.values() for r in row.values())
    print(f"\n{errors} responses other than 200")

    if args.writes:
        print("\n# The log alone: entries written per second, one per transaction")
        print("| writers | one chain | 16 chains |")
        print("|---:|---:|---:|")
        for threads in [n for n in args.clients if n <= 32]:  # one connection each
            one = writes_per_second(1, threads, args.seconds / 2)
            many = writes_per_second(16, threads, args.seconds / 2)
            print(f"| {threads} | {one:.0f} | {many:.0f} |", flush=True)


def _line(r: dict) -> str:
    return f"{r['rate']:.1f}/s p50 {r['p50']:.0f} p95 {r['p95']:.0f} ms, {r['errors']} errors"


if __name__ == "__main__":
    main()

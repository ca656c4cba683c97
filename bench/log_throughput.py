"""The person page's throughput with the access log in one chain, in several chains, and off.

Every read of the person page writes access-log entries. With one chain every writer in the
installation locks the same head row; with several (`BRYGGA_ACCESS_LOG_CHAINS`, audit.events) a
writer takes a head nobody holds. This starts three gunicorn servers on a copy of the benchmark
database, the same code in each:

- **one chain**: `BRYGGA_ACCESS_LOG_CHAINS=1`, the design before issue 18;
- **chains**: `BRYGGA_ACCESS_LOG_CHAINS=16` (the default);
- **log off**: the access log's write replaced by a no-op in this benchmark's server only (the
  floor: what the page costs without its log).

For each number of concurrent clients it runs each server in turn (the same clients, each a
synthetic coordinator with a session opening people of their own caseload over and over, no
pause) and prints the pages served per second and the client's p50/p95. With `--writes` it also
times the log alone: threads that each append one entry per transaction, no page around it.

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


def start_servers(workers: int, threads: int, base_port: int) -> list[tuple[str, str, object]]:
    servers = []
    for number, (name, env) in enumerate(MODES):
        port = base_port + number
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
            ],
            env={**os.environ, **env},
            cwd=ROOT,
        )
        servers.append((name, f"http://127.0.0.1:{port}", process))
    import requests

    for name, url, _process in servers:
        for _ in range(120):
            try:
                requests.get(url + "/", timeout=30)
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit(f"The server for {name!r} did not start.")
    return servers


def run_clients(url: str, staff: list, clients: int, seconds: float, warmup: float) -> dict:
    import requests
    from django.conf import settings
    from load import session_for

    began = time.monotonic()
    measure_from, until = began + warmup, began + warmup + seconds
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(number: int) -> None:
        user, people = staff[number % len(staff)]
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, session_for(user))
        n = number
        barrier.wait()
        while time.monotonic() < until:
            person = people[n % len(people)]
            n += 1
            start = time.monotonic()
            response = http.get(f"{url}/personer/{person.pk}/", allow_redirects=False)
            end = time.monotonic()
            with lock:
                if response.status_code != 200:
                    errors[0] += 1
                elif start >= measure_from and end <= until:
                    times.append(end - start)

    pool = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    times.sort()
    pick = lambda share: times[min(len(times) - 1, int(share * (len(times) - 1)))] * 1000  # noqa: E731
    return {
        "rate": len(times) / seconds,
        "p50": pick(0.5) if times else 0.0,
        "p95": pick(0.95) if times else 0.0,
        "errors": errors[0],
    }


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
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per server")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn process")
    parser.add_argument("--port", type=int, default=8941)
    parser.add_argument("--writes", action="store_true", help="also time the log alone")
    args = parser.parse_args()

    from load import staff_with_caseloads

    staff = staff_with_caseloads(max(args.clients))
    print(
        f"# The person page, {len(staff)} coordinators' caseloads, {args.seconds:.0f} s per "
        f"run after {args.warmup:.0f} s not timed; gunicorn gthread {args.workers} processes x "
        f"{args.threads} threads per server"
    )
    servers = start_servers(args.workers, args.threads, args.port)
    rows = []
    try:
        for clients in args.clients:
            row = {}
            for name, url, _process in servers:
                row[name] = run_clients(url, staff, clients, args.seconds, args.warmup)
            rows.append((clients, row))
            print(_line(clients, row), flush=True)
    finally:
        for _name, _url, process in servers:
            process.terminate()  # type: ignore[attr-defined]
        for _name, _url, process in servers:
            process.wait(timeout=30)  # type: ignore[attr-defined]

    print()
    print(
        "| clients | one chain pages/s (p95 ms) | 16 chains pages/s (p95 ms) | log off pages/s "
        "(p95 ms) | chains / off | one chain / off |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for clients, row in rows:
        one, many, off = row["one chain"], row["chains"], row["log off"]
        print(
            f"| {clients} | {one['rate']:.1f} ({one['p95']:.0f}) | {many['rate']:.1f} "
            f"({many['p95']:.0f}) | {off['rate']:.1f} ({off['p95']:.0f}) | "
            f"{many['rate'] / off['rate']:.0%} | {one['rate'] / off['rate']:.0%} |"
        )
    errors = sum(r["errors"] for _c, row in rows for r in row.values())
    print(f"\n{errors} responses other than 200")

    if args.writes:
        print("\n# The log alone: entries written per second, one per transaction")
        print("| writers | one chain | 16 chains |")
        print("|---:|---:|---:|")
        for threads in args.clients:
            one = writes_per_second(1, threads, args.seconds / 2)
            many = writes_per_second(16, threads, args.seconds / 2)
            print(f"| {threads} | {one:.0f} | {many:.0f} |", flush=True)


def _line(clients: int, row: dict) -> str:
    parts = [
        f"{name}: {r['rate']:.1f}/s p50 {r['p50']:.0f} p95 {r['p95']:.0f} ms"
        for name, r in row.items()
    ]
    return f"{clients:>3} clients  " + "  |  ".join(parts)


if __name__ == "__main__":
    main()

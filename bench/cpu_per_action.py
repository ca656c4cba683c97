"""CPU milliseconds per request of each action of the 70-staff mix, server and database apart.

`bench/load.py`'s actions (search by surname, by full name, by number, open a person, register a
visit, write a note), each sent `--requests` times one after the other by one client to a
gunicorn with one worker process and one thread, so that the CPU each process spent in the
meantime is that action's alone:

- **app**: the gunicorn worker's user + system CPU (`/proc/<pid>/stat`);
- **database**: the PostgreSQL backend serving the worker (its one connection; the WAL writer
  and other shared processes are not counted);

with the access log as it is (16 chains) and, with `--log-off`, also with the log's write
replaced by a no-op in the benchmark's server (as `bench/log_throughput.py` does): the
difference is what the log costs each action. Wall time per request is printed beside them.

What the CPU per request says about throughput: on N cores, the mix cannot be served faster than
N / (its weighted CPU seconds per request) requests a second; the load run's p95 stays low only
well below that.

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_cpu
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cpu DEBUG=0 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cpu DEBUG=0 \\
        .venv/bin/python bench/cpu_per_action.py --requests 200 --log-off

It writes visits, notes and access-log entries: run it on a copy. Prints figures; asserts
nothing. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

import load  # noqa: E402  (bench/load.py: the actions and the staff)
from django.db import connection  # noqa: E402
from serving import wait_until_answering  # noqa: E402

PORT = 8951
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def database_cpu() -> dict[int, float]:
    """CPU so far of each backend connected to this database, but this script's own: the
    benchmark's server keeps one connection (CONN_MAX_AGE), so its backend lives through."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select pid from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    found = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found[pid] = cpu_seconds(pid)
    return found


def spent(before: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in database_cpu().items())


def start_server(log_off: bool) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "BENCH_LOG_OFF": "1" if log_off else "0", "PYTHONPATH": str(BENCH)}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own server
        [gunicorn, "log_throughput:application", "-w", "1", "--threads", "1"]
        + ["-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "--max-requests", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_until_answering(f"http://127.0.0.1:{PORT}/", server)
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    return server, int(children.split()[0])


def measure(staff: list, count: int, log_off: bool) -> dict[str, tuple]:
    server, worker_pid = start_server(log_off)
    rows = {}
    try:
        rng = random.Random(7)
        clients = []
        for user, people in staff:
            client = load.Worker(f"http://127.0.0.1:{PORT}", user, people, 0, {}, 0)
            clients.append(client)
        for action, _weight in load.ACTIONS:
            for client in clients[:3]:  # warm-up: templates, the connection
                client.do(action, rng.choice(client.people))
            app, db, began = cpu_seconds(worker_pid), database_cpu(), time.perf_counter()
            for n in range(count):
                client = clients[n % len(clients)]
                client.do(action, rng.choice(client.people))
            wall = time.perf_counter() - began
            app = cpu_seconds(worker_pid) - app
            db = spent(db)
            errors = sum(c.errors for c in clients)
            rows[action] = (1000 * app / count, 1000 * db / count, 1000 * wall / count, errors)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per action")
    parser.add_argument("--staff", type=int, default=20, help="coordinators taking turns")
    parser.add_argument("--log-off", action="store_true", help="also with the log's write off")
    args = parser.parse_args()
    load.PAUSE = (0.0, 0.0)
    staff = load.staff_with_caseloads(args.staff)
    modes = [("log on", False)] + ([("log off", True)] if args.log_off else [])
    results = {name: measure(staff, args.requests, off) for name, off in modes}
    weights = dict(load.ACTIONS)
    print(
        f"# {args.requests} requests per action, one at a time, {len(staff)} coordinators; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    header = "| action | weight |"
    for name, _off in modes:
        header += f" {name}: app ms | db ms | CPU ms | wall ms |"
    if args.log_off:
        header += " log's CPU ms |"
    print(header)
    mix = {name: 0.0 for name, _ in modes}
    for action, weight in load.ACTIONS:
        line = f"| {action} | {weight} |"
        for name, _off in modes:
            app, db, wall, errors = results[name][action]
            line += f" {app:.1f} | {db:.1f} | {app + db:.1f} | {wall:.1f} |"
            mix[name] += weight * (app + db) / sum(weights.values())
            if errors:
                line += f" ({errors} errors)"
        if args.log_off:
            on, off = results["log on"][action], results["log off"][action]
            line += f" {(on[0] + on[1]) - (off[0] + off[1]):.1f} |"
        print(line)
    cores = os.cpu_count() or 1
    for name, cpu in mix.items():
        print(
            f"{name}: the mix costs {cpu:.1f} CPU ms a request: at most {1000 * cores / cpu:.0f} "
            f"requests a second on {cores} cores"
        )


if __name__ == "__main__":
    main()

"""The 70-staff load run with the statistics produced beside it, on cores of their own.

Issue 18's measure: with the replica and the jobs on, opening a person keeps its p95 within
1.2x of the same run without the statistics being produced at the same time. On a machine with
several cores this stands in for several machines by CPU affinity (`taskset`):

- **the staff's side** on `--staff-cpus` (default 0): the primary PostgreSQL (its postmaster
  and every backend, which new backends inherit) and gunicorn with 4 workers;
- **the heavy side** on `--heavy-cpus` (default 1): the streaming replica (its postmaster and
  processes) and one `manage.py db_worker`, which takes report jobs over all years from the
  queue one after the other and reads them from the replica (`core/replica.heavy_reads`);
- **the staff's browsers**, the load client (`bench/load.py`), on `--client-cpus` (default: the
  heavy side's). On a deployment they are other machines; here they must sit on one of the two
  sides. On the staff's side they took about a tenth of its core (11 CPU ms a request, against
  about 100 for the server's side). On the heavy side, any delay the worker causes the client
  is counted in the run with the worker, against the replica: the comparison can only be made
  worse by it. So that the client is not queued behind the heavy side's work for a whole time
  slice, the replica and the worker run at `--heavy-nice` (default 10); with the heavy side on
  a machine of its own, its priority would change nothing.

Runs of `bench/load.py` one after the other, the same staff and pace:

- **quiet**: nothing else; the worker is not running;
- **replica**: the worker produces the statistics for all years without pause, reading the
  replica (`DATABASE_REPLICA_URL` set in the worker);
- with `--rounds N`, quiet and replica again, in turn, N times in all (drift over the runs, such
  as the tables the load run writes growing, then falls on both kinds);
- **primary** (`--without-replica`), last: the same worker on the heavy cores, but reading the
  primary, as a deployment without a replica would.

It prints each run's table, the reports the worker finished during it, each run's p95 per
action, and the mean p95 of the worker's runs against the quiet ones. The affinity of the
primary is put back (every core) at the end, also when the run fails.

Run inside `scripts/with_replica.sh` on a copy of the benchmark database (the load run writes
visits, notes and access-log entries, and the worker writes jobs):

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_iso
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_iso DEBUG=0 \\
        .venv/bin/python manage.py migrate
    bash scripts/with_replica.sh env \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_iso DEBUG=0 \\
        BRYGGA_REPLICA=postgres://postgres@127.0.0.1:5433/bench_iso \\
        .venv/bin/python bench/isolated_load.py --seconds 120 --without-replica

(`BRYGGA_REPLICA`, not `DATABASE_REPLICA_URL`: only the worker of run 2 is given the replica.)
Prints figures; asserts nothing. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

import serving  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from jobs import queue  # noqa: E402
from jobs.models import Job  # noqa: E402
from reports import figures  # noqa: E402

PORT = 8941
TASKSET = shutil.which("taskset") or "/usr/bin/taskset"


def postmaster_pid(cursor) -> int:
    cursor.execute("show data_directory")
    data = Path(cursor.fetchone()[0])
    return int((data / "postmaster.pid").read_text().split()[0])


def pin_tree(pid: int, cpus: str) -> int:
    """Pin a process and its children (a postmaster's backends) to `cpus`; new children inherit
    the postmaster's mask. Returns how many processes were pinned."""
    pids = [pid]
    pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        subprocess.run(  # noqa: S603 - fixed command
            [TASKSET, "-a", "-p", "-c", cpus, str(one)], capture_output=True, check=False
        )
    return len(pids)


def replica_postmaster(url: str) -> int:
    import psycopg

    url = url.replace("postgres://", "postgresql://")
    with psycopg.connect(url) as replica, replica.cursor() as cursor:
        cursor.execute("select pg_is_in_recovery()")
        if not cursor.fetchone()[0]:
            raise SystemExit(f"{url} is not a standby")
        return postmaster_pid(cursor)


def start_gunicorn(cpus: str) -> subprocess.Popen:
    return serving.start_gunicorn(PORT, prefix=(TASKSET, "-c", cpus))


def renice_tree(pid: int, niceness: int) -> None:
    """Set the niceness of a process and its children (a postmaster's processes)."""
    pids = [pid]
    pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError):  # a backend that ended meanwhile
            os.setpriority(os.PRIO_PROCESS, one, niceness)


def start_worker(cpus: str, replica: str | None, niceness: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    if replica:
        env["DATABASE_REPLICA_URL"] = replica
    return subprocess.Popen(  # noqa: S603 - our own worker
        [TASKSET, "-c", cpus, "nice", "-n", str(niceness), sys.executable, "manage.py"]
        + ["db_worker", "--queue-name", "*"]
        + ["--no-reload", "--interval", "0.5", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
    )


def queue_reports(user, count: int) -> list[str]:
    today = timezone.localdate()
    first = figures.first_day_of_data() or today
    params = {"start": first.isoformat(), "end": today.isoformat()}
    with translation.override("sv"):
        return [
            str(queue.start(kind="reports.report", user=user, title="bench", params=params).pk)
            for _ in range(count)
        ]


def load(args, cpus: str) -> str:
    command = [TASKSET, "-c", cpus, sys.executable, "bench/load.py"]
    command += ["--url", f"http://127.0.0.1:{PORT}", "--staff", str(args.staff)]
    command += ["--seconds", str(args.seconds), "--pause", *map(str, args.pause)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    return subprocess.run(  # noqa: S603 - our own script
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def p95s(table: str) -> dict[str, float]:
    found = {}
    for line in table.splitlines():
        match = re.match(r"^(\S.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", line)
        if match:
            found[match.group(1).strip()] = float(match.group(4))
    return found


def run_with_worker(args, label: str, replica: str | None, user) -> tuple[str, str]:
    Job.objects.filter(title="bench", status=Job.Status.QUEUED).delete()
    ids = queue_reports(user, args.jobs)
    worker = start_worker(args.heavy_cpus, replica, args.heavy_nice)
    try:
        time.sleep(3)  # the worker starts and takes its first job
        began = timezone.now()
        table = load(args, args.client_cpus)
        ended = timezone.now()
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    done = Job.objects.filter(
        pk__in=ids, finished_at__gte=began, finished_at__lte=ended, status=Job.Status.DONE
    ).count()
    failed = Job.objects.filter(pk__in=ids, status=Job.Status.FAILED).count()
    seconds = (ended - began).total_seconds()
    note = (
        f"{label}: the worker finished {done} reports over all years during the run's "
        f"{seconds:.0f} s ({failed} failed)"
    )
    Job.objects.filter(pk__in=ids, status=Job.Status.QUEUED).delete()
    return table, note


def summary(results: dict[str, str]) -> None:
    """Each run's p95 per action, and the runs with the worker against the quiet ones (the
    mean of their p95s: with --rounds, quiet and worker runs alternate, so drift over the
    runs falls on both)."""
    p95 = {name: p95s(table) for name, table in results.items()}
    print("\n| action | " + " | ".join(f"{name} p95 ms" for name in results) + " | ratio |")
    for action in p95[next(iter(results))]:

        def mean(kind: str, action: str = action) -> float:
            values = [v[action] for n, v in p95.items() if n.startswith(kind) and action in v]
            return sum(values) / len(values) if values else float("nan")

        cells = " | ".join(f"{p95[name].get(action, float('nan')):.0f}" for name in results)
        ratios = f"replica / quiet {mean('replica') / mean('quiet'):.2f}x"
        if "primary" in results:
            ratios += f", primary / quiet {mean('primary') / mean('quiet'):.2f}x"
        print(f"| {action} | {cells} | {ratios} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=70)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--pause", type=float, nargs=2, default=(5.0, 15.0))
    parser.add_argument("--jobs", type=int, default=200, help="report jobs queued per run")
    parser.add_argument("--staff-cpus", default="0")
    parser.add_argument("--heavy-cpus", default="1")
    parser.add_argument("--client-cpus", help="the load client's (default: --heavy-cpus)")
    parser.add_argument("--heavy-nice", type=int, default=10, help="the replica's and worker's")
    parser.add_argument("--manager", default="manager")
    parser.add_argument("--rounds", type=int, default=1, help="quiet and replica runs, in turn")
    parser.add_argument("--without-replica", action="store_true", help="and a run on the primary")
    args = parser.parse_args()
    args.client_cpus = args.client_cpus or args.heavy_cpus
    replica = os.environ.get("BRYGGA_REPLICA", "")
    if not replica:
        raise SystemExit("BRYGGA_REPLICA must name the standby (see the docstring)")
    every = f"0-{(os.cpu_count() or 1) - 1}"
    user = get_user_model().objects.get(username=args.manager)
    with connection.cursor() as cursor:
        primary = postmaster_pid(cursor)
    connection.close()
    standby = replica_postmaster(replica)
    print(
        f"# {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average "
        f"{os.getloadavg()[0]:.2f}; staff's side on CPU {args.staff_cpus} (primary: "
        f"{pin_tree(primary, args.staff_cpus)} processes), heavy side on CPU {args.heavy_cpus} "
        f"(replica: {pin_tree(standby, args.heavy_cpus)} processes, nice {args.heavy_nice}), "
        f"load client on CPU {args.client_cpus}"
    )
    renice_tree(standby, args.heavy_nice)
    server = start_gunicorn(args.staff_cpus)
    results: dict[str, str] = {}
    try:
        for round_ in range(1, args.rounds + 1):
            print(f"\n## quiet {round_}: no statistics produced")
            results[f"quiet {round_}"] = load(args, args.client_cpus)
            print(results[f"quiet {round_}"])
            print(f"## replica {round_}: the worker produces the statistics, reading the replica")
            table, note = run_with_worker(args, "replica", replica, user)
            results[f"replica {round_}"] = table
            print(table + note)
        if args.without_replica:
            print("\n## primary: the same worker, reading the primary (no replica)")
            results["primary"], note = run_with_worker(args, "no replica", None, user)
            print(results["primary"] + note)
    finally:
        server.terminate()
        server.wait(timeout=60)
        pin_tree(primary, every)
        pin_tree(standby, every)
        renice_tree(standby, 0)
    summary(results)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

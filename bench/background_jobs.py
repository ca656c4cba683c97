"""Background jobs: what the queue costs, how soon a worker takes a job, and what moving the
report over all years to the worker saves the request.

Run on a scratch copy (it writes jobs and queue rows), migrated to this version:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_jobs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_jobs DEBUG=0 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_jobs DEBUG=0 \\
        .venv/bin/python bench/background_jobs.py [--jobs 300] [--threads 1 2 4] [--pickups 10]

Prints:
- the queue's own cost: jobs that do nothing, run by 1, 2, 4 workers (threads, each on its own
  connection, as `manage.py db_worker` processes would be), jobs per second, and whether each job
  ran exactly once;
- the report over all years as a manager asks for it: counted in the request (as before) against
  queueing it (what the request now costs) and the worker's time for the job;
- how long a job waits for `manage.py db_worker --interval 1` (a real worker process) to take it.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from jobs import queue, worker  # noqa: E402
from jobs.kinds import KINDS, Kind, Result  # noqa: E402
from jobs.models import Job  # noqa: E402
from reports import figures  # noqa: E402
from reports.period import form_for, report_for  # noqa: E402
from tests.threads import at_once  # noqa: E402

NOOP = "bench.noop"
runs: list[str] = []
runs_lock = threading.Lock()


def noop(job, progress):
    with runs_lock:
        runs.append(str(job.pk))
    return Result()


KINDS[NOOP] = Kind(run=noop, check=lambda user, job: None)


def queue_throughput(user, count: int, threads: int) -> None:
    runs.clear()
    ids = {str(queue.start(kind=NOOP, user=user, title="bench").pk) for _ in range(count)}

    def drain():
        return worker.run_pending()

    start = time.perf_counter()
    done = at_once(threads, drain)
    elapsed = time.perf_counter() - start
    once = len(runs) == len(set(runs)) == count and set(runs) == ids
    print(
        f"  {threads} worker(s): {count} jobs in {elapsed:.2f} s = {count / elapsed:,.0f} jobs/s; "
        f"per worker {sorted(done)}; each ran exactly once: {'yes' if once else 'NO'}"
    )


def report_in_request_or_queued(user) -> None:
    today = timezone.localdate()
    first = figures.first_day_of_data() or today
    params = {"start": first.isoformat(), "end": today.isoformat()}
    with translation.override("sv"):
        form = form_for(user, params)
        assert form.is_valid(), form.errors
        start = time.perf_counter()
        report_for(user, form)
        in_request = time.perf_counter() - start
        start = time.perf_counter()
        job = queue.start(kind="reports.report", user=user, title="bench", params=params)
        queued = time.perf_counter() - start
    start = time.perf_counter()
    worker.run_once()
    job_time = time.perf_counter() - start
    job.refresh_from_db()
    print(
        f"  all years {params['start']} to {params['end']}: counted in the request "
        f"{in_request:.2f} s; queued in the request {queued * 1000:.1f} ms; "
        f"the worker's job (report, HTML, CSV, Excel) {job_time:.2f} s, {job.status}"
    )


def pickup_latency(user, count: int) -> None:
    env = {**os.environ, "DEBUG": "0"}
    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
    cmd += ["--interval", "1", "--verbosity", "0"]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - our own command
    try:
        time.sleep(3)  # the worker starts
        year = timezone.localdate().year - 1
        params = {"start": f"{year}-01-01", "end": f"{year}-01-31"}
        made = []
        for _ in range(count):  # one at a time: the wait is the worker's, not a queue's
            job = queue.start(kind="reports.report", user=user, title="bench", params=params)
            made.append(job)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not Job.objects.get(pk=job.pk).finished:
                time.sleep(0.05)
            time.sleep(random.random())  # the next one at any moment of the worker's sleep
        jobs = list(Job.objects.filter(pk__in=[j.pk for j in made]))
        waits = [(j.started_at - j.created_at).total_seconds() for j in jobs if j.started_at]
        totals = [(j.finished_at - j.created_at).total_seconds() for j in jobs if j.finished_at]
        print(
            f"  {len(jobs)} month reports, one after the other, worker polling every 1 s: waited "
            f"median {statistics.median(waits):.2f} s, max {max(waits):.2f} s; asked to ready "
            f"median {statistics.median(totals):.2f} s, max {max(totals):.2f} s"
        )
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    for name in ("jobs", "django_tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pickups", type=int, default=10)
    parser.add_argument("--manager", default="manager", help="a manager's username")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.manager)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print("The queue's own cost (jobs that do nothing):")
    for threads in args.threads:
        queue_throughput(user, args.jobs, threads)
    print("The report over all years:")
    report_in_request_or_queued(user)
    print("A worker process taking jobs:")
    pickup_latency(user, args.pickups)


if __name__ == "__main__":
    main()

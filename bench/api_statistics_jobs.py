"""The API's statistics over all years: counted in the request (as before) against 202 and a job.

Run on a scratch copy (it writes jobs, queue rows and a token), migrated to this version:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_api_jobs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api_jobs \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api_jobs \\
        .venv/bin/python bench/api_statistics_jobs.py

Prints, for the demo manager's token: GET /api/v1/statistics over all years counted in the
request (BRYGGA_REPORT_SYNC_DAYS raised so it is), the same request answered 202 with a job, the
same request resent while the job waits (the same job), one poll, the worker's time for the job,
and the finished job's answer (its size). Wall time and this process's CPU time (the worker runs
in this process); the load average. Prints figures; asserts nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.models import Scope  # noqa: E402
from api.tokens import create_token  # noqa: E402
from jobs import worker  # noqa: E402
from reports import figures  # noqa: E402


def timed(label: str, call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    status = getattr(result, "status_code", "")
    print(f"  {label:52} {wall * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU  {status}")
    return result


def main() -> None:
    for name in ("jobs", "django_tasks", "django_tasks_db", "django.request"):
        logging.getLogger(name).setLevel(logging.ERROR)
    manager = get_user_model().objects.get(username="manager")
    _token, raw = create_token(user=manager, name="bench", scope=Scope.READ_WRITE)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="sv")
    today = timezone.localdate()
    first = figures.first_day_of_data() or today
    period = {"start": first.isoformat(), "end": today.isoformat()}
    print(f"GET /api/v1/statistics {period['start']} to {period['end']}, load {os.getloadavg()}")
    limit = settings.BRYGGA_REPORT_SYNC_DAYS
    settings.BRYGGA_REPORT_SYNC_DAYS = 100_000
    timed("counted in the request (before)", lambda: client.get("/api/v1/statistics", period))
    settings.BRYGGA_REPORT_SYNC_DAYS = limit
    asked = timed("202 and a job", lambda: client.get("/api/v1/statistics", period))
    again = timed(
        "resent while it waits: the same job", lambda: client.get("/api/v1/statistics", period)
    )
    url = f"/api/v1/jobs/{asked.json()['id']}"
    print(f"  same job: {again.json()['id'] == asked.json()['id']}")
    timed("one poll while it waits", lambda: client.get(url))
    timed("the worker's job (report, data, HTML, CSV, Excel)", worker.run_once)
    done = timed("the poll that gives the report", lambda: client.get(url))
    print(f"  status {done.json()['status']}, answer {len(done.content) / 1024:.0f} KiB")
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""Running what the queue holds, in this process: for tests and for `manage.py run_jobs --once`.

In production the worker is django-tasks' own `manage.py db_worker` (deploy/brygga-worker.service),
which loops over the same two steps: take the next ready task under a lock, run it.
"""

from __future__ import annotations

from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_once(worker_id: str | None = None) -> bool:
    """Take the next ready task (locked: no other worker gets it) and run it; False if none."""
    worker_id = worker_id or get_random_string(32)
    ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
    with exclusive_transaction(ready.db):
        found = ready.get_locked()
        if found is None:
            return False
        found.claim(worker_id)
    _worker(worker_id).run_task(found)
    return True


def run_pending(worker_id: str | None = None) -> int:
    """Run tasks until none is ready; how many ran."""
    count = 0
    while run_once(worker_id):
        count += 1
    return count

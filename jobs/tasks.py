"""The one task the queue knows: run a Job. Its only argument is the job's id, so nothing
personal passes through the queue's rows or the worker's log."""

from __future__ import annotations

from django_tasks import task

from jobs import queue


@task()
def run_job(job_id: str) -> str:
    return queue.execute(job_id)

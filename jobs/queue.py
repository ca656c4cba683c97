"""Asking for a job, running it once, retrying it: the one place that changes a Job's status.

Nothing runs twice:
- a resent form that asks for a job is handled once (submissions/, the form's token);
- a job waiting in the queue is taken by one worker (django-tasks' database worker locks the
  queue's row: SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on
  SQLite), and `execute` claims the Job itself with a conditional UPDATE, so even a task
  delivered twice runs the work once;
- a job with a `once_key` (the daily jobs: one per day) is created once, whoever asks again.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from jobs.kinds import KINDS, STARTED, Progress
from jobs.models import Job, JobFile

logger = logging.getLogger(__name__)


def start(
    *,
    kind: str,
    user: Any,
    title: str,
    params: dict | None = None,
    person_id: uuid.UUID | None = None,
    once_key: str | None = None,
) -> Job:
    """Create the job and put it in the queue, in one transaction; with a `once_key` already
    used, the job asked for before (and nothing is queued)."""
    if once_key and (earlier := Job.objects.filter(once_key=once_key).first()):
        return earlier
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                title=title[:200],
                params=params or {},
                requested_by=user,
                language=translation.get_language() or "sv",
                person_id=person_id,
                once_key=once_key,
            )
            _enqueue(job)
    except IntegrityError:
        if once_key is None:
            raise
        return Job.objects.get(once_key=once_key)
    return job


def _enqueue(job: Job) -> None:
    from jobs.tasks import run_job

    run_job.enqueue(str(job.pk))


def retry(job: Job) -> bool:
    """Queue a failed job again; False if it had not failed (a second click, another tab)."""
    with transaction.atomic():
        again = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED, step="", progress=0, error="", finished_at=None
        )
        if again:
            _enqueue(job)
    return bool(again)


def execute(job_id: str) -> str:
    """Do the job's work, if it is waiting; record the result or the failure."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        step=STARTED,
        progress=0,
    )
    if not claimed:
        logger.info("job %s not run: it was not waiting", job_id)
        return "skipped"
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    try:
        with translation.override(job.language):
            result = KINDS[job.kind].run(job, Progress(job))
    except Exception as error:  # noqa: BLE001 - any failure is shown on the job's page
        # The exception's name only: its message may name a person.
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, type(error).__name__)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=type(error).__name__[:200], finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        JobFile.objects.bulk_create(
            JobFile(job=job, name=f.name, content_type=f.content_type, data=f.data)
            for f in result.files
        )
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            html=result.html,
            step="",
            progress=100,
            finished_at=timezone.now(),
        )
    logger.info("job %s (%s) done", job.pk, job.kind)
    return "done"

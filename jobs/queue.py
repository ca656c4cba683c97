"""Asking for a job, running it once, retrying it: the one place that changes a Job's status.

Nothing runs twice:
- a resent form that asks for a job is handled once (submissions/, the form's token);
- a job waiting in the queue is taken by one worker (django-tasks' database worker locks the
  queue's row: SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on
  SQLite), and `execute` claims the Job itself with a conditional UPDATE, so even a task
  delivered twice runs the work once;
- a job with a `once_key` (the daily jobs: one per day) is created once, whoever asks again;
- a job asked for `one_at_a_time` (the statistics report, from the page or the API) is not queued
  again while the same user's job of the same kind and parameters waits or runs: asking again
  gives that job. A partial unique index (`job_one_pending_per_key`) holds this in the database,
  so two requests at the same moment cannot both queue one.
"""

from __future__ import annotations

import hashlib
import json
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
    one_at_a_time: bool = False,
) -> Job:
    """Create the job and put it in the queue, in one transaction; with a `once_key` already
    used, or `one_at_a_time` while the same job waits or runs, the job asked for before (and
    nothing is queued)."""
    params = params or {}
    pending_key = _pending_key(kind, user, params) if one_at_a_time else None
    if earlier := _earlier(once_key, pending_key):
        return earlier
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                title=title[:200],
                params=params,
                requested_by=user,
                language=translation.get_language() or "sv",
                person_id=person_id,
                once_key=once_key,
                pending_key=pending_key,
            )
            _enqueue(job)
    except IntegrityError:
        # Another request created the same job between the look above and this insert.
        if earlier := _earlier(once_key, pending_key):
            return earlier
        raise
    return job


PENDING = (Job.Status.QUEUED, Job.Status.RUNNING)


def _pending_key(kind: str, user: Any, params: dict) -> str:
    same = json.dumps([kind, getattr(user, "pk", None), params], sort_keys=True, default=str)
    return hashlib.sha256(same.encode()).hexdigest()


def _earlier(once_key: str | None, pending_key: str | None) -> Job | None:
    if once_key:
        return Job.objects.filter(once_key=once_key).first()
    if pending_key:
        return Job.objects.filter(pending_key=pending_key, status__in=PENDING).first()
    return None


def _enqueue(job: Job) -> None:
    from jobs.tasks import run_job

    run_job.enqueue(str(job.pk))


def retry(job: Job) -> bool:
    """Queue a failed job again; False if it had not failed (a second click, another tab), or
    if the same job asked for one at a time has been asked for again and waits or runs."""
    try:
        with transaction.atomic():
            again = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
                status=Job.Status.QUEUED, step="", progress=0, error="", finished_at=None
            )
            if again:
                _enqueue(job)
    except IntegrityError:  # job_one_pending_per_key: its twin is in the queue already
        return False
    return bool(again)


def twin(job: Job) -> Job | None:
    """The other job, waiting or running, that was asked for as this one was (one at a time)."""
    if not job.pending_key:
        return None
    return (
        Job.objects.filter(pending_key=job.pending_key, status__in=PENDING)
        .exclude(pk=job.pk)
        .first()
    )


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
            data=result.data,
            step="",
            progress=100,
            finished_at=timezone.now(),
        )
    logger.info("job %s (%s) done", job.pk, job.kind)
    return "done"

"""The one way to load a job for a user, shared by the job's pages and the API.

A job and its result are only ever shown to the user who asked for it (anyone else gets 404, as
if it did not exist), and the job's kind checks again, on every look, that the user still may
(jobs.kinds): a result can hold personal data, and permissions may have been withdrawn since.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jobs.kinds import KINDS
from jobs.models import Job


def checked(user: Any, job: Job) -> Job:
    """The job, if its kind still lets the user see it (PermissionDenied if not)."""
    kind = KINDS.get(job.kind)
    if kind is None:
        raise Http404
    kind.check(user, job)
    return job


def job_for_user(user: Any, pk: Any, kinds: frozenset[str] | None = None) -> Job:
    """The user's own job (of one of `kinds`, when given), checked; 404 for anyone else's."""
    job = Job.objects.filter(pk=pk, requested_by=user).first() if user.is_authenticated else None
    if job is None or (kinds is not None and job.kind not in kinds):
        raise Http404
    return checked(user, job)

"""Background jobs asked for through the API: GET /jobs/{id} to follow one, POST .../retry.

Only the statistics report is asked for through the API (GET /statistics for a long period), so
only its jobs are known here: anything else, or anyone else's job, is 404. The job is loaded as
its page loads it (`jobs.access.job_for_user`): the user who asked, and the kind's permission
checked again on every read.
"""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from api.errors import responses
from api.reports import JobOut, job_answer
from jobs import queue
from jobs.access import job_for_user
from jobs.models import Job

router = Router(tags=["jobs"])

# The kinds of job the API asks for, and so shows.
API_KINDS = frozenset({"reports.report"})


@router.get(
    "/jobs/{job_id}",
    response=responses({200: JobOut}),
    summary="A background job: its progress, then its result or why it failed",
    url_name="job",
)
def job(request, response: HttpResponse, job_id: uuid.UUID):
    return job_answer(request, response, job_for_user(request.user, job_id, API_KINDS))


@router.post(
    "/jobs/{job_id}/retry",
    response=responses({202: JobOut}, 409),
    summary="Queue a failed job again",
    description=(
        "Only a failed job can be tried again (409 otherwise). If the same report has been "
        "asked for again meanwhile and that job waits or runs, the answer is that job."
    ),
)
def retry(request, response: HttpResponse, job_id: uuid.UUID):
    found = job_for_user(request.user, job_id, API_KINDS)
    if not queue.retry(found):
        found.refresh_from_db()
        twin = queue.twin(found) if found.status == Job.Status.FAILED else None
        if twin is None:
            raise HttpError(
                409,
                _("Only a job that failed can be tried again; this one is %(status)s.")
                % {"status": found.get_status_display().lower()},
            )
        found = twin
    found.refresh_from_db()
    return Status(202, job_answer(request, response, found))

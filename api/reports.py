"""The statistics report, exactly as the statistics page computes it: the page's roles, period
form and disclosure control (analysts: fixed periods, counts rounded to base 5; managers exact
figures).

A period the page would produce in the background (`reports.jobs.in_background`, longer than
BRYGGA_REPORT_SYNC_DAYS) is produced by the same background job here: the answer is 202 with the
job, polled at GET /jobs/{id} (api/jobs.py) until it holds the report. Asked again while that
job waits or runs, the answer is the same job: nothing is counted twice.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.errors import responses
from jobs.models import Job
from organisation.permissions import may_see_statistics, require

router = Router(tags=["statistics"])

# How many seconds a client should wait before asking about a job again.
POLL_SECONDS = 2


class Period(Schema):
    start: datetime.date
    end: datetime.date
    on_date: datetime.date


class ReportOut(Schema):
    period: Period
    suppressed: bool
    sections: list[dict[str, Any]]


class JobOut(Schema):
    id: uuid.UUID
    status: Job.Status = Field(
        description="queued (waiting for a worker), running, done (`report` holds the result) "
        "or failed (`error` and `detail` say why; POST `retry_url` to try again)."
    )
    progress: int = Field(description="How far it has come, 0 to 100.")
    step: str = Field(description="What it is doing now, in the request's language.")
    title: str
    url: str = Field(description="Where to ask about the job again (also the Location header).")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    error: str | None = Field(None, description="When failed: the kind of error.")
    detail: str | None = Field(None, description="When failed: what happened and what to do.")
    retry_url: str | None = Field(None, description="When failed: POST here to try again.")
    report: ReportOut | None = Field(
        None, description="When done: the report, as GET /statistics gives it for a short period."
    )


class ReportQuery(Schema):
    start: datetime.date
    end: datetime.date
    on_date: datetime.date | None = Field(None, description="Stock figures on (default: end).")


def job_answer(request, response: HttpResponse, job: Job) -> dict:
    """The job as the API shows it; a job still to finish also sets Location and Retry-After."""
    url = request.build_absolute_uri(reverse("api:job", kwargs={"job_id": job.pk}))
    answer = {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "step": _(job.step) if job.step else "",
        "title": job.title,
        "url": url,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
    if job.status == Job.Status.FAILED:
        answer["error"] = job.error or "Error"
        answer["retry_url"] = f"{url}/retry"
        answer["detail"] = _(
            "The job failed (%(error)s). Nothing was produced: try again with POST %(retry)s."
        ) % {"error": answer["error"], "retry": answer["retry_url"]}
    elif job.status == Job.Status.DONE:
        answer["report"] = job.data
    else:
        response["Location"] = url
        response["Retry-After"] = str(POLL_SECONDS)
    return answer


@router.get(
    "/statistics",
    response=responses({200: ReportOut, 202: JobOut}),
    summary="The statistics report for a period",
    description=(
        "A period longer than BRYGGA_REPORT_SYNC_DAYS (366 by default) is counted in the "
        "background, as on the statistics page: the answer is then 202 with the job (its "
        "`url`, also in the Location header), to be polled at GET /jobs/{id} until it is done "
        "and holds this same report. Asked again while that job waits or runs, the answer is "
        "the same job."
    ),
)
def statistics(request, response: HttpResponse, query: Query[ReportQuery]):
    # Imported here: the rest of the API never depends on the reports app to load.
    from reports import jobs
    from reports.period import form_for, report_for

    require(may_see_statistics(request.user))
    params = {"start": query.start, "end": query.end, "on": query.on_date or ""}
    form = form_for(request.user, params)
    if not form.is_valid():
        # The page's field "on" is this endpoint's "on_date".
        errors = {("on_date" if k == "on" else k): v for k, v in form.errors.as_data().items()}
        raise ValidationError(errors)
    if jobs.in_background(form):
        return Status(202, job_answer(request, response, jobs.start(request.user, form)))
    return Status(200, report_for(request.user, form))

"""A job's page, its status fragment (polled by HTMX while it runs), retry and downloads.

A job and its result are only ever shown to the user who asked for it (anyone else gets 404),
and the job's kind checks again, on every look and every download, that the user still may
(jobs.kinds): a result can hold personal data.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import queue
from jobs.access import checked, job_for_user
from jobs.kinds import KINDS
from jobs.models import Job, JobFile
from organisation.permissions import may_have_jobs, require


def _job_for(request, pk) -> Job:
    return job_for_user(request.user, pk)


def _context(job: Job) -> dict:
    return {"job": job, "files": list(job.files.only("id", "name", "job_id"))}


@login_required
def mine(request):
    require(may_have_jobs(request.user))
    since = timezone.now() - datetime.timedelta(days=settings.BRYGGA_JOB_RESULT_DAYS)
    jobs = Job.objects.filter(requested_by=request.user, created_at__gte=since).only(
        "id", "title", "status", "created_at", "finished_at", "kind"
    )[:50]
    return render(
        request, "jobs/mine.html", {"jobs": jobs, "days": settings.BRYGGA_JOB_RESULT_DAYS}
    )


@login_required
def page(request, pk):
    return render(request, "jobs/page.html", _context(_job_for(request, pk)))


@login_required
def status(request, pk):
    return render(request, "jobs/_status.html", _context(_job_for(request, pk)))


@require_POST
@login_required
def retry(request, pk):
    job = _job_for(request, pk)
    if queue.retry(job):
        messages.success(request, _("The job is in the queue again."))
    elif job.status == Job.Status.FAILED and (twin := queue.twin(job)):
        # Asked for again meanwhile: that job is the one in the queue.
        return redirect("jobs:page", pk=twin.pk)
    return redirect("jobs:page", pk=job.pk)


@login_required
def download(request, pk):
    file = JobFile.objects.select_related("job").filter(pk=pk).first()
    if file is None or file.job.requested_by_id != request.user.pk:
        raise Http404
    job = checked(request.user, file.job)
    KINDS[job.kind].on_download(request.user, job, file)
    response = HttpResponse(bytes(file.data), content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response

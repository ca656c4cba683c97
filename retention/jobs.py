"""Register extracts produced in the background (jobs/): the PDF and the JSON file.

Only the manager who asked sees the job and downloads the file (jobs.views), and only while
they still have write access to the person as a manager (`check`, asked again on every look);
each download is in the access log as the export of the extract, as it was when the file was
made at the download.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.timefmt import date_text
from jobs import queue
from jobs.kinds import File, Kind, Progress, Result
from jobs.models import Job, JobFile
from organisation.permissions import may_manage_retention, require
from people.opening import ReasonRequired, open_record
from retention import actions, extract
from retention.models import RegisterExtract

KIND = "retention.extract"
FORMATS = {"pdf": "application/pdf", "json": "application/json"}
COLLECTING = gettext_noop("Collecting everything held about the person")
WRITING = gettext_noop("Writing the file")


def start(*, user: Any, made: RegisterExtract, format: str) -> Job:
    title = _("Register extract (%(format)s), request received %(date)s") % {
        "format": format.upper(),
        "date": date_text(made.requested_on),
    }
    return queue.start(
        kind=KIND,
        user=user,
        title=title,
        params={"extract": str(made.pk), "format": format},
        person_id=made.person_id,
    )


def check(user: Any, job: Job) -> None:
    """The manager still has write access to the person (404 if they may no longer know of
    them); no access-log entry: the download logs what it hands over."""
    try:
        _person, level = open_record(user, job.person_id, write=True, log=False)
    except ReasonRequired:
        raise PermissionDenied from None
    require(may_manage_retention(user, level))


def run(job: Job, progress: Progress) -> Result:
    check(job.requested_by, job)
    made = RegisterExtract.objects.select_related("person").get(pk=job.params["extract"])
    fmt = job.params["format"]
    progress.step(COLLECTING, 10)
    name = f"registerutdrag-{made.pk}.{fmt}"
    if fmt == "pdf":
        with translation.override("sv"):  # the authority's document is Swedish, like its letters
            data = extract.build(made.person, extract=made)
            progress.step(WRITING, 60)
            content = extract.pdf(data, made.person)
    else:
        data = extract.build(made.person, extract=made)
        progress.step(WRITING, 80)
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return Result(files=[File(name, FORMATS[fmt], content)])


def on_download(user: Any, job: Job, file: JobFile) -> None:
    made = RegisterExtract.objects.get(pk=job.params["extract"])
    actions.log_extract_download(user=user, extract=made, kind=job.params["format"])


EXTRACT = Kind(run=run, check=check, on_download=on_download)

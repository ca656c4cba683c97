"""The daily jobs as a background job (`manage.py daily --enqueue`; jobs/): the worker runs
`manage.py daily`, and the job keeps its output (counts and ids only) for operators."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils.html import escape

from jobs.kinds import Kind, Progress, Result
from jobs.models import Job


def run(job: Job, progress: Progress) -> Result:
    out = io.StringIO()
    call_command("daily", stdout=out, stderr=out)  # CommandError when a part failed
    return Result(html=f"<pre>{escape(out.getvalue())}</pre>")


def check(user: Any, job: Job) -> None:
    raise PermissionDenied  # nobody asked for it: no page shows it


DAILY = Kind(run=run, check=check)

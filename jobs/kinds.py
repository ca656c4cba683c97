"""The kinds of background job: a registry the apps fill in their AppConfig.ready().

A kind says how to do the work (`run`), whether a user may still see a job of it (`check`,
asked again on every look at the job and every download: permissions may have been withdrawn
since it was asked for), and what a download must record (`on_download`, e.g. the access-log
entry for a register extract).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from jobs.models import Job, JobFile


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    data: bytes


@dataclass
class Result:
    html: str = ""
    files: list[File] = field(default_factory=list)
    # The result as JSON-ready data, for the API (None: the kind has none).
    data: Any = None


class Progress:
    """Tells the job's page what the job is doing: `step(gettext_noop("..."), percent)`."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def step(self, text: str, percent: int) -> None:
        from jobs.models import Job

        # Outside any transaction of the work, so the page sees it at once.
        Job.objects.filter(pk=self.job.pk).update(step=text[:100], progress=percent)


def _nothing(user: Any, job: Job, file: JobFile) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    run: Callable[[Job, Progress], Result]
    check: Callable[[Any, Job], None]
    on_download: Callable[[Any, Job, JobFile], None] = _nothing


KINDS: dict[str, Kind] = {}

# Steps every job goes through, named here so their translations are found.
WAITING = gettext_noop("Waiting for a worker")
STARTED = gettext_noop("Started")

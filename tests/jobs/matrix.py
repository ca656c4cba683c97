"""URL builders for the background-job rows of tests/test_role_matrix.py: a finished statistics
job, asked for by the standard manager, with its files."""

from __future__ import annotations

from dataclasses import dataclass


def _job(ctx):
    if "job" not in ctx:
        from django.contrib.auth import get_user_model

        from jobs import queue
        from jobs.worker import run_pending

        manager = get_user_model().objects.get(username="boss")
        ctx["job"] = queue.start(
            kind="reports.report",
            user=manager,
            title="Statistik",
            params={"start": "2015-01-01", "end": "2024-12-31"},
        )
        run_pending()
    return ctx["job"]


def job_url(suffix=""):
    return lambda ctx: f"/jobb/{_job(ctx).pk}/{suffix}"


def file_url(ctx):
    return f"/jobb/fil/{_job(ctx).files.order_by('name').first().pk}/"


def job_page(ctx):
    from tests.test_role_matrix import Redirect

    return Redirect(f"/jobb/{_job(ctx).pk}/")


@dataclass(frozen=True)
class NewJobPage:
    """302 to the page of the job the request asked for (a new id each time)."""

    def __eq__(self, other) -> bool:
        to = getattr(other, "to", "")
        return to.startswith("/jobb/") and to.count("/") == 3

    def __str__(self) -> str:
        return "302→/jobb/<new>/"

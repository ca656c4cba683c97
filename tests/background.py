"""Background jobs in tests: the worker's run-once, and asking for a job through its page."""

from __future__ import annotations

from jobs.models import Job
from jobs.worker import run_pending

__all__ = ["extract_file", "job_of", "run_pending"]


def job_of(response) -> Job:
    """The job a response redirected to (its page, /jobb/<uuid>/)."""
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def extract_file(client, made, fmt: str):
    """Ask for a register extract's file, let the worker make it, download it from the job's
    page; the refusal instead when the request is refused."""
    response = client.post(f"/registerutdrag/{made.pk}/ta-fram/", {"format": fmt})
    if response.status_code != 302:
        return response
    job = job_of(response)
    run_pending()
    return client.get(f"/jobb/fil/{job.files.get().pk}/")

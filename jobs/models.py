"""A piece of long work someone asked for, run by the worker: its progress and its result.

The queue itself is django-tasks' database backend (django_tasks_db.DBTaskResult, one row per
attempt); a Job is what the person who asked sees: what it is, how far it has come, whether it
failed, and the result (HTML shown on the job's page, and files to download).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # The key of its kind in jobs.kinds.KINDS ("reports.report", "retention.extract", "daily").
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    title = models.CharField(_("title"), max_length=200)
    # Nobody for the daily jobs; otherwise the only user who sees the job and its result.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=10, default="sv")
    # The person the result is about (register extracts): never shown to anyone else.
    person_id = models.UUIDField(null=True, blank=True)
    # Jobs that must happen once ("daily:2026-12-06"): a second request finds the first.
    once_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    # Jobs asked for one at a time (jobs.queue.start(one_at_a_time=True)): the same kind, user
    # and parameters hash to the same key, and the database lets only one such job wait or run.
    pending_key = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # What it is doing now: an English msgid shown translated (jobs.kinds.STEPS), and how far.
    step = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The name of the exception when it failed: for operators, never personal data.
    error = models.CharField(max_length=200, blank=True)
    html = models.TextField(blank=True)
    # The result as data, for the API (the statistics report's JSON); None for other kinds.
    data = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_mine_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["pending_key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_one_pending_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class JobFile(models.Model):
    """A file a job produced, downloaded from the job's page."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

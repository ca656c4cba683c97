"""Forget finished background jobs after BRYGGA_JOB_RESULT_DAYS: their results may hold
personal data (register extracts), and the queue's own rows say nothing anyone needs later.

A job still "running" after STALE_AFTER lost its worker (killed, a power cut): it is marked
failed, so that whoever asked sees it and can try again."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Job

STALE_AFTER = datetime.timedelta(hours=6)


class Command(BaseCommand):
    help = "Delete finished background jobs and their results after BRYGGA_JOB_RESULT_DAYS."

    def handle(self, *args, **options):
        before = timezone.now() - datetime.timedelta(days=settings.BRYGGA_JOB_RESULT_DAYS)
        jobs, _ = Job.objects.filter(
            status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=before
        ).delete()
        tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
        lost = Job.objects.filter(
            status=Job.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
        ).update(status=Job.Status.FAILED, error="WorkerLost", finished_at=timezone.now())
        self.stdout.write(
            f"Deleted {jobs} job rows and {tasks} queue rows; {lost} jobs had lost their worker."
        )

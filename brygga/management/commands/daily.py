"""What must happen every day, in one command for one timer (deploy/brygga-daily.timer).

Each job runs even when an earlier one failed; the command exits non-zero if any failed, so the
timer's unit shows the failure. Prints counts and ids only, never personal data.

With --enqueue (what the timer runs) the jobs are handed to the background worker as one job
of the day (jobs/): asked for again the same day, by a second timer or a second server, it is
still done once.
"""

from __future__ import annotations

import datetime
import traceback
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs import queue
from jobs.models import Job

# (name, command, options): in order. Culling first, so that nothing culled is anchored later;
# the chain is verified before its head is anchored outside the database (docs/access-log.md).
JOBS: list[tuple[str, str, dict]] = [
    ("culling after the retention period", "cull", {}),
    ("expired login sessions", "clearsessions", {}),
    ("finished background jobs past their days", "prune_jobs", {}),
    ("the access log's chain", "verify_access_log", {"since_checkpoint": True}),
    ("the access log's anchor outside the database", "anchor_access_log", {}),
    ("the day's capacity forecasts", "warm_capacity_forecasts", {}),
    ("ended periods off the closed cases' running decisions", "clear_ended_periods", {}),
]


def jobs() -> list[tuple[str, str, dict]]:
    """The anchor only where BRYGGA_ACCESS_LOG_ANCHOR is set (verify says when it is not). The
    first run writes the anchor file before verifying, which needs it to exist."""
    anchor = settings.BRYGGA_ACCESS_LOG_ANCHOR
    if not anchor:
        return [job for job in JOBS if job[1] != "anchor_access_log"]
    if not Path(anchor).exists():
        first = [job for job in JOBS if job[1] == "anchor_access_log"]
        return first + [job for job in JOBS if job[1] != "anchor_access_log"]
    return JOBS


class Command(BaseCommand):
    help = (
        "Run the daily jobs: culling, expired sessions, checking the access log and anchoring "
        "its head, the day's capacity forecasts, ended periods off the closed cases' list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Cull nothing; list only.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand today's run to the background worker (once per day, however often asked).",
        )

    def handle(self, *args, dry_run=False, enqueue=False, **options):
        if enqueue:
            self.enqueue()
            return
        failed = []
        for name, command, kwargs in jobs():
            self.stdout.write(f"== {name} ({command})")
            if dry_run and command == "cull":
                kwargs = {**kwargs, "dry_run": True}
            try:
                call_command(command, stdout=self.stdout, stderr=self.stderr, **kwargs)
            except (CommandError, Exception) as error:  # noqa: BLE001 - the next job still runs
                failed.append(command)
                self.stderr.write(f"{command} failed: {type(error).__name__}: {error}")
                self.stderr.write(traceback.format_exc(limit=3))
        if failed:
            raise CommandError(f"Daily jobs failed: {', '.join(failed)}")
        self.stdout.write("All daily jobs done.")

    def enqueue(self) -> None:
        """Queue today's job; fail (so the timer's unit shows it) if yesterday's failed."""
        today = timezone.localdate()
        job = queue.start(
            kind=KIND, user=None, title=f"Daily jobs {today}", once_key=f"{KIND}:{today}"
        )
        self.stdout.write(f"Daily jobs of {today}: job {job.pk}, {job.status}.")
        yesterday = today - datetime.timedelta(days=1)
        earlier = Job.objects.filter(once_key=f"{KIND}:{yesterday}").first()
        if earlier is not None and earlier.status == Job.Status.FAILED:
            raise CommandError(f"The daily jobs of {yesterday} failed ({earlier.error}).")


KIND = "daily"

"""What must happen every day, in one command for one timer (deploy/brygga-daily.timer).

Each job runs even when an earlier one failed; the command exits non-zero if any failed, so the
timer's unit shows the failure. Prints counts and ids only, never personal data.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# (name, command, options): in order. Culling first, so that nothing culled is anchored later;
# the chain is verified before its head is anchored outside the database (docs/access-log.md).
JOBS: list[tuple[str, str, dict]] = [
    ("culling after the retention period", "cull", {}),
    ("expired login sessions", "clearsessions", {}),
    ("the access log's chain", "verify_access_log", {"since_checkpoint": True}),
    ("the access log's anchor outside the database", "anchor_access_log", {}),
    ("the day's capacity forecasts", "warm_capacity_forecasts", {}),
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
        "its head, the day's capacity forecasts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Cull nothing; list only.")

    def handle(self, *args, dry_run=False, **options):
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

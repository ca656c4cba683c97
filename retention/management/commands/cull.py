"""Cull what the retention rules say must go; safe to run daily (docs/retention.md).

Prints ids only (person id, case ids, counts per kind of record), never names or numbers.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retention import actions, conf


class Command(BaseCommand):
    help = "Cull people's records after the retention period, and old access-log entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would go and why; change nothing.",
        )
        parser.add_argument(
            "--today",
            help="Apply the rules as on this date (YYYY-MM-DD); for planning with --dry-run.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Cull this many batches side by side (the first cull of a long history).",
        )

    def handle(self, *args, dry_run=False, today=None, workers=1, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError("--today must be a date as YYYY-MM-DD.") from None
        if today and not dry_run and day > timezone.localdate():
            raise CommandError("A real run cannot apply the rules of a future date.")
        self._people(day, dry_run, workers)
        self._access_log(day, dry_run)

    def _people(self, day, dry_run, workers=1):
        if conf.research_municipality():
            self.stdout.write("Research municipality: every record is kept; nothing is culled.")
            return
        kept = actions.kept_without_assessing(day)
        if dry_run:
            verdicts = actions.plan_culling(day, remember=False)
        else:
            # Each person assessed once, under the lock that culls them.
            verdicts = []
            culled = actions.cull(day, listed=verdicts, workers=workers)
        for v in verdicts:
            self.stdout.write(self._line(v, day))
        if kept:
            self.stdout.write(
                f"{kept} people kept by an earlier verdict that still holds; not assessed again."
            )
        if dry_run:
            going = [v for v in verdicts if v.cull]
            self.stdout.write(f"Dry run: {len(going)} people would be culled; nothing was changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Culled {len(culled)} people."))

    def _line(self, v, day) -> str:
        what = "CULL" if v.cull else "KEEP"
        counts = ", ".join(f"{label} {n}" for label, n in sorted(v.record.counts().items()))
        overdue = " OVERDUE" if v.cull and v.overdue(day) else ""
        return (
            f"{what} person {v.person_id} cases [{', '.join(v.case_ids)}]: {v.rule}; "
            f"last entry {v.last_entry_on}, due {v.due_on}, deadline {v.deadline}{overdue}; "
            f"rows: {counts}"
        )

    def _access_log(self, day, dry_run):
        plan = actions.plan_access_log_culling(day)
        if dry_run:
            self.stdout.write(
                f"Access log: {plan.count} entries before {plan.before:%Y-%m-%d} would be culled."
            )
            return
        done = actions.cull_access_log(day)
        self.stdout.write(
            f"Access log: {done.count} entries older than {done.before:%Y-%m-%d} culled."
        )

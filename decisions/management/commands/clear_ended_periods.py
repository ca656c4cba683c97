"""Clear `Decision.left_running_until` where the day has passed (a daily job, brygga/daily).

The officer's "still in force in a closed case" walks the decisions that have that day in its
order (decisions.0012): cleared, a grant whose period has ended leaves the index, so that the
index holds little more than the running ones, however many years of closed cases there are.
The list shows the same without this (it asks for a day after today); it only reads less.

The column is written to null and the database's trigger recomputes it from the decision and
its case, with the database's date: it is cleared only where it has passed there. Prints a
count, never personal data; reads no person's record, so it logs no access.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from decisions.models import Decision


class Command(BaseCommand):
    help = "Clear the last day of closed cases' grants whose period has ended."

    def handle(self, *args, **options):
        cleared = Decision._base_manager.filter(left_running_until__lt=timezone.localdate()).update(
            left_running_until=None
        )
        self.stdout.write(f"Decisions whose period has ended, cleared: {cleared}")

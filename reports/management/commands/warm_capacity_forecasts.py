"""Make today's capacity forecast for every manager's units, so that no manager waits for the
simulation on the capacity page (a daily job). Prints counts only."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.capacity import managers_forecasts


class Command(BaseCommand):
    help = "Make today's capacity forecast for every manager's units."

    def handle(self, *args, **options):
        made = managers_forecasts()
        self.stdout.write(f"Capacity forecasts for today: {made} sets of units.")

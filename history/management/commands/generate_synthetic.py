"""`python manage.py generate_synthetic --people N`: a fictional dataset for benchmarks."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from history.synthetic import generate

logger = logging.getLogger("brygga.history")


class Command(BaseCommand):
    help = "Add N fictional people with realistic histories (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Synthetic data is never generated in production.")
        if options["people"] < 1:
            raise CommandError("--people must be at least 1.")
        began = time.monotonic()

        def progress(done: int, total: int, counts: dict) -> None:
            rate = done / max(time.monotonic() - began, 1e-9)
            self.stdout.write(f"  {done}/{total} people ({rate:.0f}/s)")

        totals = generate(
            options["people"],
            seed=options["seed"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        seconds = time.monotonic() - began
        summary = ", ".join(f"{model} {n}" for model, n in totals.items())
        self.stdout.write(f"Created in {seconds:.0f} s: {summary}")
        logger.info("synthetic data: %s in %.0f s", totals, seconds)

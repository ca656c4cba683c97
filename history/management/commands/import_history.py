"""`python manage.py import_history FILE`: load a service's history from before Brygga.

See docs/import-format.md. Nothing is loaded from a file with rejected lines unless
--skip-invalid is given; --dry-run validates and loads inside a transaction that is rolled back.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from history.importer import Target, load, validate_file
from organisation.models import SupportKind, Unit, UnitKind

logger = logging.getLogger("brygga.history")


class DryRun(Exception):
    """Raised to roll back a dry run after the load has been tried."""


class Command(BaseCommand):
    help = "Import a service's history from a JSON Lines file (docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="username recorded as making the records")
        parser.add_argument("--unit", help="name of the authority unit (default: the only one)")
        parser.add_argument("--support-kind", default="bryta-isolering", help="its code")
        parser.add_argument("--provider", help="name of the provider unit or team")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--skip-invalid", action="store_true")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return self._handle(options)

    def _handle(self, options):
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("The file is not UTF-8.") from None
        target = self._target(options)
        checked = validate_file(text.splitlines())
        for rejection in checked.rejections:
            self.stderr.write(str(rejection))
        self.stdout.write(
            f"{checked.lines} lines read, {len(checked.rows)} valid, "
            f"{len(checked.rejections)} rejected."
        )
        if checked.rejections and not options["skip_invalid"]:
            logger.warning(
                "history import refused: %s lines, %s rejected (sha256 %s)",
                checked.lines,
                len(checked.rejections),
                hashlib.sha256(raw).hexdigest()[:12],
            )
            raise CommandError(
                "Nothing was imported because some lines were rejected. Correct them, "
                "or give --skip-invalid to import the valid lines only."
            )
        counts = self._load(checked, target, path, raw, options["dry_run"])
        summary = ", ".join(f"{kind} {n}" for kind, n in counts.items())
        prefix = "Dry run, nothing saved. Would create: " if options["dry_run"] else "Created: "
        self.stdout.write(prefix + summary)
        logger.info(
            "history import%s: %s lines, %s rejected, created %s (sha256 %s)",
            " (dry run)" if options["dry_run"] else "",
            checked.lines,
            len(checked.rejections),
            counts,
            hashlib.sha256(raw).hexdigest()[:12],
        )

    def _load(self, checked, target, path, raw, dry_run: bool) -> dict:
        step = max(1, len(checked.rows) // 20)

        def progress(done: int, total: int) -> None:
            if done % step == 0 or done == total:
                self.stdout.write(f"  {done}/{total} lines loaded")

        result: dict = {}
        try:
            with transaction.atomic():
                result = load(
                    checked.rows,
                    target,
                    file_name=path.name,
                    file_sha256=hashlib.sha256(raw).hexdigest(),
                    lines=checked.lines,
                    rejected=len(checked.rejections),
                    progress=progress,
                )
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        return result

    def _target(self, options) -> Target:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']}.")
        kind = SupportKind.objects.filter(code=options["support_kind"]).first()
        if kind is None:
            raise CommandError(f"No kind of support with code {options['support_kind']}.")
        return Target(
            user=user,
            authority_unit=self._unit(options["unit"], [UnitKind.AUTHORITY], "--unit"),
            support_kind=kind,
            provider_unit=self._provider(options["provider"], kind),
        )

    def _unit(self, name, kinds, option) -> Unit:
        candidates = Unit.objects.filter(kind__in=kinds, active=True)
        if name:
            candidates = candidates.filter(name=name)
        units = list(candidates[:2])
        if len(units) != 1:
            raise CommandError(f"Name one unit with {option} (found {len(units)}).")
        return units[0]

    def _provider(self, name, kind: SupportKind) -> Unit:
        units = kind.provider_units.all()
        if name:
            units = units.filter(name=name)
        unit = units.order_by("name").first()
        if unit is None:
            raise CommandError("No provider unit delivers this kind of support; name one.")
        return unit

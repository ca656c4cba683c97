"""`python manage.py import_history FILE`: load a service's history from before Brygga.

See docs/import-format.md. Nothing is loaded from a file with rejected lines unless
--skip-invalid is given; --dry-run validates and loads inside a transaction that is rolled back.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from history.importer import Checked, Loaded, Target, checking, fewer_collections, load
from organisation.models import SupportKind, Unit, UnitKind

logger = logging.getLogger("brygga.history")
SOURCE_NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")


class RollBack(Exception):
    """Raised to roll back a dry run, or a load with rejected lines, after it was tried."""


class Command(BaseCommand):
    help = "Import a service's history from a JSON Lines file (docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="username recorded as making the records")
        parser.add_argument(
            "--source",
            required=True,
            help="short name of the system the file comes from; its ids belong to it",
        )
        parser.add_argument("--unit", help="name of the authority unit (default: the only one)")
        parser.add_argument("--support-kind", default="bryta-isolering", help="its code")
        parser.add_argument("--provider", help="name of the provider unit or team")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--skip-invalid", action="store_true")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE), fewer_collections():
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
        lines = text.splitlines()
        # Each line is checked as the load reads it, while the batch before it is written.
        checked = Checked()
        digest = hashlib.sha256(raw).hexdigest()
        total = sum(1 for line in lines if line.strip())
        loaded = self._load(checking(lines, checked), checked, total, target, path, digest, options)
        rejections = sorted(checked.rejections + loaded.rejections, key=lambda r: r.line)
        for rejection in rejections:
            self.stderr.write(str(rejection))
        self.stdout.write(
            f"{checked.lines} lines read, {checked.lines - len(rejections)} valid, "
            f"{len(rejections)} rejected."
        )
        if rejections and not options["skip_invalid"]:
            logger.warning(
                "history import refused: %s lines, %s rejected (sha256 %s)",
                checked.lines,
                len(rejections),
                digest[:12],
            )
            raise CommandError(
                "Nothing was imported because some lines were rejected. Correct them, "
                "or give --skip-invalid to import the valid lines only."
            )
        self._summary(loaded, options["dry_run"])
        logger.info(
            "history import%s: %s lines, %s rejected, %s (sha256 %s)",
            " (dry run)" if options["dry_run"] else "",
            checked.lines,
            len(rejections),
            loaded.counts,
            digest[:12],
        )

    def _summary(self, loaded: Loaded, dry_run: bool) -> None:
        summary = ", ".join(f"{kind} {n}" for kind, n in loaded.counts.items())
        prefix = "Dry run, nothing saved. Would create: " if dry_run else "Created: "
        self.stdout.write(prefix + summary)
        if loaded.changes:
            self.stdout.write("Would correct:" if dry_run else "Corrected:")
            for change in loaded.changes:
                self.stdout.write(f"  {change}")

    def _load(self, rows, checked, total, target, path, digest: str, options) -> Loaded:
        """Load in one transaction, rolled back for a dry run or for any rejected line
        (unless --skip-invalid): every line the actions refuse is named either way."""
        step, shown = max(1, total // 20), [0]

        def progress(done: int) -> None:
            if done // step > shown[0] // step:  # about every twentieth of the file
                self.stdout.write(f"  {done}/{total} lines loaded")
                shown[0] = done

        loaded = Loaded(counts={})
        try:
            with transaction.atomic():
                loaded = load(
                    rows,
                    target,
                    file_name=path.name,
                    file_sha256=digest,
                    lines=total,
                    rejected=0,
                    progress=progress,
                    checked=checked,
                )
                rejected = checked.rejections or loaded.rejections
                if options["dry_run"] or (rejected and not options["skip_invalid"]):
                    raise RollBack
        except RollBack:
            pass
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        return loaded

    def _target(self, options) -> Target:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']}.")
        kind = SupportKind.objects.filter(code=options["support_kind"]).first()
        if kind is None:
            raise CommandError(f"No kind of support with code {options['support_kind']}.")
        source = options["source"]
        if not SOURCE_NAME.fullmatch(source):
            raise CommandError(
                "--source: 1-20 lower-case letters, digits or hyphens, starting with a letter."
            )
        return Target(
            source=source,
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

"""`python manage.py setup_organisation FILE [--dry-run]`: set up, and later update, the
organisation from the YAML file the municipality fills in (docs/going-live.md; an example is
docs/examples/organisation.yaml).

Nothing is saved from a file with errors; --dry-run checks the file against the database and prints
what would change, saving nothing. Running it again with the same file changes nothing and says so.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from organisation.orgfile import FileError, read
from organisation.setup import LeaveAlone, Report, apply
from sso.models import Identity, SyncedMembership

logger = logging.getLogger("brygga.organisation")


class _RollBack(Exception):
    """Raised to undo a dry run or a run with errors after everything has been tried."""


class Command(BaseCommand):
    help = "Set up or update units, kinds of support, delegation, services and staff from a file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the organisation file (YAML)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change; save nothing"
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return self._handle(Path(options["file"]), options["dry_run"])

    def _handle(self, path: Path, dry_run: bool) -> None:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(_("The file is not UTF-8.")) from None
        try:
            org = read(text)
        except FileError as error:
            self._refuse(error.errors)
        report = self._apply(org, dry_run)
        self._print(report, dry_run)

    def _apply(self, org, dry_run: bool) -> Report:
        report = Report()
        try:
            with transaction.atomic():
                report = apply(org, today=datetime.date.today(), leave_alone=_leave_alone())
                if dry_run or report.errors:
                    raise _RollBack
        except _RollBack:
            pass
        if report.errors:
            self._refuse(report.errors)
        return report

    def _refuse(self, errors: list[str]) -> None:
        for line in errors:
            self.stderr.write(line)
        logger.warning("organisation file refused: %s errors", len(errors))
        raise CommandError(
            _("Nothing was changed: the file has %(n)s error(s), listed above with their lines.")
            % {"n": len(errors)}
        )

    def _print(self, report: Report, dry_run: bool) -> None:
        if not report.changes:
            self.stdout.write(_("Nothing to change: the database already matches the file."))
        else:
            heading = (
                _("Dry run, nothing saved. These %(n)s changes would be made:")
                if dry_run
                else _("Done. %(n)s changes made:")
            )
            self.stdout.write(heading % {"n": len(report.changes)})
            for change in report.changes:
                self.stdout.write(f"  {change}")
        if report.notes:
            self.stdout.write(_("To do:"))
            for note in report.notes:
                self.stdout.write(f"  - {note}")
        # Counts only: the application log holds no names.
        logger.info(
            "organisation file applied%s: %s changes",
            " (dry run)" if dry_run else "",
            len(report.changes),
        )


def _leave_alone() -> LeaveAlone:
    """Accounts that log in through the identity provider, and the memberships its groups give,
    are the provider's (docs/sso.md) unless the file lists the account."""
    return LeaveAlone(
        users=frozenset(Identity.objects.values_list("user_id", flat=True)),
        memberships=frozenset(SyncedMembership.objects.values_list("membership_id", flat=True)),
    )

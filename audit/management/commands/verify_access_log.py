from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.anchor import check_anchors
from audit.models import AccessLogEntry, access_log_key
from audit.verification import FULL_EVERY, verify


class Command(BaseCommand):
    help = (
        "Verify each of the access log's hash chains and name the first broken entry; check that "
        "every entry anchored outside the database (BRYGGA_ACCESS_LOG_ANCHOR) is still in it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help=(
                "Verify only the entries written since the newest sealed checkpoint (what the "
                f"daily job does); from the start when none was made in {FULL_EVERY.days} days."
            ),
        )

    def handle(self, *args, since_checkpoint=False, **options):
        outcome = verify(full=not since_checkpoint)
        broken = outcome.broken
        if broken is not None:
            raise CommandError(
                f"The access log's chain is broken at entry {broken.id}: {_why(broken)}"
            )
        anchored = self._check_anchor()
        if outcome.since is None:
            count = AccessLogEntry.objects.count()
            chains = len(outcome.chains)
            what = f"{count} entries" + (f" in {chains} chains" if chains > 1 else "")
        else:
            since = outcome.since
            used = sum(1 for _verified, checkpoint in outcome.chains if checkpoint is not None)
            where = "the checkpoint" if used == 1 else f"the checkpoints of {used} chains, newest"
            what = (
                f"{outcome.read} new entries since {where} at entry "
                f"{since.entry_id}, verified {since.at.isoformat(timespec='seconds')}"
            )
        self.stdout.write(self.style.SUCCESS(f"The access log's chain holds ({what}{anchored})."))

    def _check_anchor(self) -> str:
        path = settings.BRYGGA_ACCESS_LOG_ANCHOR
        if not path:
            self.stdout.write(
                self.style.WARNING(
                    "No anchor outside the database is set (BRYGGA_ACCESS_LOG_ANCHOR): wiping the "
                    "log and resetting its head, or removing its newest entries, is not detected."
                )
            )
            return ""
        try:
            with open(path, encoding="utf-8") as anchor:
                count, problems = check_anchors(anchor)
        except OSError as exc:
            raise CommandError(
                f"The anchor {path} cannot be read ({exc.strerror}); anchor_access_log creates it."
            ) from exc
        if problems:
            raise CommandError(
                "The access log does not match its anchor outside the database: "
                + "; ".join(problems[:3])
                + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
                + ". Entries were removed or the log was replaced."
            )
        return f"; the {count} anchored heads match"


def _why(broken: AccessLogEntry) -> str:
    if broken.key_id is not None and access_log_key(broken.key_id) is None:
        return (
            f"it was keyed with {broken.key_id!r}, which is not in BRYGGA_ACCESS_LOG_KEYS "
            "(keep old keys after a rotation)."
        )
    return "it or an entry before it was changed, or entries were removed."

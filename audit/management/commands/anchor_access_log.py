from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.anchor import AnchorError, append_anchor


class Command(BaseCommand):
    help = (
        "Append the access log's root (each chain's last id and hash, the time, a keyed seal) to "
        "the anchor outside the database (BRYGGA_ACCESS_LOG_ANCHOR). Run daily."
    )

    def handle(self, *args, **options):
        path = settings.BRYGGA_ACCESS_LOG_ANCHOR
        if not path:
            raise CommandError("BRYGGA_ACCESS_LOG_ANCHOR is not set: there is nowhere to anchor.")
        try:
            heads = append_anchor(path)
        except AnchorError as exc:
            raise CommandError(f"{exc} Run verify_access_log; nothing was anchored.") from exc
        except OSError as exc:
            raise CommandError(f"The anchor {path} cannot be written: {exc.strerror}.") from exc
        newest = max(entry_id for entry_id, _hash in heads.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Anchored the heads of {len(heads)} chains (newest entry {newest})."
            )
        )

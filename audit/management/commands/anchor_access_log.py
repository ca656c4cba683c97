from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.anchor import AnchorError, append_anchor


class Command(BaseCommand):
    help = (
        "Append the access log's head (last id, its hash, the time, an HMAC) to the anchor "
        "outside the database (BRYGGA_ACCESS_LOG_ANCHOR). Run daily."
    )

    def handle(self, *args, **options):
        path = settings.BRYGGA_ACCESS_LOG_ANCHOR
        if not path:
            raise CommandError("BRYGGA_ACCESS_LOG_ANCHOR is not set: there is nowhere to anchor.")
        try:
            entry_id, entry_hash = append_anchor(path)
        except AnchorError as exc:
            raise CommandError(f"{exc} Run verify_access_log; nothing was anchored.") from exc
        except OSError as exc:
            raise CommandError(f"The anchor {path} cannot be written: {exc.strerror}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Anchored entry {entry_id} ({entry_hash[:16]}…)."))

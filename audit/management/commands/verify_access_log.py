from django.core.management.base import BaseCommand, CommandError

from audit.events import verify_chain
from audit.models import AccessLogEntry


class Command(BaseCommand):
    help = "Verify the access log's hash chain and name the first broken entry."

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The access log's chain is broken at entry {broken.id}: "
                "it or an entry before it was changed, or entries were removed."
            )
        count = AccessLogEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The access log's chain holds ({count} entries)."))

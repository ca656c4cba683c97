from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo organisation, users and people (idempotent; never in production)."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION or not settings.DEMO:
            raise CommandError(
                "Demo data can only be loaded in demo mode (BRYGGA_DEMO=1), never in production."
            )
        counts = load_demo()
        self.stdout.write(
            f"Demo data ready: {counts['units']} units, {counts['users']} users, "
            f"{counts['people']} fictional people."
        )
        self.stdout.write(
            "Log in at http://127.0.0.1:<port>/accounts/login/ with password 'demo' as:"
        )
        for username, first, last, memberships in USERS:
            roles = ", ".join(str(role.label) for _, role in memberships)
            self.stdout.write(f"  {username:<14} {first} {last} ({roles})")

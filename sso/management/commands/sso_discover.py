"""Print the environment lines for a provider, read from its discovery document."""

from django.core.management.base import BaseCommand, CommandError

from sso.discovery import DiscoveryError, discover


class Command(BaseCommand):
    help = (
        "Print OIDC_* environment settings for BRYGGA_AUTH=oidc from ISSUER's discovery document."
    )

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="e.g. https://login.example.se/realms/kommun")

    def handle(self, *args, issuer, **options):
        try:
            values = discover(issuer)
        except (DiscoveryError, OSError, ValueError) as exc:
            raise CommandError(f"Could not read the discovery document: {exc}") from exc
        for name, value in values.items():
            self.stdout.write(f"{name}={value}")
        self.stdout.write("OIDC_CLIENT_ID=...")
        self.stdout.write("OIDC_CLIENT_SECRET=...")

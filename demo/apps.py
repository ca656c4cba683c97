from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional organisation, users and people of a demonstration (`manage.py load_demo`,
    only in demo mode). An entry point: nothing imports it."""

    name = "demo"
    verbose_name = "Demo"

    def usernames(self) -> list[str]:
        """The demo accounts, for the login page in demo mode (which reaches them through the
        app registry, not an import)."""
        from demo.data import USERS

        return [username for username, *_ in USERS]

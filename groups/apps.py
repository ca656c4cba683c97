from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Group activities and meeting places")

    def ready(self) -> None:
        # Registers the start-page worklists for group staff and meeting-place staff.
        from groups import (
            closing,  # noqa: F401  (what closing a case settles)
            sections,  # noqa: F401
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = _("Self-rating instruments")

    def ready(self) -> None:
        from instruments import sections  # noqa: F401  (registers the person section and worklist)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "mapping"
    verbose_name = _("Mapping")

    def ready(self) -> None:
        from mapping import sections  # noqa: F401  (registers the person-page section)

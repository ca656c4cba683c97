from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisionConfig(AppConfig):
    name = "provision"
    verbose_name = _("Provision")

    def ready(self) -> None:
        from provision import sections  # noqa: F401  (orders, closure, follow-ups: page parts)

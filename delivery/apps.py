from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery of support")

    def ready(self) -> None:
        from delivery import (
            closing,  # noqa: F401  (what closing a case settles)
            sections,  # noqa: F401  (registers the person section and worklist)
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisionConfig(AppConfig):
    name = "provision"
    verbose_name = _("Provision")

    def ready(self) -> None:
        from decisions.actions import GRANT_FOLLOWS
        from decisions.ending import ENDING_FOLLOWS
        from provision import sections  # noqa: F401  (orders, closure, follow-ups: page parts)
        from provision.actions import order_after_ending, order_for_granted_decision

        if order_for_granted_decision not in GRANT_FOLLOWS:
            GRANT_FOLLOWS.append(order_for_granted_decision)
        if order_after_ending not in ENDING_FOLLOWS:
            ENDING_FOLLOWS.append(order_after_ending)

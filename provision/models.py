"""Orders (uppdrag) from the authority to a provider. The provider's work builds on these."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisions.models import Decision
from organisation.models import SupportKind, Unit
from people.models import Case, Person


class OrderStatus(models.TextChoices):
    NEW = "new", _("New, not yet accepted")
    ACCEPTED = "accepted", _("Accepted")
    ENDED = "ended", _("Ended")


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="order")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="orders")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="orders")
    support_kind = models.ForeignKey(SupportKind, on_delete=models.PROTECT, related_name="+")
    provider_unit = models.ForeignKey(
        Unit, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="orders"
    )
    goals = models.TextField(_("goals of the support"), blank=True)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.support_kind} → {self.provider_unit}"

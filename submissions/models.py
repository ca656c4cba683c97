"""A form sent with a one-time token, and where its first sending led (`submissions.resend`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    token = models.CharField(_("token"), max_length=64, unique=True)
    # Empty for the public forms, which nobody logs in to.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # Where the first sending led (a path on this site); empty while it is still being handled.
    result = models.CharField(_("result"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent form")
        verbose_name_plural = _("sent forms")

    def __str__(self) -> str:
        return self.token

"""What the legacy import brought in, so that a second import of the same file adds nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.timefmt import datetime_text


class ImportRun(models.Model):
    """One run of `import_history` that loaded something (dry runs leave no row)."""

    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    lines = models.PositiveIntegerField(_("lines read"), default=0)
    rejected = models.PositiveIntegerField(_("lines rejected"), default=0)
    created = models.JSONField(_("records created"), default=dict)

    class Meta:
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name} {datetime_text(self.at)}"


class ImportedRecord(models.Model):
    """A record created from the legacy file, keyed by the id it had there."""

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(max_length=20)  # person, intake, decision, closure
    external_id = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="imported_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"

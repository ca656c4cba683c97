"""What the legacy import brought in, so that a second import of the same file adds nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.timefmt import datetime_text


class ImportRun(models.Model):
    """One run of `import_history` that loaded something (dry runs leave no row)."""

    source = models.CharField(_("source system"), max_length=20, default="legacy")
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    lines = models.PositiveIntegerField(_("lines read"), default=0)
    rejected = models.PositiveIntegerField(_("lines rejected"), default=0)
    created = models.JSONField(_("records created"), default=dict)
    changes = models.JSONField(_("records corrected"), default=list)

    class Meta:
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name} {datetime_text(self.at)}"


class ImportedRecord(models.Model):
    """A record created from a source's file, keyed by the id it had there.

    Ids belong to their source: P001 of one source system is not P001 of another.
    """

    source = models.CharField(max_length=20, default="legacy")
    # Which run made it. No index: nothing looks records up by their run (runs are never
    # deleted), and an import writes four or five records a person (issue 17, hI).
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    kind = models.CharField(max_length=20)  # person, intake, decision, closure
    external_id = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="imported_record_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"

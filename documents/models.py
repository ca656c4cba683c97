"""Documents attached to a person's case: a scanned application, a signed consent, a letter.

The content is stored in the database, not on a disk of the application server: servers keep
no state of their own (DESIGN.md, "Scale and deployment"). Attachments are personal data like the
rest of the record: need-to-know through the person, every upload and download logged, culled
with the case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from people.models import Case, Person


class AttachmentKind(models.TextChoices):
    APPLICATION = "application", _("Scanned application")
    CONSENT = "consent", _("Signed consent")
    LETTER = "letter", _("Letter from the person")
    OTHER = "other", _("Other")


class AttachmentQuerySet(models.QuerySet):
    def without_content(self) -> AttachmentQuerySet:
        """Lists never load the file itself, which may be megabytes per row."""
        return self.defer("content")


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attachments"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    content = models.BinaryField(_("content"))
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["person", "-uploaded_at"], name="attachment_person_idx")]

    def __str__(self) -> str:
        return self.title

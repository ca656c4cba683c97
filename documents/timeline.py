"""Attached documents on the person's timeline (never their content)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.timeline import Entry, timeline_source, user_name
from documents.models import Attachment


@timeline_source("documents", gettext_lazy("Documents"), order=105)
def attachments(person, case_ids):
    found = Attachment.objects.without_content().filter(person=person).select_related("uploaded_by")
    for attachment in found:
        yield Entry(
            when=attachment.uploaded_at,
            title=f"{attachment.get_kind_display()}: {attachment.title}",
            detail=attachment.filename,
            url=reverse("documents:download", args=[attachment.pk]),
            recorded_at=attachment.uploaded_at,
            by=user_name(attachment.uploaded_by),
            record_type="attachment",
            record_id=attachment.pk,
        )

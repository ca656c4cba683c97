"""The documents section on the person page: one query, and never the files' content."""

from __future__ import annotations

from core.sections import person_rows, person_section
from documents.models import Attachment
from people.access import Level

ATTACHMENTS = person_rows(Attachment)


@person_section(80)
def attachments_section(request, person) -> dict:
    attachments = ATTACHMENTS.of(
        person,
        Attachment.objects.without_content()
        .filter(person=person)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk"),
    )
    return {
        "template": "documents/_person_section.html",
        "attachments": attachments,
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }

"""The documents section on the person page: one query, and never the files' content."""

from __future__ import annotations

from core.compiled import OnePersonQuery
from core.sections import person_rows, person_section
from documents.models import Attachment
from people.access import Level

ATTACHMENTS = person_rows(Attachment)
ATTACHMENT_LIST = OnePersonQuery(
    lambda person_id: (
        Attachment.objects.without_content()
        .filter(person_id=person_id)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
)


@person_section(80)
def attachments_section(request, person) -> dict:
    return {
        "template": "documents/_person_section.html",
        "attachments": ATTACHMENTS.read(person, ATTACHMENT_LIST),
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }

"""A line on the person page for the manager: exceptions from culling, and the extract page."""

from __future__ import annotations

from core.sections import person_section
from organisation.models import Role
from organisation.roles import roles_of
from people.access import Level
from retention.models import RetentionException


@person_section(95)
def retention_section(request, person) -> dict | None:
    if getattr(request, "access_level", Level.NONE) < Level.WRITE:
        return None
    if not roles_of(request.user).has(Role.MANAGER):
        return None
    return {
        "template": "retention/_person_section.html",
        "exceptions": RetentionException.objects.active()
        .filter(case__person=person)
        .order_by("-created_at"),
    }

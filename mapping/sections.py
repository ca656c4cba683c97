"""The mapping section on the person page: one query, whatever the number of mappings."""

from __future__ import annotations

from django.db.models import Count

from core.sections import person_section
from mapping.models import Mapping
from people.access import Level


@person_section(30)
def mappings_section(request, person) -> dict:
    mappings = Mapping.objects.filter(person=person).annotate(session_count=Count("sessions"))
    return {
        "template": "mapping/_person_section.html",
        "mappings": mappings.order_by("-started_on", "-pk"),
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }

"""The mapping section on the person page: one query, whatever the number of mappings, and
none for a person without any (core/sections.py `person_rows`)."""

from __future__ import annotations

from django.db.models import Count

from core.sections import person_rows, person_section
from mapping.models import Mapping
from people.access import Level

MAPPINGS = person_rows(Mapping)


@person_section(30)
def mappings_section(request, person) -> dict:
    mappings = Mapping.objects.filter(person=person).annotate(session_count=Count("sessions"))
    return {
        "template": "mapping/_person_section.html",
        "mappings": MAPPINGS.of(person, mappings.order_by("-started_on", "-pk")),
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }

"""The mapping section on the person page: one query, whatever the number of mappings, and
none for a person without any (core/sections.py `person_rows`); its SQL built once
(core/compiled.py)."""

from __future__ import annotations

from django.db.models import Count

from core.compiled import OnePersonQuery
from core.sections import person_rows, person_section
from mapping.models import Mapping
from people.access import Level

MAPPINGS = person_rows(Mapping)
MAPPING_LIST = OnePersonQuery(
    lambda person_id: (
        Mapping.objects.filter(person_id=person_id)
        .annotate(session_count=Count("sessions"))
        .order_by("-started_on", "-pk")
    )
)


@person_section(30)
def mappings_section(request, person) -> dict:
    return {
        "template": "mapping/_person_section.html",
        "mappings": MAPPINGS.read(person, MAPPING_LIST),
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }

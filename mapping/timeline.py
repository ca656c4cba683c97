"""Mapping (kartläggning) and its sessions on the person's timeline."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timeline import Entry, short, timeline_source, user_name
from mapping.models import Mapping, MappingSession, MappingStatus


@timeline_source("mapping", gettext_lazy("Mapping"), order=30)
def mappings(person, case_ids):
    for mapping in Mapping.objects.filter(person=person).select_related("created_by"):
        url = reverse("mapping:detail", args=[mapping.pk])
        yield Entry(
            when=mapping.started_on,
            title=_("Mapping started"),
            url=url,
            by=user_name(mapping.created_by),
            record_type="mapping",
            record_id=mapping.pk,
            logged_as=(Action.CREATE, ""),
        )
        if mapping.ended_on:
            if mapping.status == MappingStatus.INTERRUPTED:
                title = _("Mapping interrupted by %(who)s") % {
                    "who": mapping.get_interrupted_by_display().lower()
                }
                detail = mapping.interruption_reason
                step = "interrupted"
            else:
                title = _("Mapping completed")
                detail = mapping.recommendation
                step = "completed"
            yield Entry(
                when=mapping.ended_on,
                title=title,
                detail=short(detail),
                url=url,
                record_type="mapping",
                record_id=mapping.pk,
                logged_as=(Action.UPDATE, step),
            )


@timeline_source("mapping", gettext_lazy("Mapping"), order=30)
def mapping_sessions(person, case_ids):
    sessions = (
        MappingSession.objects.filter(mapping__person=person)
        .select_related("created_by")
        .prefetch_related("staff")
    )
    for session in sessions:
        yield Entry(
            when=session.held_on,
            title=_("Mapping session"),
            detail=", ".join(user_name(user) for user in session.staff.all()),
            url=reverse("mapping:detail", args=[session.mapping_id]),
            recorded_at=session.created_at,
            by=user_name(session.created_by),
            record_type="mapping_session",
            record_id=session.pk,
        )

"""Completed instrument responses on the person's timeline, as "ratings"."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.timeline import Entry, timeline_source, user_name
from instruments.models import Response, ResponseStatus
from instruments.presentation import instrument_title


@timeline_source("ratings", gettext_lazy("Ratings"), order=35)
def ratings(person, case_ids):
    responses = Response.objects.filter(person=person, status=ResponseStatus.COMPLETE)
    for response in responses.select_related("created_by").order_by("administered_on"):
        yield Entry(
            when=response.administered_on,
            title=_title_of(response),
            detail=response.get_occasion_display(),
            url=reverse("instruments:detail", args=[response.pk]),
            recorded_at=response.completed_at or response.created_at,
            by=user_name(response.created_by),
            record_type="instrument_response",
            record_id=response.pk,
        )


def _title_of(response: Response) -> str:
    title = instrument_title(response.code, response.version)
    if response.score and not response.computable and response.score.get("range"):
        return _("%(title)s: not computable") % {"title": title}
    if response.computable and response.total is not None:
        band = (response.score.get("band") or {}).get("label")
        total = f"{response.total:g}"
        if band:
            return _("%(title)s: %(total)s (%(band)s)") % {
                "title": title,
                "total": total,
                "band": band,
            }
        return _("%(title)s: %(total)s") % {"title": title, "total": total}
    return title

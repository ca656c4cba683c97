"""The person's timeline page and its PDF (proof of dates).

Access is the person page's: `people.opening.person_view` (need-to-know, reason, protected
identity). Every entry shown or printed is logged as a read (or an export) of its record.
"""

from __future__ import annotations

import dataclasses

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from audit.events import Access, log_accesses
from audit.models import Action
from audit.registered import registration_times
from core import timefmt, timeline
from organisation.permissions import Level
from people.opening import person_view, reason_in_force

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TimelineFilterForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Show"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to show everything."),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(kind.code, kind.label) for kind in timeline.kinds()]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must not be before the start date."))
        return data


def _filtered(request, person):
    form = TimelineFilterForm(request.GET or None)
    chosen = {"only": None, "start": None, "end": None}
    if form.is_bound and form.is_valid():
        chosen = {
            "only": form.cleaned_data["kinds"] or None,
            "start": form.cleaned_data["start"],
            "end": form.cleaned_data["end"],
        }
    entries = timeline.entries_for(person, **chosen) if not form.errors else []
    logged = registration_times(person.pk, timeline.logged_steps(entries))
    entries = timeline.with_registration(entries, logged)
    entries = [dataclasses.replace(e, url=e.url_for(request.user)) for e in entries]
    labels = {kind.code: kind.label for kind in timeline.kinds()}
    return form, chosen, entries, labels


def _log(request, person, entries, action):
    # A read outside one's own cases is logged with the reason given for it.
    reason = reason_in_force(request.user, person.pk) if request.access_level < Level.WRITE else ""
    accesses = [Access(person.pk, "timeline", person.pk, action, reason)]
    accesses += [
        Access(person.pk, e.record_type or e.kind, e.record_id or "", action, reason)
        for e in entries
    ]
    log_accesses(user=request.user, accesses=accesses)


@person_view()
def timeline_page(request, person):
    return _page(request, person)


def _page(request, person):
    form, chosen, entries, labels = _filtered(request, person)
    _log(request, person, entries, Action.READ)
    return render(
        request,
        "timeline/timeline.html",
        {
            "person": person,
            "form": form,
            "entries": entries,
            "labels": labels,
            "filtered": any(chosen.values()),
            "query": request.GET.urlencode(),
        },
    )


@person_view()
def timeline_pdf(request, person):
    # Always Swedish, whatever the user's language: the printout is the authority's document.
    with translation.override("sv"):
        form, chosen, entries, labels = _filtered(request, person)
    if form.errors:
        return _page(request, person)
    _log(request, person, entries, Action.EXPORT)
    printed_at = timezone.localtime()
    with translation.override("sv"):
        html = render_to_string(
            "timeline/timeline_pdf.html",
            {
                "person": person,
                "entries": entries,
                "labels": labels,
                "kinds": [labels[code] for code in chosen["only"] or []],
                "start": chosen["start"],
                "end": chosen["end"],
                "municipality": settings.MUNICIPALITY_NAME,
                "printed_by": request.user.get_full_name() or request.user.get_username(),
                "printed_at": printed_at,
                "unregistered": sum(1 for e in entries if e.recorded_at is None),
            },
        )
    # No base_url: nothing external is fetched, so rendering never reaches the network.
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="tidslinje-{timefmt.stamp(printed_at)}.pdf"'
    )
    return response

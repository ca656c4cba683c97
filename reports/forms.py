"""The period and the on-date the report is computed for."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1990, 1, 1)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    on = forms.DateField(
        label=_("Stock figures on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Ongoing decisions, caseloads and ongoing contacts; the end of the period if empty."
        ),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end", "on"):
            value = data.get(name)
            if value and not EARLIEST <= value <= datetime.date(2200, 12, 31):
                self.add_error(name, _("Give a date from 1990 onwards."))
        if start and end and start > end:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data


def default_period() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(month=1, day=1), "end": today}


def period_form(params) -> PeriodForm:
    """Bound to the query string, or to this year so far when nothing is given."""
    if not any(params.get(name) for name in ("start", "end", "on")):
        return PeriodForm(default_period())
    return PeriodForm(params)

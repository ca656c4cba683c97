"""The period and the on-date the report is computed for."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1990, 1, 1)


def fixed_period_end(start: datetime.date) -> dict[str, datetime.date]:
    """The calendar month, quarter and year that begin on `start` (if any): kind -> last day."""
    ends = {}
    if start.day == 1:
        ends["month"] = (start + relativedelta(months=1)) - datetime.timedelta(days=1)
        if start.month in (1, 4, 7, 10):
            ends["quarter"] = (start + relativedelta(months=3)) - datetime.timedelta(days=1)
        if start.month == 1:
            ends["year"] = datetime.date(start.year, 12, 31)
    return ends


def is_fixed_period(start: datetime.date, end: datetime.date) -> bool:
    return end in fixed_period_end(start).values()


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

    def __init__(self, *args, fixed_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Analysts: a calendar month, quarter or year that has ended, stock figures on its last
        # day, so that no two periods differ by a day (docs/reports.md, "Disclosure control").
        self.fixed_only = fixed_only

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end", "on"):
            value = data.get(name)
            if value and not EARLIEST <= value <= datetime.date(2200, 12, 31):
                self.add_error(name, _("Give a date from 1990 onwards."))
        if start and end and start > end:
            self.add_error("end", _("The end of the period must not be before its start."))
        if self.fixed_only and start and end and not self.errors:
            self._check_fixed(data, start, end)
        return data

    def _check_fixed(self, data: dict, start: datetime.date, end: datetime.date) -> None:
        if not is_fixed_period(start, end):
            self.add_error(
                "end",
                _("Choose a calendar month, quarter or year, from its first day to its last."),
            )
        elif end >= timezone.localdate():
            self.add_error("end", _("Choose a period that has ended."))
        on = data.get("on")
        if on and on != end:
            self.add_error("on", _("Stock figures are given on the last day of the period."))


def default_period(fixed_only: bool = False) -> dict:
    """This year so far; for analysts the last calendar month that has ended."""
    today = timezone.localdate()
    if fixed_only:
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return {"start": last.replace(day=1), "end": last}
    return {"start": today.replace(month=1, day=1), "end": today}


def period_form(params, *, fixed_only: bool = False) -> PeriodForm:
    """Bound to the query string, or to the default period when nothing is given."""
    if not any(params.get(name) for name in ("start", "end", "on")):
        return PeriodForm(default_period(fixed_only), fixed_only=fixed_only)
    return PeriodForm(params, fixed_only=fixed_only)

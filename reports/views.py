"""The statistics page and its CSV and Excel downloads, for analysts and managers.

Analysts see suppressed figures only; managers see exact figures and coordinators' names (they
hold the cases of their units and staff them), see docs/reports.md. Nothing here names a person.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organisation.permissions import STATISTICS_ROLES
from organisation.roles import role_required
from reports import charts, exports, figures
from reports.forms import period_form
from reports.period import report_for
from reports.report import iter_tables
from reports.suppression import HIDDEN, SMALL


def presets() -> list[dict]:
    """One period per year with data (at most the last fifteen), and all years."""
    today = timezone.localdate()
    first = figures.first_day_of_data() or today
    first_year = max(first.year, today.year - 14)
    years = [
        {
            "label": str(y),
            "start": datetime.date(y, 1, 1),
            "end": min(datetime.date(y, 12, 31), today),
        }
        for y in range(today.year, first_year - 1, -1)
    ]
    return years + [{"label": None, "start": min(first, today), "end": today}]


@role_required(*STATISTICS_ROLES)
def report(request):
    form = period_form(request.GET)
    context = {"form": form, "presets": presets(), "small": SMALL, "hidden": HIDDEN}
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    result = report_for(request.user, form)
    for _section, tbl in iter_tables(result):
        tbl["svg"] = charts.bar_chart(tbl) if tbl["chart"] else None
    context.update(report=result, query=request.GET.urlencode() or _query(form))
    return render(request, "reports/report.html", context)


def _query(form) -> str:
    from urllib.parse import urlencode

    data = form.cleaned_data
    params = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    if data.get("on"):
        params["on"] = data["on"].isoformat()
    return urlencode(params)


def _download(request, render_file, content_type: str, extension: str):
    form = period_form(request.GET)
    if not form.is_valid():
        context = {"form": form, "presets": presets(), "small": SMALL, "hidden": HIDDEN}
        return render(request, "reports/report.html", context, status=400)
    result = report_for(request.user, form)
    data = form.cleaned_data
    response = HttpResponse(render_file(result), content_type=content_type)
    name = f"brygga-statistik-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*STATISTICS_ROLES)
def report_csv(request):
    return _download(
        request, lambda r: "\ufeff" + exports.to_csv(r), "text/csv; charset=utf-8", "csv"
    )


@role_required(*STATISTICS_ROLES)
def report_xlsx(request):
    return _download(
        request,
        exports.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )

"""The statistics page and its CSV and Excel downloads, for analysts and managers.

Analysts see fixed periods and rounded counts only; managers see exact figures and coordinators'
names (they hold the cases of their units and staff them), see docs/reports.md. Nothing here
names a person.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.replica import heavy_reads
from organisation.permissions import STATISTICS_ROLES
from organisation.roles import role_required
from reports import charts, exports, figures, jobs
from reports.forms import fixed_period_end
from reports.period import form_for, report_for
from reports.report import iter_tables
from reports.suppression import BASE, HIDDEN


def presets(fixed_only: bool = False) -> list[dict]:
    """One period per year with data (at most the last fifteen), and all years.

    For analysts only fixed periods that have ended: those years, and the quarters and months
    of this year and the last.
    """
    today = timezone.localdate()
    with heavy_reads():
        first = figures.first_day_of_data() or today
    first_year = max(first.year, today.year - 14)
    if fixed_only:
        return fixed_presets(first_year, today)
    years = [
        {
            "label": str(y),
            "start": datetime.date(y, 1, 1),
            "end": min(datetime.date(y, 12, 31), today),
        }
        for y in range(today.year, first_year - 1, -1)
    ]
    return years + [{"label": None, "start": min(first, today), "end": today}]


def fixed_presets(first_year: int, today: datetime.date) -> list[dict]:
    def ended(start: datetime.date, end: datetime.date, label: str) -> list[dict]:
        return [{"label": label, "start": start, "end": end}] if end < today else []

    years, parts = [], []
    for y in range(today.year, first_year - 1, -1):
        years += ended(datetime.date(y, 1, 1), datetime.date(y, 12, 31), str(y))
    for y in (today.year - 1, today.year):
        for q in range(4):
            start = datetime.date(y, 3 * q + 1, 1)
            end = fixed_period_end(start)["quarter"]
            parts += ended(start, end, _("%(year)s Q%(n)s") % {"year": y, "n": q + 1})
        for m in range(1, 13):
            start = datetime.date(y, m, 1)
            parts += ended(start, fixed_period_end(start)["month"], f"{start:%Y-%m}")
    return years + parts[::-1]


def _context(form) -> dict:
    fixed = form.fixed_only
    return {"form": form, "presets": presets(fixed), "hidden": HIDDEN, "base": BASE}


@role_required(*STATISTICS_ROLES)
def report(request):
    form = form_for(request.user, request.GET)
    context = _context(form)
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    if jobs.in_background(form):
        data = form.cleaned_data
        context["background"] = {**data, "params": jobs.params(form)}
        return render(request, "reports/report.html", context)
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
    form = form_for(request.user, request.GET)
    if not form.is_valid():
        return render(request, "reports/report.html", _context(form), status=400)
    if jobs.in_background(form):  # the report page offers to produce it in the background
        return redirect(f"{reverse('reports:report')}?{request.GET.urlencode()}")
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


@require_POST
@role_required(*STATISTICS_ROLES)
def start_job(request):
    """Queue the report for a long period; its page shows the progress and then the report."""
    form = form_for(request.user, request.POST)
    if not form.is_valid():
        return render(request, "reports/report.html", _context(form), status=400)
    job = jobs.start(request.user, form)
    return redirect("jobs:page", pk=job.pk)

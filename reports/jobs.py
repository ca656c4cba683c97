"""The statistics report over a long period, produced in the background (jobs/).

The page asks for it (reports.views.start_job), and so does the API (api.reports, for the same
periods: `in_background` decides for both); the worker counts the figures as the user who asked
may see them (analysts: rounded), keeps the report as data (the API's JSON), renders it as the
page shows it, and writes the CSV and Excel files, all from the one computation.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs import queue
from jobs.kinds import File, Kind, Progress, Result
from jobs.models import Job
from organisation.permissions import may_see_statistics, require
from reports import charts, exports
from reports.forms import PeriodForm
from reports.period import form_for, report_for
from reports.report import iter_tables
from reports.suppression import BASE, HIDDEN

KIND = "reports.report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTING = gettext_noop("Counting the figures")
WRITING = gettext_noop("Writing the report and its files")


def in_background(form: PeriodForm) -> bool:
    """A period this long is produced in the background (BRYGGA_REPORT_SYNC_DAYS)."""
    data = form.cleaned_data
    return (data["end"] - data["start"]).days + 1 > settings.BRYGGA_REPORT_SYNC_DAYS


def params(form: PeriodForm) -> dict[str, str]:
    data = form.cleaned_data
    values = {"start": data["start"], "end": data["end"], "on": data.get("on")}
    return {name: value.isoformat() for name, value in values.items() if value}


def start(user: Any, form: PeriodForm) -> Job:
    data = form.cleaned_data
    title = _("Statistics %(start)s to %(end)s") % {
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
    }
    # One at a time: asked again (the page, the API) while it waits or runs, the same job.
    return queue.start(kind=KIND, user=user, title=title, params=params(form), one_at_a_time=True)


def check(user: Any, job: Job) -> None:
    require(may_see_statistics(user))


def run(job: Job, progress: Progress) -> Result:
    user = job.requested_by
    check(user, job)
    form = form_for(user, job.params)
    if not form.is_valid():
        raise ValueError("the period is no longer valid for this user")
    progress.step(COUNTING, 10)
    report = report_for(user, form)
    # As the API's synchronous answer encodes it (dates as ISO text, labels in the language of
    # whoever asked), before the charts are added for the page.
    data = json.loads(json.dumps(report, cls=DjangoJSONEncoder))
    for _section, tbl in iter_tables(report):
        tbl["svg"] = charts.bar_chart(tbl) if tbl["chart"] else None
    progress.step(WRITING, 80)
    html = render_to_string(
        "reports/_report_body.html", {"report": report, "hidden": HIDDEN, "base": BASE}
    )
    name = _file_name(form.cleaned_data["start"], form.cleaned_data["end"])
    csv = ("\ufeff" + exports.to_csv(report)).encode()
    return Result(
        html=html,
        data=data,
        files=[
            File(f"{name}.csv", "text/csv; charset=utf-8", csv),
            File(f"{name}.xlsx", XLSX, exports.to_xlsx(report)),
        ],
    )


def _file_name(start: datetime.date, end: datetime.date) -> str:
    return f"brygga-statistik-{start:%Y%m%d}-{end:%Y%m%d}"


REPORT = Kind(run=run, check=check)

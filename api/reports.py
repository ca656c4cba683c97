"""The statistics report, exactly as the statistics page computes it: the page's roles, period
form and disclosure control (analysts: fixed periods, counts rounded to base 5; managers exact
figures)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from api.errors import responses
from organisation.permissions import may_see_statistics, require

router = Router(tags=["statistics"])


class Period(Schema):
    start: datetime.date
    end: datetime.date
    on_date: datetime.date


class ReportOut(Schema):
    period: Period
    suppressed: bool
    sections: list[dict[str, Any]]


class ReportQuery(Schema):
    start: datetime.date
    end: datetime.date
    on_date: datetime.date | None = Field(None, description="Stock figures on (default: end).")


@router.get(
    "/statistics",
    response=responses({200: ReportOut}),
    summary="The statistics report for a period",
)
def statistics(request, query: Query[ReportQuery]):
    # Imported here: the rest of the API never depends on the reports app to load.
    from reports.period import form_for, report_for

    require(may_see_statistics(request.user))
    params = {"start": query.start, "end": query.end, "on": query.on_date or ""}
    form = form_for(request.user, params)
    if not form.is_valid():
        # The page's field "on" is this endpoint's "on_date".
        errors = {("on_date" if k == "on" else k): v for k, v in form.errors.as_data().items()}
        raise ValidationError(errors)
    return report_for(request.user, form)

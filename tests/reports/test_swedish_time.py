"""The statistics count a visit on its Swedish day, in the CSV and the Excel file alike."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest

from delivery.models import Visit, VisitKind, VisitStatus

UTC = datetime.UTC


def _csv_planned(client, day: str) -> str:
    params = {"start": day, "end": day}
    response = client.get("/statistik/statistik.csv", params)
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return next(
        r["value"] for r in rows if r["table_key"] == "visit_status" and r["row_key"] == "planned"
    )


def _xlsx_planned(client, day: str):
    response = client.get("/statistik/statistik.xlsx", {"start": day, "end": day})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if row[0] == "Individual visits and cancellations":
                planned = next(r for r in rows[i:] if r[0] == "Planned")
                return planned[1]
    raise AssertionError("no visit table")


@pytest.mark.parametrize(
    ("instant", "day", "utc_day"),
    [
        (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29", "2026-03-28"),
        (datetime.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "2026-10-25", "2026-10-24"),
    ],
)
def test_a_visit_after_midnight_is_counted_on_the_swedish_day(
    instant, day, utc_day, person, coordinator, manager, login, settings
):
    settings.LANGUAGE_CODE = "en"
    Visit.objects.create(
        person=person,
        kind=VisitKind.VISIT,
        planned_at=instant,
        place="Hemma",
        status=VisitStatus.PLANNED,
        created_by=coordinator,
    )
    client = login(manager)
    assert _csv_planned(client, day) == "1"
    assert _csv_planned(client, utc_day) == "0"
    assert _xlsx_planned(client, day) == 1
    assert _xlsx_planned(client, utc_day) == 0

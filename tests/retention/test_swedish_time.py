"""The register extract gives every time in Swedish time, across the daylight-saving change."""

from __future__ import annotations

import datetime
import json

import pytest

from delivery import actions as delivery
from retention.actions import record_extract
from tests.background import extract_file
from tests.retention.test_extract import pdf_text

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("instant", "iso", "shown"),
    [
        (
            datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
            "2026-03-29T00:30:00+01:00",
            "2026-03-29 00:30",
        ),
        (
            datetime.datetime(2026, 10, 24, 22, 30, tzinfo=UTC),
            "2026-10-25T00:30:00+02:00",
            "2026-10-25 00:30",
        ),
    ],
)
def test_a_visit_in_the_extract_is_at_its_swedish_time(
    instant, iso, shown, login, manager, coordinator, person
):
    delivery.plan_visit(user=coordinator, person=person, planned_at=instant, place="Hemma")
    made = record_extract(
        user=manager,
        person=person,
        requested_by="person",
        requester_name="",
        requested_on=datetime.date(2026, 11, 2),
    )
    client = login(manager)
    data = json.loads(extract_file(client, made, "json").content)
    visits = next(s for s in data["records"] if s["kind"] == "delivery.Visit")
    assert visits["rows"][0]["planned_at"] == iso
    text = pdf_text(extract_file(client, made, "pdf").content)
    assert shown in text

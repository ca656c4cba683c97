"""The timeline shows and prints Swedish time, on both sides of the daylight-saving change."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from delivery import actions
from tests.timeline.test_pdf_and_access import pdf_text

UTC = datetime.UTC

# Half past midnight in Sweden, when it is still the day before in UTC.
INSTANTS = [
    (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29", "2026-03-28"),
    (datetime.datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "2026-03-30", "2026-03-29"),
    (datetime.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "2026-10-25", "2026-10-24"),
    (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-26", "2026-10-25"),
]


@pytest.mark.parametrize(("instant", "day", "utc_day"), INSTANTS)
def test_a_visit_is_on_its_swedish_day_on_the_page_and_in_the_pdf(
    instant, day, utc_day, person, coordinator, login
):
    actions.plan_visit(user=coordinator, person=person, planned_at=instant, place="Hemma")
    client = login(coordinator)
    only_that_day = {"kinds": ["visits"], "start": day, "end": day}

    page = client.get(reverse("timeline:person", args=[person.pk]), only_that_day)
    text = page.content.decode()
    assert f"{day} 00:30" in text
    assert utc_day not in text

    printed, _pages = pdf_text(client.get(reverse("timeline:pdf", args=[person.pk]), only_that_day))
    assert f"{day} 00:30" in printed
    assert "Antal poster 1" in printed
    # The UTC day holds nothing.
    on_utc_day = {"kinds": ["visits"], "start": utc_day, "end": utc_day}
    printed, _pages = pdf_text(client.get(reverse("timeline:pdf", args=[person.pk]), on_utc_day))
    assert "Antal poster 0" in printed

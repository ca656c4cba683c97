"""Times are Swedish time everywhere (core/timefmt.py), also across the daylight-saving change.

Each instant is one where the UTC day and the Swedish day differ: half past midnight in Sweden is
still the day before in UTC, an hour before the change in spring and two hours before it after.
"""

from __future__ import annotations

import datetime

import pytest

from delivery import actions
from delivery.models import Visit, VisitKind

UTC = datetime.UTC

# (the instant in UTC, what a Swedish reader sees)
INSTANTS = [
    (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29 00:30"),  # CET, before
    (datetime.datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "2026-03-30 00:30"),  # CEST, after
    (datetime.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "2026-10-25 00:30"),  # CEST, before
    (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-26 00:30"),  # CET, after
]


@pytest.mark.parametrize(("instant", "shown"), INSTANTS)
def test_a_visit_is_named_by_its_swedish_day_and_time(instant, shown):
    visit = Visit(kind=VisitKind.VISIT, planned_at=instant, place="Hemma")
    assert str(visit) == f"{visit.get_kind_display()} {shown}"


def test_a_visit_booked_for_half_past_nine_is_half_past_nine_in_the_signed_note(
    person, coordinator, login
):
    # 08:30 UTC on a winter day is 09:30 in Sweden.
    booked = datetime.datetime(2026, 12, 6, 8, 30, tzinfo=UTC)
    visit = actions.plan_visit(user=coordinator, person=person, planned_at=booked, place="Hemma")
    note = actions.create_note(
        user=coordinator,
        person=person,
        happened_on=datetime.date(2026, 12, 6),
        text="Vi gick en promenad.",
        visit=visit,
    )
    actions.sign_note(user=coordinator, note=note)
    page = login(coordinator).get(f"/genomforande/person/{person.pk}/journal/").content.decode()
    assert "Enskilt besök 2026-12-06 09:30" in page
    assert "2026-12-06 08:30" not in page


@pytest.mark.parametrize(("instant", "shown"), INSTANTS)
def test_the_visit_page_and_the_visit_list_show_the_swedish_day(
    instant, shown, person, coordinator, login
):
    visit = actions.plan_visit(user=coordinator, person=person, planned_at=instant, place="Hemma")
    client = login(coordinator)
    assert shown in client.get(f"/genomforande/besok/{visit.pk}/").content.decode()
    form = client.get(f"/genomforande/person/{person.pk}/journal/ny/").content.decode()
    assert shown in form  # the note form's choice of visit

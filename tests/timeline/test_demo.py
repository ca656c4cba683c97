"""The demo's timelines: every demo person's timeline opens, and reads in order."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model

from core import timeline
from demo.data import load_demo
from demo.timeline import backdate_registrations
from people.models import Person


def test_the_demo_timelines_show_the_provider_side_in_order(db, login):
    today = datetime.date(2026, 11, 23)
    load_demo(today=today)
    backdate_registrations()
    backdate_registrations()  # idempotent
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    entries = timeline.entries_for(elin)
    kinds = {entry.kind for entry in entries}
    assert kinds >= {"intakes", "decisions", "orders", "plans", "visits", "homework", "notes"}
    orders = [entry for entry in entries if entry.kind == "orders"]
    assert all(entry.day <= today for entry in orders)
    decided = min(entry.day for entry in entries if entry.kind == "decisions")
    assert orders[0].day == decided  # the first order is dated its decision's day
    coordinator = get_user_model().objects.get(username="coordinator")
    client = login(coordinator)
    assert client.get(f"/tidslinje/person/{elin.pk}/").status_code == 200
    assert client.get(f"/tidslinje/person/{elin.pk}/utskrift.pdf").status_code == 200


def test_every_row_of_the_demo_timelines_has_its_registration_time(db, login):
    """The PDF is offered as proof of dates: no demo row may lack the time it was registered."""
    load_demo(today=datetime.date(2026, 11, 23))
    client = login(get_user_model().objects.get(username="officer"))
    shown = 0
    for person in Person.objects.all():
        page = client.get(f"/tidslinje/person/{person.pk}/")
        if page.status_code != 200 or "<tbody>" not in page.content.decode():
            continue  # not of the officer's unit, or nothing on the timeline yet
        shown += 1
        rows = page.content.decode().split("<tbody>")[1].split("</tbody>")[0]
        cells = re.findall(r"<tr>(?:\s*<td>.*?</td>){3}\s*<td>(.*?)</td>", rows, re.S)
        assert cells and "–" not in cells, person.full_name
    assert shown >= 10

"""The demo's timelines: every demo person's timeline opens, and reads in order."""

from __future__ import annotations

import datetime

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

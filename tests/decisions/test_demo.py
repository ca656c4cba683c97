"""The demo has a person at every step of the authority journey, and loading it twice is safe."""

from __future__ import annotations

import datetime

import pytest

from decisions.models import Appeal, AppealStatus, Application, Decision, LetterDelivery
from decisions.sections import officer_worklist_rows
from demo.data import load_demo
from people.models import Person
from provision.models import Order

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def demo(db):
    load_demo(today=TODAY)


def person(first, last):
    return Person.objects.get(first_name=first, last_name=last)


def test_the_demo_has_a_person_at_each_step(demo):
    hugo = person("Hugo", "Prövning")
    assert Application.objects.filter(person=hugo, decisions__isnull=True).exists()

    sara = Decision.objects.get(person=person("Sara", "Exempel"))
    assert sara.outcome == "grant" and Order.objects.filter(decision=sara).exists()
    assert not sara.deliveries.exists()

    liam = Decision.objects.get(person=person("Liam", "Exempelsson"))
    assert liam.outcome == "rejection" and liam.reasons
    assert liam.application.communicated_on is not None
    assert liam.deliveries.get().received_on
    appeal = Appeal.objects.get(decision=liam)
    assert appeal.in_time and appeal.status == AppealStatus.FORWARDED and appeal.court

    oskar = Decision.objects.get(person=person("Oskar", "Låtsas"))
    assert oskar.outcome == "partial" and oskar.reasons and oskar.order.provider_unit.name

    first, renewal = Decision.objects.filter(person=person("Elin", "Fiktiv")).order_by("decided_on")
    assert renewal.kind == "renewal" and renewal.replaces == first

    jonas = Decision.objects.get(person=person("Jonas", "Påhittad"))
    assert TODAY <= jonas.period_to <= TODAY + datetime.timedelta(days=30)

    assert {d.decided_by.username for d in Decision.objects.all()} == {"officer"}


def test_the_officers_worklist_has_something_in_every_list(demo):
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="officer")
    rows = officer_worklist_rows(officer, TODAY)
    assert all(rows.values()), {name: len(found) for name, found in rows.items()}


def test_loading_the_demo_twice_changes_nothing(demo):
    counts = [
        model.objects.count() for model in (Application, Decision, LetterDelivery, Appeal, Order)
    ]
    load_demo(today=TODAY)
    assert [
        model.objects.count() for model in (Application, Decision, LetterDelivery, Appeal, Order)
    ] == counts

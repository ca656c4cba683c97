"""Fixtures for groups and meeting places: decisions in force, a group of team North with
sessions, and a meeting place with its board decision and an activity."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from groups.models import Group, MeetingPlace, OpenActivity
from tests import factories
from tests.factories import CaseFactory, PersonFactory, SupportKindFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read the English msgids, whatever Swedish translations exist by then."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def decide(org, officer, today):
    """decide(person, outcome="grant", starts=-30, ends=300): a decision, days from today."""
    kind = SupportKindFactory()

    def _decide(person, outcome="grant", starts=-30, ends=300):
        case = person.cases.first()
        return factories.decision(
            case,
            kind,
            officer,
            today - datetime.timedelta(days=40),
            applied_on=today - datetime.timedelta(days=60),
            outcome=outcome,
            period_from=today + datetime.timedelta(days=starts),
            period_to=today + datetime.timedelta(days=ends),
        )

    return _decide


@pytest.fixture
def north_person(org):
    """Another person in team North's cases, by default without any decision."""

    def _make(first_name):
        person = PersonFactory(first_name=first_name, last_name="Norrsson")
        CaseFactory(person=person, authority_unit=org["authority"], provider_unit=org["north"])
        return person

    return _make


@pytest.fixture
def group(org, coordinator):
    return Group.objects.create(
        name="Eftermiddagsgruppen",
        unit=org["north"],
        weekdays="023",
        start_time=datetime.time(14),
        duration_minutes=60,
        created_by=coordinator,
    )


@pytest.fixture
def place(org):
    place = MeetingPlace.objects.create(
        name="Träffpunkten",
        unit=org["meeting_place"],
        board_decision_reference="SN 2025/123 § 45",
        board_decision_date=datetime.date(2025, 9, 1),
    )
    OpenActivity.objects.create(meeting_place=place, name="Öppet hus")
    return place

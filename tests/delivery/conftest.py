"""Fixtures for delivery: a teammate who may change `person` but is not the author of a note."""

from __future__ import annotations

import datetime

import pytest

from delivery import actions
from organisation.models import LifeArea, Role
from tests.factories import UserFactory

MONDAY = datetime.date(2026, 3, 2)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@pytest.fixture
def teammate(org):
    """A second coordinator in team North: reaches `person` through the team."""
    return UserFactory(username="teammate", roles=[(org["north"], Role.COORDINATOR)])


@pytest.fixture
def life_area(db):
    area, _ = LifeArea.objects.get_or_create(code="hemliv", defaults={"name": "Hemliv"})
    return area


@pytest.fixture
def draft(person, coordinator):
    return actions.create_note(
        user=coordinator, person=person, happened_on=MONDAY, text="Vi pratade om veckan."
    )


@pytest.fixture
def signed(draft, coordinator):
    return actions.sign_note(user=coordinator, note=draft)

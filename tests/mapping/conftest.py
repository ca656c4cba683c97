"""Fixtures for mapping: a mapping of `person` on their case, staff to lead sessions, life areas."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from organisation.models import LifeArea, Role
from tests.factories import MappingFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests name each refusal by its English msgid; tests/test_translations.py checks
    that the pages speak Swedish by default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def teammate(org):
    """A second coordinator in team North, so a session can be led by two staff."""
    return UserFactory(
        username="teammate",
        first_name="Tove",
        last_name="Tvåa",
        roles=[(org["north"], Role.COORDINATOR)],
    )


@pytest.fixture
def mapping(person, coordinator):
    return MappingFactory(
        person=person, created_by=coordinator, started_on=datetime.date(2025, 3, 3)
    )


@pytest.fixture
def life_areas(db):
    """Life areas exist by data migration, but a transactional test flushes them: get_or_create."""
    areas = [
        ("hemliv", "Hemliv", 6),
        ("relationer", "Mellanmänskliga interaktioner och relationer", 7),
        ("trygghet", "Känsla av trygghet", 10),
    ]
    return [
        LifeArea.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "active": True}
        )[0]
        for code, name, position in areas
    ]

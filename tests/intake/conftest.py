"""Fixtures for intakes, talks and referrals, on top of tests/conftest.py's organisation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from intake.models import Intake
from organisation.models import Service


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests name each refusal by its English msgid; tests/test_translations.py checks
    that the pages speak Swedish by default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def service(db):
    """A service in the directory. Seeded by a migration, but gone after a transactional flush."""
    service, _ = Service.objects.get_or_create(
        name="KBT via nätet", defaults={"organisation": "region", "contact": "1177"}
    )
    return service


def make_intake(unit, **fields) -> Intake:
    defaults = {
        "channel": "phone",
        "source": "relative",
        "notifier_name": "Eva Anhörig",
        "person_description": "Son, 24 år",
        "received_on": datetime.date.today() - datetime.timedelta(days=3),
    }
    return Intake.objects.create(unit=unit, **{**defaults, **fields})


@pytest.fixture
def intake(org):
    """An open intake in the authority unit about someone not yet identified."""
    return make_intake(org["authority"])


@pytest.fixture
def person_intake(org, person):
    """An open intake about `person`, whose case the authority unit holds."""
    return make_intake(org["authority"], person=person, person_description="")

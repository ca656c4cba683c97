"""Fixtures for the authority journey: a kind of support, the officer's delegation for it, an
application, and `decide(...)` to issue a decision with sensible defaults."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from decisions import actions
from decisions.models import Outcome
from tests.factories import DelegationFactory, SupportKindFactory

DAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read the English msgids, whatever Swedish translations exist by then."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(
        name="Stöd för att bryta isolering",
        code="bryta-isolering",
    )
    kind.provider_units.add(org["north"])
    return kind


@pytest.fixture
def delegation(officer, kind):
    return DelegationFactory(user=officer, support_kind=kind, valid_from=datetime.date(2024, 1, 1))


@pytest.fixture
def apply(officer, person, kind):
    """apply(**overrides) -> an application of the person; each is decided once."""

    def _apply(**overrides):
        values = {
            "user": officer,
            "person": person,
            "case": person.cases.get(),
            "support_kind": kind,
            "applied_on": datetime.date(2026, 2, 2),
            "form": "written",
            "what": "Stöd för att komma ut ur lägenheten och börja träffa andra.",
        }
        values.update(overrides)
        return actions.create_application(**values)

    return _apply


@pytest.fixture
def application(apply):
    return apply()


@pytest.fixture
def communicate(officer):
    """communicate(application) -> the application, its material communicated (FL 25 §)."""

    def _communicate(application):
        return actions.record_communication(
            user=officer,
            application=application,
            communicated_on=datetime.date(2026, 2, 16),
            method="brev",
            response_by=datetime.date(2026, 2, 26),
            response="Elin vill ha stöd två gånger i veckan.",
        )

    return _communicate


@pytest.fixture
def communicated(communicate, application):
    return communicate(application)


@pytest.fixture
def decide(officer, application, delegation):
    """decide(**overrides) -> an issued decision; a grant for a year unless told otherwise."""

    def _decide(**overrides):
        values = {
            "officer": officer,
            "application": application,
            "outcome": Outcome.GRANT,
            "content": "Stöd för att bryta isolering, ett besök i veckan.",
            "decided_on": DAY,
            "goals": "Elin går till affären själv en gång i veckan.",
            "period_from": datetime.date(2026, 3, 9),
            "period_to": datetime.date(2027, 3, 8),
        }
        values.update(overrides)
        return actions.issue_decision(**values)

    return _decide

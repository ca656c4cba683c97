"""Fixtures for the provider side: a kind of support delivered by the provider, and orders."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import translation

from decisions.models import Decision
from people.models import CaseStaffRole
from provision.models import OrderStatus
from tests import factories
from tests.factories import CaseFactory, CaseStaffFactory, PersonFactory, SupportKindFactory

TODAY = datetime.date(2026, 6, 1)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(name="Bryta isolering", code="bryta", places=20, follow_up_places=5)
    kind.provider_units.add(org["provider"])
    return kind


def unsaved_grant(case, kind, officer, decided_on, number, **period) -> Decision:
    """A grant on a new application in the case (saved), the decision itself not yet saved."""
    applied_on = decided_on - datetime.timedelta(days=20)
    return factories.decision(
        case, kind, officer, decided_on, applied_on=applied_on, number=number, save=False, **period
    )


@pytest.fixture
def make_order(org, kind, officer):
    """make_order(decided_on=, status=, unit=, person=) -> the order of a granted decision."""

    def _make(
        *,
        decided_on=TODAY - datetime.timedelta(days=10),
        status=OrderStatus.NEW,
        unit=None,
        person=None,
        period_from=None,
        period_to=None,
    ):
        if person is None:
            person = PersonFactory()
            case = CaseFactory(person=person, authority_unit=org["authority"])
        else:
            case = person.cases.first()
        decision = unsaved_grant(
            case,
            kind,
            officer,
            decided_on,
            f"B-T-{next(_numbers):05d}",
            period_from=period_from,
            period_to=period_to,
        )
        decision.save()
        if status == OrderStatus.ACCEPTED:
            # As `accept_order` does: the case now belongs to the accepting team (the
            # `coordinator` fixture's), whose coordinators may close it.
            case.provider_unit = unit or org["north"]
            case.save(update_fields=["provider_unit"])
        return factories.order(
            decision,
            unit or org["provider"],
            officer,
            period_from=period_from,
            period_to=period_to,
            status=status,
            accepted_on=decided_on if status == OrderStatus.ACCEPTED else None,
        )

    return _make


@pytest.fixture
def load_up(org):
    """load_up(user, n): give a coordinator n open cases."""

    def _load(user, n):
        for _ in range(n):
            case = CaseFactory(authority_unit=org["authority"], provider_unit=org["north"])
            CaseStaffFactory(case=case, user=user, role=CaseStaffRole.COORDINATOR)

    return _load

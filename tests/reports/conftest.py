"""Small worlds with known answers for the report: helpers that create records directly."""

from __future__ import annotations

import datetime

import pytest

from intake.models import Intake, IntakeStatus
from people.models import CaseStatus
from provision.models import Closure, FollowUp, OrderStatus
from tests import factories
from tests.factories import CaseFactory, PersonFactory, SupportKindFactory

D = datetime.date


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(name="Bryta isolering", code="bryta")
    kind.provider_units.add(org["provider"])
    return kind


class World:
    """Creates the records the report counts, as the actions would leave them."""

    def __init__(self, org, officer, kind):
        self.org, self.officer, self.kind = org, officer, kind

    def person(self, **fields):
        person = PersonFactory(**fields)
        CaseFactory(
            person=person,
            authority_unit=self.org["authority"],
            provider_unit=self.org["north"],
            opened_on=D(2020, 1, 1),
        )
        return person

    def intake(
        self,
        received_on,
        *,
        source="psychiatry",
        channel="phone",
        outcome="",
        person=None,
        **fields,
    ):
        closed = bool(outcome)
        return Intake.objects.create(
            unit=self.org["authority"],
            received_on=received_on,
            source=source,
            channel=channel,
            person=person,
            case=person.cases.first() if person else None,
            status=IntakeStatus.CLOSED if closed else IntakeStatus.OPEN,
            outcome=outcome,
            outcome_reason="Skäl" if closed else "",
            closed_on=received_on if closed else None,
            **fields,
        )

    def decision(
        self, person, decided_on, *, outcome="grant", kind="new", period_from=None, period_to=None
    ):
        return factories.decision(
            person.cases.first(),
            self.kind,
            self.officer,
            decided_on,
            outcome=outcome,
            kind=kind,
            period_from=period_from,
            period_to=period_to,
        )

    def start(self, person, accepted_on, *, decided_on=None):
        """A granted decision whose order the provider accepted on the date."""
        decision = self.decision(person, decided_on or accepted_on)
        return factories.order(
            decision,
            self.org["provider"],
            self.officer,
            status=OrderStatus.ACCEPTED,
            accepted_on=accepted_on,
        )

    def close(
        self,
        person,
        closed_on,
        *,
        occupation="studies",
        isolation="partly",
        consent=False,
        reason="goals_reached",
    ):
        case = person.cases.first()
        case.status, case.closed_on = CaseStatus.CLOSED, closed_on
        case.save()
        closure = Closure.objects.create(
            case=case,
            person=person,
            closed_on=closed_on,
            reason=reason,
            occupation=occupation,
            isolation=isolation,
            follow_up_consent=consent,
            closed_by=self.officer,
        )
        if consent:
            for months in (6, 12):
                FollowUp.objects.create(
                    closure=closure, person=person, months=months, due_on=closed_on
                )
        return closure


@pytest.fixture
def world(org, officer, kind):
    return World(org, officer, kind)

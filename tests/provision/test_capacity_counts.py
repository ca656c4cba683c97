"""Issue 17: the capacity page's places figures, however they are counted, are what a person
counting the orders and closures by hand would find: every boundary of the period and of the
follow-up year, other units' orders, other kinds, a case closed twice, a case with two kinds."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from people.models import CaseStatus
from provision.actions import FOLLOW_UP_WINDOW
from provision.models import Closure, FollowUpPlace, Order, OrderStatus
from tests import factories
from tests.factories import CaseFactory, PersonFactory, SupportKindFactory, UnitFactory


@pytest.fixture
def kinds(org):
    """Two kinds the manager's provider delivers, and one only another provider does."""
    other_provider = UnitFactory(name="Annan utförare", kind="provider")
    ours = [
        SupportKindFactory(name=name, places=30, follow_up_places=10) for name in ("Ett", "Två")
    ]
    for kind in ours:
        kind.provider_units.add(org["provider"], other_provider)
    theirs = SupportKindFactory(name="Tre", places=5, follow_up_places=5)
    theirs.provider_units.add(other_provider)
    return {"ours": ours, "theirs": theirs, "other_provider": other_provider}


def _order(case, kind, unit, status, period_from, period_to, officer) -> Order:
    decision = factories.decision(
        case,
        kind,
        officer,
        datetime.date(2020, 1, 2),
        applied_on=datetime.date(2020, 1, 1),
        period_from=period_from,
        period_to=period_to,
    )
    return factories.order(
        decision, unit, officer, period_from=period_from, period_to=period_to, status=status
    )


def _world(org, kinds, officer, coordinator, today):
    """Cases with 1–2 orders each, of the two kinds, in the manager's units or another
    provider's, every status, periods on and around today; about half the cases closed once or
    twice, with or without consent, on and around the follow-up year's first day."""
    rng = random.Random(17)
    units = [org["provider"], org["north"], org["south"], kinds["other_provider"]]
    every_kind = [*kinds["ours"], kinds["theirs"]]
    statuses = list(OrderStatus)
    near = [None, *(today + datetime.timedelta(days=d) for d in (-400, -2, -1, 0, 1, 2, 90))]
    year_start = today - FOLLOW_UP_WINDOW
    closed_near = [year_start + datetime.timedelta(days=d) for d in (-1, 0, 1, 2, 200)]
    for _n in range(60):
        case = CaseFactory(
            person=PersonFactory(), authority_unit=org["authority"], provider_unit=org["north"]
        )
        for _o in range(rng.choice([1, 1, 2])):
            start, end = rng.choice(near), rng.choice(near)
            if start and end and start > end:
                start, end = end, start
            kind, unit, status = rng.choice(every_kind), rng.choice(units), rng.choice(statuses)
            _order(case, kind, unit, status, start, end, officer)
        for _c in range(rng.choice([0, 1, 1, 2])):
            Closure.objects.create(
                case=case,
                person=case.person,
                closed_on=rng.choice(closed_near),
                reason="goals_reached",
                occupation="work",
                isolation="none",
                follow_up_consent=rng.choice([True, True, False, None]),
                closed_by=coordinator,
            )
            case.status = CaseStatus.CLOSED
            case.save(update_fields=["status"])


def _by_hand(org, kind, today) -> tuple[int, int]:
    """Places used and follow-up places used of `kind`, counted in Python from every row."""
    mine = {org["provider"].pk, org["north"].pk, org["south"].pk}
    orders = [o for o in Order.objects.all() if o.provider_unit_id in mine]
    used = sum(
        1
        for o in orders
        if o.support_kind_id == kind.pk
        and o.status == OrderStatus.ACCEPTED
        and (o.period_from is None or o.period_from <= today)
        and (o.period_to is None or o.period_to >= today)
    )
    cases_of_kind = {o.case_id for o in orders if o.support_kind_id == kind.pk}
    follow_up = sum(
        1
        for c in Closure.objects.all()
        if c.follow_up_consent is True
        and c.closed_on > today - FOLLOW_UP_WINDOW
        and c.case_id in cases_of_kind
    )
    return used, follow_up


def _shown_are_by_hand(client, org, kinds, today) -> None:
    response = client.get("/uppdrag/kapacitet/")
    assert response.status_code == 200
    shown = {kind.name: kind for kind in response.context["kinds"]}
    assert set(shown) == {"Ett", "Två"}  # "Tre" is only another provider's
    html = response.content.decode()
    for kind in kinds["ours"]:
        used, follow_up = _by_hand(org, kind, today)
        assert (shown[kind.name].used, shown[kind.name].follow_up_used) == (used, follow_up)
        assert f"{used} of 30" in html and f"{follow_up} of 10" in html


def test_the_places_shown_are_those_counted_by_hand(
    org, kinds, officer, coordinator, manager, login
):
    today = timezone.localdate()
    _world(org, kinds, officer, coordinator, today)

    _shown_are_by_hand(login(manager), org, kinds, today)
    # The world is varied enough for the figures to mean something.
    assert all(min(_by_hand(org, kind, today)) >= 3 for kind in kinds["ours"])


def _kept_rows() -> set[tuple]:
    return set(
        FollowUpPlace.objects.values_list(
            "closure_id", "case_id", "support_kind_id", "provider_unit_id", "closed_on"
        )
    )


def _rows_by_hand() -> set[tuple]:
    """What the database should keep, from every closure and order."""
    orders = list(Order.objects.all())
    return {
        (c.id, c.case_id, o.support_kind_id, o.provider_unit_id, c.closed_on)
        for c in Closure.objects.all()
        if c.follow_up_consent is True
        for o in orders
        if o.case_id == c.case_id
    }


def test_the_follow_up_places_follow_every_change_of_closures_and_orders(
    org, kinds, officer, coordinator, manager, login
):
    # The follow-up places are counted from rows the database keeps (`FollowUpPlace`, kept by
    # triggers): each way a closure or order changes changes the figure the page shows.
    today = timezone.localdate()
    _world(org, kinds, officer, coordinator, today)
    client = login(manager)
    assert _kept_rows() == _rows_by_hand() != set()
    ett, tva = kinds["ours"]
    consenting = Closure.objects.filter(
        follow_up_consent=True, closed_on__gt=today - FOLLOW_UP_WINDOW
    )
    closure = consenting.filter(case__orders__provider_unit=org["north"]).first()
    order = Order.objects.filter(case__closures__in=consenting, support_kind=ett).first()
    other = CaseFactory(
        person=PersonFactory(), authority_unit=org["authority"], provider_unit=org["north"]
    )
    _order(other, tva, org["south"], OrderStatus.NEW, None, None, officer)
    before = _by_hand(org, ett, today)[1], _by_hand(org, tva, today)[1]
    changes = [
        # an order moved to another provider, to another kind, to another case
        lambda: Order.objects.filter(pk=order.pk).update(provider_unit=kinds["other_provider"]),
        lambda: Order.objects.filter(pk=order.pk).update(provider_unit=org["north"]),
        lambda: Order.objects.filter(pk=order.pk).update(support_kind=tva),
        lambda: Order.objects.filter(pk=order.pk).update(case=other),
        # consent withdrawn and given again, a closure's day moved out of the year and back
        lambda: Closure.objects.filter(pk=closure.pk).update(follow_up_consent=False),
        lambda: Closure.objects.filter(pk=closure.pk).update(follow_up_consent=True),
        lambda: Closure.objects.filter(pk=closure.pk).update(closed_on=today - FOLLOW_UP_WINDOW),
        lambda: Closure.objects.filter(pk=closure.pk).update(closed_on=today),
        # a closure moved to another case, closures inserted in bulk, a closure deleted
        lambda: Closure.objects.filter(pk=closure.pk).update(case=other),
        lambda: Closure.objects.bulk_create(
            [
                Closure(
                    case=other,
                    person=other.person,
                    closed_on=today,
                    reason="goals_reached",
                    occupation="work",
                    isolation="none",
                    follow_up_consent=True,
                    closed_by=coordinator,
                )
                for _n in range(2)
            ]
        ),
        lambda: Closure.objects.filter(pk=closure.pk).delete(),
    ]
    for change in changes:
        change()
        assert _kept_rows() == _rows_by_hand()
        _shown_are_by_hand(client, org, kinds, today)
    assert (_by_hand(org, ett, today)[1], _by_hand(org, tva, today)[1]) != before

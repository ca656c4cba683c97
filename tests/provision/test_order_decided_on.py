"""New orders by their decision's date, read from the order's copy of it (provision.0013): the
same order as the decision's own, kept right for rows inserted in bulk and a changed date."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Min

from decisions.models import Decision
from provision.actions import orders_for_provider, waiting_orders
from provision.models import Order, OrderStatus
from tests.factories import CaseFactory, PersonFactory
from tests.provision.conftest import TODAY, unsaved_grant


def _copies_match() -> bool:
    return not Order.objects.exclude(decided_on=F("decision__decided_on")).exists()


@pytest.fixture
def orders(make_order, org):
    made = [
        make_order(decided_on=TODAY - datetime.timedelta(days=days))
        for days in (3, 40, 12, 40, 7, 90)
    ]
    made.append(make_order(decided_on=TODAY - datetime.timedelta(days=1), unit=org["north"]))
    made.append(make_order(status=OrderStatus.ACCEPTED))
    return made


def test_new_orders_come_in_the_order_of_their_decisions_dates(orders, manager, coordinator):
    assert _copies_match()
    for user in (manager, coordinator):
        new = orders_for_provider(user).filter(status=OrderStatus.NEW)
        stored = list(new.order_by("decided_on", "created_at", "id"))
        computed = list(new.order_by("decision__decided_on", "created_at", "id"))
        assert stored == computed
        assert [o.decision.decided_on for o in stored] == sorted(
            o.decision.decided_on for o in stored
        )
    assert len(stored) == 7  # the coordinator's team and the provider above it


def test_the_managers_oldest_wait_is_the_oldest_decisions(orders, manager):
    stored = waiting_orders(manager).aggregate(n=Count("id"), oldest=Min("decided_on"))
    computed = waiting_orders(manager).aggregate(n=Count("id"), oldest=Min("decision__decided_on"))
    assert stored == computed == {"n": 7, "oldest": TODAY - datetime.timedelta(days=90)}


def test_a_decisions_date_changed_is_its_orders(orders):
    order = orders[0]
    # Decisions are never changed by the app; the base manager (a merge) could.
    Decision._base_manager.filter(pk=order.decision_id).update(decided_on=TODAY)
    order.refresh_from_db()
    assert order.decided_on == TODAY
    order.decided_on = datetime.date(2000, 1, 1)  # a stale or wrong copy saved back
    order.save()
    order.refresh_from_db()
    assert order.decided_on == TODAY


def test_orders_inserted_in_bulk_hold_their_decisions_dates(orders):
    order = orders[0]
    copy = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).delete()
    copy.decided_on = None
    Order.objects.bulk_create([copy])
    assert Order.objects.get(pk=order.pk).decided_on == order.decision.decided_on
    assert _copies_match()


def test_generated_orders_hold_their_decisions_dates(db):
    # On PostgreSQL the generator turns the triggers off and writes the copies itself.
    call_command("generate_synthetic", "--people", "80", "--seed", "3", stdout=io.StringIO())
    assert Order.objects.filter(decided_on__isnull=False).exists()
    assert _copies_match()


def test_decisions_inserted_in_bulk_after_their_orders_give_each_its_date(org, kind, officer):
    """Orders first, their decisions after in one statement (the keys are checked at the
    commit): each order takes its own decision's date (one statement-level trigger on
    PostgreSQL, provision.0016)."""
    decisions, orders = [], []
    for days in (5, 30, 61, 200):
        person = PersonFactory()
        case = CaseFactory(person=person, authority_unit=org["authority"])
        decided_on = TODAY - datetime.timedelta(days=days)
        decision = unsaved_grant(case, kind, officer, decided_on, f"B-BULK-{days}")
        decisions.append(decision)
        orders.append(
            Order(
                decision=decision,
                person=person,
                case=case,
                support_kind=kind,
                provider_unit=org["provider"],
                created_by=officer,
            )
        )
    with transaction.atomic():
        Order.objects.bulk_create(orders)
        Decision.objects.bulk_create(decisions)
    inserted = Order.objects.filter(pk__in=[o.pk for o in orders])
    stored = {o.decision_id: o.decided_on for o in inserted}
    assert stored == {d.pk: d.decided_on for d in decisions}
    assert _copies_match()

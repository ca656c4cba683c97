"""The demo shows the provider's side: a waiting order, accepted ones, a closure and a follow-up."""

from __future__ import annotations

import datetime

from demo.data import load_demo
from provision.models import AssignmentEvent, Closure, FollowUp, Order, OrderStatus


def test_demo_shows_orders_closure_and_a_due_follow_up(db):
    today = datetime.date(2026, 6, 1)
    load_demo(today=today)
    load_demo(today=today)  # idempotent

    statuses = dict(Order.objects.values_list("person__first_name", "status"))
    assert statuses["Sara"] == OrderStatus.NEW
    assert statuses["Oskar"] == OrderStatus.ACCEPTED
    closure = Closure.objects.get(person__first_name="Viktor")
    assert closure.follow_up_consent and closure.case.status == "closed"
    # The 6-month follow-up was done, with his situation; the 12-month one is due.
    done, due = FollowUp.objects.filter(person__first_name="Viktor").order_by("months")
    assert (done.months, done.status, done.occupation) == (6, "done", "studies")
    assert (due.months, due.status) == (12, "pending") and due.due_on <= today
    assert AssignmentEvent.objects.filter(person__first_name="Oskar").count() == 1

"""Demo: registration times that match the demo's story, so timelines read in order.

The demo creates everything at load time, so orders and assignments (whose date is when they
were registered) would all fall on the load day. Here an order is dated its decision's day and
an assignment its order's acceptance day. Idempotent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from provision.models import AssignmentEvent, Order


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def backdate_registrations() -> None:
    accepted_on: dict[object, datetime.date] = {}
    for order in Order.objects.select_related("decision").order_by("created_at"):
        created = _noon(order.decision.decided_on)
        if order.created_at != created:
            Order.objects.filter(pk=order.pk).update(created_at=created)
        if order.accepted_on:
            accepted_on.setdefault(order.case_id, order.accepted_on)
    for event in AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.ASSIGNED):
        day = accepted_on.get(event.case_id)
        if day and event.at != _noon(day):
            AssignmentEvent.objects.filter(pk=event.pk).update(at=_noon(day))

"""Orders, assignments, closure and follow-ups on the person's timeline."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timeline import Entry, short, timeline_source, user_name
from provision.models import AssignmentEvent, Closure, FollowUp, FollowUpStatus, Order


@timeline_source("orders", gettext_lazy("Orders"), order=60)
def orders(person, case_ids):
    found = list(
        Order.objects.filter(person=person).select_related(
            "decision", "support_kind", "provider_unit", "created_by"
        )
    )
    order_of_case = {}
    by_pk = {order.pk: order for order in found}
    for order in found:
        url = reverse("provision:order", args=[order.pk])
        order_of_case.setdefault(order.case_id, url)
        earlier = by_pk.get(order.replaces_id)
        goes_on = earlier is not None and earlier.provider_unit_id == order.provider_unit_id
        names = {"provider": order.provider_unit.name, "number": order.decision.number}
        if goes_on:
            title = _("Order to %(provider)s goes on under decision %(number)s") % names
        else:
            title = _("Order to %(provider)s (decision %(number)s)") % names
        yield Entry(
            when=order.created_at,
            title=title,
            detail=order.support_kind.name,
            url=url,
            recorded_at=order.created_at,
            by=user_name(order.created_by),
            record_type="order",
            record_id=order.pk,
        )
        carried = goes_on and earlier is not None and earlier.accepted_on == order.accepted_on
        if order.accepted_on and not carried:
            # An order that goes on under a new decision was accepted once, under the first.
            yield Entry(
                when=order.accepted_on,
                title=_("Order accepted by %(provider)s") % {"provider": order.provider_unit.name},
                url=url,
                record_type="order",
                record_id=order.pk,
                # Accepting is an order's first change (ending it at closure comes later).
                logged_as=(Action.UPDATE, ""),
            )
    events = AssignmentEvent.objects.filter(case_id__in=case_ids).select_related(
        "from_user", "to_user", "by"
    )
    for event in events:
        if event.from_user_id:
            title = _("Reassigned from %(from)s to %(to)s") % {
                "from": user_name(event.from_user),
                "to": user_name(event.to_user),
            }
        else:
            title = _("Coordinator assigned: %(to)s") % {"to": user_name(event.to_user)}
        yield Entry(
            when=event.at,
            title=title,
            url=order_of_case.get(event.case_id, ""),
            recorded_at=event.at,
            by=user_name(event.by),
            record_type="assignment",
            record_id=event.pk,
        )


@timeline_source("closure", gettext_lazy("Closure"), order=110)
def closures(person, case_ids):
    for closure in Closure.objects.filter(person=person).select_related("closed_by"):
        detail = situation(closure)
        if closure.reason_text:
            detail = short(closure.reason_text) + " – " + detail
        yield Entry(
            when=closure.closed_on,
            title=_("Case closed: %(reason)s") % {"reason": closure.get_reason_display().lower()},
            detail=detail,
            url=reverse("people:detail", args=[person.pk]) + f"#closure-{closure.pk}",
            recorded_at=closure.created_at,
            by=user_name(closure.closed_by),
            record_type="closure",
            record_id=closure.pk,
        )


@timeline_source("follow_ups", gettext_lazy("Follow-ups"), order=115)
def follow_ups(person, case_ids):
    follow_ups = FollowUp.objects.filter(person=person).select_related("recorded_by", "closure")
    for item in follow_ups:
        months = {"months": item.months}
        if item.status == FollowUpStatus.PENDING:
            title = _("Follow-up %(months)s months after closure is due") % months
            when, detail = item.due_on, ""
            recorded_at = item.closure.created_at  # scheduled when the closure was registered
        else:
            title = _("Follow-up %(months)s months after closure: %(status)s") % {
                **months,
                "status": item.get_status_display().lower(),
            }
            when = item.done_on or item.due_on
            detail = ""
            recorded_at = None  # when it was recorded is in the access log (logged_as)
            if item.occupation:
                detail = situation(item)
        yield Entry(
            when=when,
            title=title,
            detail=detail,
            # Shown to every reader under its closure on the person page, which links to the form.
            url=reverse("people:detail", args=[person.pk]) + f"#closure-{item.closure_id}",
            recorded_at=recorded_at,
            by=user_name(item.recorded_by),
            record_type="follow_up",
            record_id=item.pk,
            logged_as=(Action.UPDATE, ""),
        )


def situation(record) -> str:
    """Occupation and isolation, as on the person page."""
    return f"{record.get_occupation_display()}; {record.get_isolation_display().lower()}"

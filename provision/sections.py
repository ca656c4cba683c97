"""The provider's part of the person page, and the worklist rows for orders and follow-ups.

Each runs a fixed number of queries, however many orders, closures and follow-ups there are.
"""

from __future__ import annotations

from django.db.models import Count, F, Min, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import list_access, log_accesses
from audit.models import Action
from core.compiled import OnePersonQuery
from core.sections import (
    WorkList,
    first_rows,
    full_list,
    head,
    person_rows,
    person_section,
    worklist,
)
from organisation.models import Role
from organisation.permissions import PROVIDER_ROLES, may_do_provider_work
from organisation.roles import roles_of
from people import access
from people.models import CaseStatus
from provision.actions import COORDINATOR_ROLES, orders_for_provider, waiting_orders
from provision.models import Closure, FollowUp, FollowUpStatus, Order, OrderStatus

ORDER_SHOWN = (
    "period_from",
    "period_to",
    "status",
    "accepted_on",
    "created_at",
    "support_kind__name",
    "provider_unit__name",
    "decision__number",
    "replaced_by__decision__number",
)
ORDERS = person_rows(Order)
CLOSURES = person_rows(Closure)
# The section's lists, their SQL built once (core/compiled.py). Of the five rows joined to an
# order, only what the section shows (some 90 columns in all).
ORDER_LIST = OnePersonQuery(
    lambda person_id: (
        Order.objects.filter(person_id=person_id)
        .select_related("support_kind", "provider_unit", "decision", "replaced_by__decision")
        .only(*ORDER_SHOWN)
    )
)
CLOSURE_LIST = OnePersonQuery(lambda person_id: Closure.objects.filter(person_id=person_id))


@person_section(50)
def person_provision(request, person) -> dict:
    level = getattr(request, "access_level", access.Level.NONE)
    may_act = may_do_provider_work(request.user, level)
    # The person page has read the cases and their staff already: then no query here.
    prefetch_related_objects([person], "cases__staff_links__user")
    cases = person.cases.all()
    closures = CLOSURES.read(person, CLOSURE_LIST)
    prefetch_related_objects(closures, "follow_ups")
    return {
        "template": "provision/person_section.html",
        "person": person,
        "orders": ORDERS.read(person, ORDER_LIST),
        "staff": _coordinators(cases),
        "closures": closures,
        "open_case": any(case.status == CaseStatus.OPEN for case in cases),
        "may_act": may_act,
    }


def _coordinators(cases) -> list:
    """The coordinators named on the cases, by role (each link knows its case)."""
    links = [
        link for case in cases for link in case.staff_links.all() if link.role in COORDINATOR_ROLES
    ]
    return sorted(links, key=lambda link: link.role)


def follow_ups_due(user, today):
    """Pending follow-ups now due in the user's own cases (protected: only when named).

    The case is tested by the copies of its id and units on the follow-up (provision.0012):
    their indexes find a manager's follow-ups among their units' own, where testing the case
    through each pending follow-up's closure took 150–180 ms for an area's 25 teams at a
    million people (the same rows: tests/provision/test_follow_up_units.py)."""
    from decisions.sections import _unprotected_or_named

    if not roles_of(user).works_with_cases:
        return FollowUp.objects.none()
    due = FollowUp.objects.filter(status=FollowUpStatus.PENDING, due_on__lte=today).filter(
        access.of_own_cases(user, case="case_id")
    )
    # Ordered by the date itself, PostgreSQL walks every pending follow-up due by date until a
    # page of the user's is found: quick when they are many (an authority's or a provider's),
    # but for a user with only a few among many (a small team in a large municipality, whose
    # share the statistics cannot know) it read all 100,000 at a million people (92 ms for one
    # row). Ordered by an expression the date's index cannot give, the units' indexes find
    # those few and they are sorted. Which one is asked of the database: a bounded count.
    many = access.more_than(user, "_brygga_many_follow_ups", MANY_DUE, lambda: due)
    return _unprotected_or_named(
        due.annotate(due_day=F("due_on") if many else Coalesce("due_on", "due_on")),
        user,
        "closure__person",
    ).select_related("person")


MANY_DUE = 1000


FOLLOW_UPS = full_list(
    WorkList(
        name="uppfoljningar",
        title=_("Follow-ups due"),
        template="provision/_wl_follow_ups.html",
        rows=follow_ups_due,
        keys=("due_day", "id"),
        record_type="follow_up",
        allowed=lambda roles: roles.has(*PROVIDER_ROLES),
        action=Action.READ,
    )
)


@worklist(50)
def provider_worklist(request, roles) -> dict | None:
    if not roles.has(*PROVIDER_ROLES):
        return None
    today = timezone.localdate()
    new_orders = (
        orders_for_provider(request.user)
        .filter(status=OrderStatus.NEW)
        .select_related("person", "decision", "support_kind", "provider_unit")
        # The order of the orders' page (provision:inbox), where the start page links for all,
        # by the order's copy of its decision's date (provision.0013) and its index.
        .order_by("decided_on", "created_at", "id")
    )
    orders, more_orders = head(new_orders)
    follow_ups = first_rows(FOLLOW_UPS, request.user, today)
    shown = [
        list_access("order", [o.person_id for o in orders], Action.READ),
        list_access("follow_up", [f.person_id for f in follow_ups], Action.READ),
    ]
    log_accesses(user=request.user, accesses=[a for a in shown if a is not None])
    return {
        "template": "provision/worklist.html",
        "today": today,
        "new_orders": orders,
        "more_orders": more_orders,
        "follow_ups": follow_ups,
    }


@worklist(60)
def manager_worklist(request, roles) -> dict | None:
    if not roles.has(Role.MANAGER):
        return None
    # One aggregate, not the whole waiting list: a large provider's runs to thousands.
    # The oldest by the order's copy of its decision's date: no decision read (provision.0013).
    waiting = waiting_orders(request.user).aggregate(n=Count("id"), oldest=Min("decided_on"))
    oldest = waiting["oldest"]
    return {
        "template": "provision/manager_worklist.html",
        "waiting_count": waiting["n"],
        "longest_wait": (timezone.localdate() - oldest).days if oldest else 0,
    }

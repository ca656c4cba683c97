"""Demo closure: Viktor's case was closed half a year ago with consent to follow-up.

Orders: Sara's waits for acceptance; Elin's, Jonas's and Oskar's are accepted (see demo.py), with
coordinators of their teams named on the case; their assignments are recorded here.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from brygga.demo import test_number
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person
from provision.models import AssignmentEvent, Closure, FollowUp, Order, OrderStatus


def load_closure(users: dict, today: datetime.date) -> None:
    _assignments(users)
    _viktor(users, today)


def _assignments(users: dict) -> None:
    """The accepted orders' coordinators, as the capacity page's history shows them."""
    accepted = Order.objects.filter(status=OrderStatus.ACCEPTED).exclude(
        case__assignment_events__isnull=False
    )
    for order in accepted.select_related("case"):
        links = CaseStaff.objects.filter(case=order.case, role=CaseStaffRole.COORDINATOR)
        AssignmentEvent.objects.bulk_create(
            AssignmentEvent(
                kind=AssignmentEvent.Kind.ASSIGNED,
                case=order.case,
                person_id=order.person_id,
                role=link.role,
                to_user_id=link.user_id,
                by=users["manager"],
            )
            for link in links
        )


def _viktor(users: dict, today: datetime.date) -> None:
    """His 6-month follow-up is due a week ago; the 12-month one lies ahead. Idempotent."""
    viktor = Person.objects.filter(
        personal_number=test_number(datetime.date(1990, 2, 19), 989)
    ).first()
    case = viktor.cases.first() if viktor else None
    if case is None or Closure.objects.filter(case=case).exists():
        return
    closed_on = today - relativedelta(months=6, days=7)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on)
    closure = Closure.objects.create(
        case=case,
        person=viktor,
        closed_on=closed_on,
        reason="goals_reached",
        reason_text="Viktor läser på komvux och tar sig själv till träffpunkten.",
        occupation="studies",
        isolation="partly",
        follow_up_consent=True,
        closed_by=users["coordinator"],
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            closure=closure,
            person=viktor,
            months=months,
            due_on=closed_on + relativedelta(months=months),
        )
        for months in (6, 12)
    )

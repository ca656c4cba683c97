"""Demo closures: Viktor's case was closed half a year ago with consent to follow-up; Ella
moved on to other support three weeks ago, and Adam declined to continue.

Orders: Sara's waits for acceptance; Elin's, Jonas's and Oskar's are accepted (see demo.py), with
coordinators of their teams named on the case; their assignments are recorded here.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from audit.events import Access, log_accesses
from audit.models import Action
from demo.data import test_number
from people import staffing
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person
from provision.models import (
    AssignmentEvent,
    Closure,
    FollowUp,
    FollowUpStatus,
    Order,
    OrderStatus,
)

# person (birth, serial), closed how long ago, reason, about it, occupation, isolation, consent
CLOSURES = [
    (
        ((1990, 2, 19), 989),
        relativedelta(months=12, days=7),  # 6-month follow-up done; the 12-month one is due
        "goals_reached",
        "Viktor läser på komvux och tar sig själv till träffpunkten.",
        "studies",
        "partly",
        True,
    ),
    (
        ((1996, 6, 11), 992),
        relativedelta(days=20),
        "other_support",
        "Ella har fått en praktikplats via arbetsmarknadsenheten med eget stöd där.",
        "other",
        "partly",
        True,
    ),
    (
        ((2004, 10, 4), 991),
        relativedelta(days=21),
        "declined",
        "Adam vill inte fortsätta med hembesöken just nu.",
        "none",
        "as_before",
        False,
    ),
]


def load_closure(users: dict, today: datetime.date) -> None:
    _assignments(users)
    for entry in CLOSURES:
        _close(users, today, *entry)


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


def _close(users, today, who, ago, reason, reason_text, occupation, isolation, consent) -> None:
    """Close the person's case; with consent, follow-ups at 6 and 12 months. Idempotent."""
    person = Person.objects.filter(
        personal_number=test_number(datetime.date(*who[0]), who[1])
    ).first()
    if person is None:
        return
    case = person.cases.first()
    if case is None or Closure.objects.filter(case=case).exists():
        return
    coordinator = CaseStaff.objects.filter(case=case, role=CaseStaffRole.COORDINATOR).first()
    assert coordinator is not None  # every closed demo case has a coordinator
    closed_on = today - ago
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on)
    staffing.end_all(case, closed_on)
    closure = Closure.objects.create(
        case=case,
        person=person,
        closed_on=closed_on,
        reason=reason,
        reason_text=reason_text,
        occupation=occupation,
        isolation=isolation,
        follow_up_consent=consent,
        closed_by=coordinator.user,
    )
    if consent:
        _schedule_follow_ups(closure, person, closed_on, today)


def _schedule_follow_ups(closure, person, closed_on, today) -> None:
    """Both follow-ups; one whose date passed more than a month ago was done, with the answers."""
    FollowUp.objects.bulk_create(
        FollowUp(
            closure=closure,
            person=person,
            months=months,
            due_on=closed_on + relativedelta(months=months),
        )
        for months in (6, 12)
    )
    for follow_up in FollowUp.objects.filter(
        closure=closure, due_on__lt=today - relativedelta(months=1)
    ):
        # Logged as provision.closure logs it: the timeline's registration time.
        log_accesses(
            user=closure.closed_by,
            accesses=[Access(person.pk, "follow_up", follow_up.pk, Action.UPDATE)],
        )
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status=FollowUpStatus.DONE,
            done_on=follow_up.due_on + datetime.timedelta(days=3),
            occupation="studies",
            isolation="none",
            comment="Läser vidare på komvux och träffar vänner på träffpunkten varje vecka.",
            recorded_by=closure.closed_by,
        )

"""Who is named on a case, and since and until when (`CaseStaff` and `StaffPeriod`).

`CaseStaff` holds today's staff of a case; `StaffPeriod` the history, so that the caseload on a
past date uses who was assigned that day (docs/reports.md). Every action that names, moves or
closes goes through here, so that the two never drift apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, StaffPeriod

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _open(case_id, user_id: int, role: str, on: datetime.date) -> None:
    """Open a period unless one is open already (naming someone twice changes nothing)."""
    if not StaffPeriod.objects.filter(
        case_id=case_id, user_id=user_id, role=role, valid_to__isnull=True
    ).exists():
        StaffPeriod.objects.create(
            case_id=case_id, user_id=user_id, role=role, valid_from=on, valid_to=None
        )


def _end(periods: QuerySet[StaffPeriod], on: datetime.date) -> None:
    _end_on(periods.filter(valid_to__isnull=True), on)


def _end_on(periods: QuerySet[StaffPeriod], on: datetime.date) -> None:
    # A period that began later than `on` (a date corrected backwards) ends where it began.
    for period in periods:
        period.valid_to = max(on, period.valid_from)
        period.save(update_fields=["valid_to"])


def name(case: Case, user: User, role: str, on: datetime.date) -> CaseStaff:
    """Name the user on the case in the role from `on`."""
    link, _created = CaseStaff.objects.get_or_create(case=case, user=user, role=role)
    _open(case.pk, user.pk, role, on)
    return link


def move(link: CaseStaff, to_user: User, on: datetime.date) -> None:
    """Move the link to another user from `on`; if they already hold the role, drop it."""
    _end(StaffPeriod.objects.filter(case_id=link.case_id, user_id=link.user_id, role=link.role), on)
    if CaseStaff.objects.filter(case_id=link.case_id, user=to_user, role=link.role).exists():
        link.delete()
    else:
        link.user = to_user
        link.save(update_fields=["user"])
    _open(link.case_id, to_user.pk, link.role, on)


def end_all(case: Case, on: datetime.date) -> None:
    """The case is closed on `on`: nobody holds it from that day (the links stay for access)."""
    _end(StaffPeriod.objects.filter(case=case), on)


def closing_moved(case: Case, before: datetime.date, after: datetime.date) -> None:
    """A closure's date corrected: the periods it ended end on the corrected date."""
    _end_on(StaffPeriod.objects.filter(case=case, valid_to=before), after)


def in_force(on_date: datetime.date) -> QuerySet[StaffPeriod]:
    """The periods in force on the date, of cases not closed by then.

    A period ends with its case's closure; the case's dates are checked too for links that
    never had a period written (a closure recorded without the action). A reopened case is
    open again (status) whatever its earlier `closed_on` says.
    """
    return StaffPeriod.objects.filter(valid_from__lte=on_date).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on_date),
        Q(case__closed_on__isnull=True)
        | Q(case__closed_on__gt=on_date)
        | Q(case__status=CaseStatus.OPEN),
    )


def caseloads_on(on_date: datetime.date, user_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cases per coordinator on the date: the assignments in force that day. One query.

    Used by the statistics' caseload and the manager's capacity page for a past date, so that
    the two agree.
    """
    periods = in_force(on_date).filter(role=CaseStaffRole.COORDINATOR)
    if user_ids is not None:
        periods = periods.filter(user_id__in=list(user_ids))
    rows = periods.values("user_id").annotate(n=Count("case_id", distinct=True)).order_by()
    return {row["user_id"]: row["n"] for row in rows}

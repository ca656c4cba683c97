"""The start page's own list, the open cases, as a worklist whose whole list has its page."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from core.sections import WorkList, full_list
from people import access
from people.models import CaseStaff, CaseStatus, Person


def open_cases(user, today=None):
    """The user's open cases; a protected person's only for staff named on it."""
    named = CaseStaff.objects.filter(case__person_id=OuterRef("pk"), user=user)
    # The people as a semi-join (`IN`), not conditions on the joined person: with those,
    # PostgreSQL hashed every person for the bounded count of a manager's cases (65–260 ms at
    # 100,000 people) where probing the 1,001 people counted takes a few.
    shown = Person.objects.current().filter(Q(protected_identity=False) | Exists(named))
    return (
        access.own_cases(user)
        .filter(status=CaseStatus.OPEN, person_id__in=shown.values("pk"))
        .select_related("person", "authority_unit", "provider_unit")
    )


OPEN_CASES = full_list(
    WorkList(
        name="oppna-arenden",
        title=gettext_lazy("Open cases"),
        template="_open_cases.html",
        rows=open_cases,
        keys=("opened_on", "id"),
        record_type="case",
        allowed=lambda roles: roles.works_with_cases,
    )
)

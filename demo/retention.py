"""Demo data for retention: one case marked to be kept, and one register extract on request.

Running it twice changes nothing. Uses a demo person created by demo.data.
"""

from __future__ import annotations

import datetime

from people.models import Person
from retention import actions
from retention.models import RegisterExtract, RetentionException


def load_retention(users: dict, today: datetime.date) -> None:
    manager = users["manager"]
    person = Person.objects.filter(first_name="Elin", last_name="Fiktiv").first()
    if person is None:
        return
    case = person.cases.order_by("opened_on").first()
    if case is not None and not RetentionException.objects.filter(case=case).exists():
        actions.mark_exception(
            user=manager,
            case=case,
            reason="Överklagande till förvaltningsrätten pågår; handlingarna behövs i målet.",
        )
    if not RegisterExtract.objects.filter(person=person).exists():
        actions.record_extract(
            user=manager,
            person=person,
            requested_by="person",
            requester_name="",
            requested_on=today - datetime.timedelta(days=3),
        )

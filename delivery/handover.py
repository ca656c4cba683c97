"""What a coordinator leaves unfinished with the people whose cases move to someone else.

The manager's reassignment page shows it before anything moves, and says what happens to each:
planned visits and homework belong to the person's support and follow the case to the new
coordinator; an unsigned note is its author's, who alone may sign it, and stays theirs to finish
from their start page (`delivery.access`). Three queries, whatever the number of people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from delivery.models import Homework, Note, Visit, VisitStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class Unfinished:
    drafts: list[Note] = field(default_factory=list)
    planned: list[Visit] = field(default_factory=list)
    unrecorded: list[Visit] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.drafts or self.planned or self.unrecorded or self.homework)


def unfinished_work(
    person_ids: Iterable[Any], leaver: User, now: datetime.datetime | None = None
) -> dict[Any, Unfinished]:
    """Per person: the leaver's unsigned notes, planned visits (coming, and those whose time
    has passed without an outcome), and homework given but not yet followed up."""
    ids = list(person_ids)
    now = now or timezone.now()
    work: dict[Any, Unfinished] = {pk: Unfinished() for pk in ids}
    drafts = Note.objects.drafts().filter(person_id__in=ids, written_by=leaver)
    for note in drafts.order_by("happened_on", "created_at"):
        work[note.person_id].drafts.append(note)
    visits = Visit.objects.filter(person_id__in=ids, status=VisitStatus.PLANNED)
    for visit in visits.order_by("planned_at"):
        rows = work[visit.person_id]
        (rows.planned if visit.planned_at >= now else rows.unrecorded).append(visit)
    homework = Homework.objects.filter(
        given_at__person_id__in=ids, result="", given_at__status=VisitStatus.HELD
    ).select_related("given_at")
    for item in homework.order_by("given_at__planned_at"):
        work[item.given_at.person_id].homework.append(item)
    return work

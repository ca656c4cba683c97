"""When a step in a person's case was registered, as the access log witnessed it.

Some records keep only the date a step happened (an appeal received, a mapping completed), not
when it was entered in Brygga. The action that entered it logged it, in the tamper-evident log
(docs/access-log.md), so the first such entry is the registration time the timeline can prove.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from audit.models import AccessLogEntry

Step = tuple[str, str, str, str]  # record type, record id, action, detail


def registration_times(person_id, steps: Iterable[Step]) -> dict[Step, datetime.datetime]:
    """The time of the first log entry of each step of the person's records: one query."""
    wanted = set(steps)
    if not wanted:
        return {}
    found: dict[Step, datetime.datetime] = {}
    rows = (
        AccessLogEntry.objects.filter(
            person_id=person_id,
            record_type__in={s[0] for s in wanted},
            record_id__in={s[1] for s in wanted},
            action__in={s[2] for s in wanted},
        )
        .order_by("id")
        .values_list("record_type", "record_id", "action", "detail", "at")
    )
    for record_type, record_id, action, detail, at in rows:
        step = (record_type, record_id, action, detail)
        if step in wanted:
            found.setdefault(step, at)
    return found

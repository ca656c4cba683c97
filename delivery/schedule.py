"""Dates of a visit series that tapers: weekly, then every second, then every third week."""

from __future__ import annotations

import datetime
from collections.abc import Sequence


def tapering_dates(start: datetime.date, steps: Sequence[tuple[int, int]]) -> list[datetime.date]:
    """One date per visit: `steps` is (number of visits, weeks between them) in order.

    The first visit is on `start`; every later visit comes its step's number of weeks after the
    one before. (3, 1), (2, 2) from Monday 5 January gives 5, 12, 19 January, 2 and 16 February.
    """
    dates: list[datetime.date] = []
    day = start
    for count, weeks in steps:
        if count < 0 or weeks < 1:
            raise ValueError("A step needs zero or more visits at least one week apart.")
        for _ in range(count):
            if dates:
                day += datetime.timedelta(weeks=weeks)
            dates.append(day)
    return dates

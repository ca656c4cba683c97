"""Appeal deadlines: three weeks from receipt (FL 44 §), moved to the next working day when the
last day falls on a Saturday, Sunday, public holiday, Midsummer Eve, Christmas Eve or New Year's
Eve (lag (1930:173) om beräkning av lagstadgad tid, 2 §).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

APPEAL_PERIOD = datetime.timedelta(weeks=3)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[datetime.date]:
    days = set(holidays.Sweden(years=year).keys())
    # The three eves the law names but the holidays package does not count as holidays.
    midsummer_eve = next(
        datetime.date(year, 6, day)
        for day in range(19, 26)
        if datetime.date(year, 6, day).weekday() == 4
    )
    days |= {midsummer_eve, datetime.date(year, 12, 24), datetime.date(year, 12, 31)}
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day_from(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def appeal_deadline(received_on: datetime.date) -> datetime.date:
    """The last day an appeal may arrive, for a decision the person received on this date."""
    return next_working_day_from(received_on + APPEAL_PERIOD)


def appeal_in_time(
    *, decision_received_on: datetime.date, appeal_received_on: datetime.date
) -> bool:
    return appeal_received_on <= appeal_deadline(decision_received_on)

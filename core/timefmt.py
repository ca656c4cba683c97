"""Every time a person sees is Swedish time: the one helper that shows a date or a time.

The database keeps instants in UTC. Templates' `date` and `time` filters already convert to the
current time zone (settings.TIME_ZONE, Europe/Stockholm), but Python does not: an f-string such as
`f"{visit.planned_at:%H:%M}"` prints the UTC hour, and `planned_at.date()` gives the UTC day,
which is the day before between midnight and one or two in the morning. Whatever Python formats
for a person to read (a model's text, a note's title, a timeline entry, a letter, an export)
goes through here, so that it is Europe/Stockholm on both sides of the daylight-saving change.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

DATE = "%Y-%m-%d"
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware instant in Swedish time; a naive one is taken to be Swedish time already."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """The Swedish calendar day of an instant; a date is returned as it is."""
    if isinstance(value, datetime.datetime):
        return local(value).date()
    return value


def date_text(value: datetime.date | datetime.datetime | None) -> str:
    """The Swedish day as "2026-03-29": the day of an instant, or a date as it is."""
    return "" if value is None else local_date(value).strftime(DATE)


def datetime_text(value: datetime.datetime | None, *, seconds: bool = False) -> str:
    """Swedish time as "2026-03-29 01:30"."""
    if value is None:
        return ""
    return local(value).strftime(SECONDS if seconds else MINUTES)


def time_text(value: datetime.datetime | None) -> str:
    """Swedish time as "01:30"."""
    return "" if value is None else local(value).strftime("%H:%M")


def iso(value: datetime.datetime) -> str:
    """ISO 8601 with the Swedish offset, to the second: "2026-03-29T03:30:00+02:00"."""
    return local(value).isoformat(timespec="seconds")


def stamp(value: datetime.datetime) -> str:
    """For a file name: "20260329-0330" in Swedish time."""
    return local(value).strftime("%Y%m%d-%H%M")

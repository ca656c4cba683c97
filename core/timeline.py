"""The person's timeline: a registry to which each app contributes its own entries.

An app registers a source in its own `<app>/timeline.py` (found by `autodiscover`):

    @timeline_source("visits", _("Visits"), order=70)
    def visits(person, case_ids):
        for visit in Visit.objects.filter(person=person).select_related("created_by"):
            yield Entry(when=visit.planned_at, title=..., url=..., recorded_at=visit.created_at,
                        by=user_name(visit.created_by), record_type="visit", record_id=visit.pk)

Rules for a source: it runs a constant number of queries whatever the number of records
(select_related / prefetch_related); it returns only records of this person (or of these
cases); it never decides access, which the view has already done through `people.access`.
`record_type` and `record_id` name the record in the access log; `kind` is filled in from the
registration. Several sources may register the same kind with the same label. `url` should be a
page every reader of the person may open (the person page's own section will do); where only
some may, give `may_open`.

`recorded_at` is when the entry was registered in Brygga: the PDF offers it as proof of date. A
step whose record keeps no such time (an intake closed, a mapping completed) names in `logged_as`
the access-log entry (action, detail) that registered it; the page takes the time from the log
(`with_registration`). An entry with neither is printed as having no registration time.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules
from django.utils.text import Truncator

from core.timefmt import local, local_date

Source = Callable[..., Iterable["Entry"]]


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One dated thing in a person's case."""

    when: datetime.date | datetime.datetime
    title: str
    kind: str = ""
    kind_label: object = ""  # filled in from the registration
    detail: str = ""
    url: str = ""
    recorded_at: datetime.datetime | None = None  # when it was registered in Brygga
    # Without recorded_at: the (action, detail) of the access-log entry that registered it.
    logged_as: tuple[str, str] | None = None
    by: str = ""
    record_type: str = ""
    record_id: object = ""
    # For a page not every reader of the person may open: may_open(user) -> bool, at most one
    # query per timeline (cache it). Without it, the link is shown to every reader.
    may_open: Callable | None = dataclasses.field(default=None, compare=False, repr=False)

    def url_for(self, user) -> str:
        if self.url and (self.may_open is None or self.may_open(user)):
            return self.url
        return ""

    @property
    def day(self) -> datetime.date:
        when = self.when
        if isinstance(when, datetime.datetime):
            return local_date(when)
        return when

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)

    def sort_key(self) -> tuple:
        when = self.when
        if not isinstance(when, datetime.datetime):
            # A day without a time goes before that day's timed entries.
            when = datetime.datetime.combine(when, datetime.time.min)
        else:
            when = local(when).replace(tzinfo=None)
        recorded = self.recorded_at
        if recorded is not None:
            recorded = local(recorded).replace(tzinfo=None)
        return (when, recorded or datetime.datetime.max, str(self.title))


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    order: int


_kinds: dict[str, Kind] = {}
_sources: list[tuple[str, Source]] = []
_discovered = False


def timeline_source(kind: str, label, *, order: int = 100):
    """Register `fn(person, case_ids) -> iterable of Entry` as a source of entries of `kind`."""

    def decorator(fn: Source) -> Source:
        if kind not in _kinds:
            _kinds[kind] = Kind(kind, label, order)
        if (kind, fn) not in _sources:
            _sources.append((kind, fn))
        return fn

    return decorator


def autodiscover() -> None:
    """Import every installed app's `timeline` module once, so its sources register."""
    global _discovered
    if not _discovered:
        autodiscover_modules("timeline")
        _discovered = True


def kinds() -> list[Kind]:
    autodiscover()
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.code))


def entries_for(
    person,
    *,
    only: Iterable[str] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[Entry]:
    """The person's entries, oldest first; `only` limits the kinds, start/end the days."""
    autodiscover()
    wanted = set(only) if only else set(_kinds)
    case_ids = list(person.cases.values_list("pk", flat=True))
    entries = []
    for kind, source in _sources:
        if kind not in wanted:
            continue
        for entry in source(person, case_ids):
            entry = dataclasses.replace(entry, kind=kind, kind_label=_kinds[kind].label)
            if (start and entry.day < start) or (end and entry.day > end):
                continue
            entries.append(entry)
    entries.sort(key=Entry.sort_key)
    return entries


def logged_steps(entries: Iterable[Entry]) -> set[tuple[str, str, str, str]]:
    """(record type, record id, action, detail) of the log entries that registered `entries`."""
    return {
        (e.record_type, str(e.record_id), *e.logged_as)
        for e in entries
        if e.recorded_at is None and e.logged_as is not None
    }


def with_registration(entries: list[Entry], logged: dict) -> list[Entry]:
    """Entries whose registration time is in the access log (`logged`, keyed as `logged_steps`)
    carry it as `recorded_at`; the others are unchanged."""
    out = []
    for e in entries:
        if e.recorded_at is None and e.logged_as is not None:
            at = logged.get((e.record_type, str(e.record_id), *e.logged_as))
            if at is not None:
                e = dataclasses.replace(e, recorded_at=at)
        out.append(e)
    return out


# Helpers for sources


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def short(text: str, words: int = 25) -> str:
    return Truncator(" ".join((text or "").split())).words(words)

"""When a person's records are culled, and what keeps them.

- Socialtjänstförordningen (2001:937) 7 kap. 1 §: culled five years after the last entry, the
  culling done at the latest in the calendar year after the one in which it fell due.
- 7 kap. 2 §: records of people born on the 5th, 15th or 25th of a month are kept for research
  (for a coordination number the day has 60 added), and in municipalities designated for research
  everything is kept.
- A case the manager marked with a reason (RetentionException) keeps the person's records.
- Culling never takes an open case: a person with an open case and no entry for five years is
  shown to the manager on the retention page instead (the case should be closed, or marked).

Brygga keeps one record per person (plans, visits and the journal belong to the person, not to
one case), so the unit of culling is the person: the last entry of all their cases counts.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, DateTimeField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lookups import among
from retention import conf
from retention.graph import DatabaseWalk, Record, Tally, collect_many

# Dates that are not entries in the case, so they never postpone culling: a birth date, and the
# dates a record plans or grants ahead (a decision's period, a planned visit, a follow-up due, a
# link's expiry), which are not when anything was written in the record.
NOT_ENTRY_FIELDS = {
    "people.Person.birth_date",
    "decisions.Decision.period_from",
    "decisions.Decision.period_to",
    # Kept by the database from the case and the period (decisions.0011): no entry of their own.
    "decisions.Decision.case_ended_on",
    "decisions.Decision.left_running_until",
    "provision.Order.period_from",
    "provision.Order.period_to",
    "delivery.Plan.next_follow_up",
    "delivery.Visit.planned_at",
    "provision.FollowUp.due_on",
    "instruments.HomeLink.expires_at",
    "intake.AssessmentTalk.reflection_until",
}
NOT_ENTRY_MODELS = {
    # Someone opening the record with a reason reads it; it is not an entry in it.
    "people.ReasonedAccess",
    # Marking an exception or producing an extract must not by itself extend the retention.
    "retention.RetentionException",
    "retention.RegisterExtract",
}

CULL = "retention_period"
OPEN_CASE = "open_case"
CASE_EXCEPTION = "case_exception"
NOT_DUE = "not_due"
# Rules that keep the records whatever the dates, as long as the person's details stand.
PERMANENT = frozenset({"research_birth_day", "birth_day_unknown"})
RULES = {
    CULL: _("Five years after the last entry (socialtjänstförordningen 7 kap. 1 §)"),
    "research_municipality": _("The municipality keeps everything for research"),
    "research_birth_day": _(
        "Born on the 5th, 15th or 25th: kept for research (socialtjänstförordningen 7 kap. 2 §)"
    ),
    "birth_day_unknown": _("The birth day is unknown: check the 5/15/25 rule by hand"),
    "case_exception": _("A case is marked to be kept"),
    OPEN_CASE: _("A case is still open: it is never culled. Close the case, or mark it to be kept"),
    "not_due": _("Not yet due"),
}


@dataclass
class Verdict:
    person_id: Any  # the person's UUID
    rule: str
    last_entry_on: datetime.date | None = None
    due_on: datetime.date | None = None
    deadline: datetime.date | None = None
    case_ids: list = field(default_factory=list)
    record: Record | Tally | None = None
    # The walk in the database that found the record (`assess_many(in_database=True)`).
    walk: DatabaseWalk | None = None

    @property
    def cull(self) -> bool:
        return self.rule == CULL

    @property
    def explanation(self) -> str:
        return str(RULES[self.rule])

    def overdue(self, today: datetime.date) -> bool:
        return bool(self.deadline and today > self.deadline)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` later (or earlier); 29 February becomes 28 February, the last day of
    that February, as a period counted in years ends on the same day of the month or, when the
    month has no such day, on its last day (lag (1930:173) om beräkning av lagstadgad tid 1 §)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 2, 28)


def due_on(last_entry: datetime.date) -> datetime.date:
    return add_years(last_entry, conf.retention_years())


def deadline_for(due: datetime.date) -> datetime.date:
    """The last day of the calendar year after the one in which culling fell due."""
    return datetime.date(due.year + conf.deadline_years(), 12, 31)


def birth_day(person) -> int | None:
    """Day of the month of birth; a coordination number's day has 60 added."""
    number = person.personal_number or ""
    if len(number) == 12 and number.isdigit():
        day = int(number[6:8])
        return day - 60 if day > 60 else day
    if person.birth_date:
        return person.birth_date.day
    return None


def kept_for_research(person) -> str | None:
    """The rule that keeps this person whatever the dates, or None."""
    if conf.research_municipality():
        return "research_municipality"
    day = birth_day(person)
    if day is None:
        return "birth_day_unknown"
    if day in conf.research_birth_days():
        return "research_birth_day"
    return None


def assess(person, today: datetime.date) -> Verdict:
    """Whether the person's records go today, and the rule that decides it."""
    return assess_many([person], today)[0]


def assess_many(people: list, today: datetime.date, *, in_database: bool = False) -> list[Verdict]:
    """`assess` for many people at once, with the same verdicts: the records are collected
    together and their dates read with one query per kind of record, so the number of queries
    does not grow with the number of people (the first culling of a long history).

    With `in_database` (PostgreSQL; the real cull), the walk and the dates stay in the database
    (`graph.DatabaseWalk`, each row's date by `entry_date_sql`): each verdict's `record` is a
    `Tally` (counts, no rows), and the records of those who go are removed, in the same
    transaction, by `verdict.walk.delete`."""
    if not people:
        return []
    ids = [p.pk for p in people]
    case_model = _case_model()
    found: dict[Any, tuple[Record | Tally, set, datetime.date | None]]
    if in_database:
        walk = DatabaseWalk(ids, date=entry_date_sql).run()
        tallies = walk.tallies(pks_of=case_model)
        found = {pk: (t, set(t.pks), t.newest) for pk, t in tallies.items()}
    else:
        walk = None
        # The dates of each row are read by the query that finds the row.
        read: dict = {}
        records = collect_many(ids, fields=_entry_attnames, values=read)
        newest = _last_entries(records, read)
        found = {
            pk: (record, record.rows.get(case_model, set()), newest.get(pk))
            for pk, record in records.items()
        }
    verdicts = _verdicts(people, today, found)
    for verdict in verdicts:
        verdict.walk = walk
    return verdicts


def _verdicts(people: list, today: datetime.date, found: dict) -> list[Verdict]:
    """The rules, given each person's (record, case ids, last entry)."""
    from people.models import CaseStatus
    from retention.models import RetentionException

    case_model = _case_model()
    all_cases = [pk for _record, cases, _last in found.values() for pk in cases]
    open_cases = set(
        case_model.objects.filter(among("pk", all_cases), status=CaseStatus.OPEN).values_list(
            "pk", flat=True
        )
    )
    excepted = set(
        RetentionException.objects.active()
        .filter(among("case_id", all_cases))
        .values_list("case_id", flat=True)
    )
    verdicts = []
    for person in people:
        record, cases, last = found[person.pk]
        due = due_on(last) if last else None
        verdict = Verdict(
            person.pk,
            CULL,
            last_entry_on=last,
            due_on=due,
            deadline=deadline_for(due) if due else None,
            case_ids=sorted(str(pk) for pk in cases),
            record=record,
        )
        if due is None or today < due:
            verdict.rule = NOT_DUE
        elif cases & open_cases:
            verdict.rule = OPEN_CASE
        elif rule := kept_for_research(person):
            verdict.rule = rule
        elif cases & excepted:
            verdict.rule = CASE_EXCEPTION
        verdicts.append(verdict)
    return verdicts


def entry_date_sql(model, alias: str) -> tuple[str, list]:
    """`_last_entries`' date of a row, as SQL (PostgreSQL): the newest of the row's entry
    fields that is not after now (a time, as its date in the current time zone) or today (a
    date); NULL if none. The same rule as `_last_entries`; a test holds them equal."""
    now = timezone.now()
    today, zone = timezone.localdate(now), timezone.get_current_timezone_name()
    parts, params = [], []
    for f in _entry_fields(model):
        column = f'{alias}."{f.column}"'
        if isinstance(f, DateTimeField):
            parts.append(f"CASE WHEN {column} <= %s THEN ({column} AT TIME ZONE %s)::date END")
            params += [now, zone]
        else:
            parts.append(f"CASE WHEN {column} <= %s THEN {column} END")
            params.append(today)
    if not parts:
        return "NULL::date", []
    return (parts[0] if len(parts) == 1 else f"GREATEST({', '.join(parts)})"), params


def _entry_fields(model) -> list:
    """The date and time fields of a kind of record that are entries (none for a kind that
    never postpones culling)."""
    if model._meta.label in NOT_ENTRY_MODELS:
        return []
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (DateField, DateTimeField))
        and f"{model._meta.label}.{f.name}" not in NOT_ENTRY_FIELDS
    ]


@functools.cache
def _entry_attnames(model) -> list[str]:
    return [f.attname for f in _entry_fields(model)]


def _last_entries(records: dict[object, Record], read: dict) -> dict[object, datetime.date]:
    """Each person's last entry: the newest date or time on any row of their record. `read`
    holds the entry fields' values of the rows the walk found (`collect_many`); the rest (the
    people themselves) are read here, each kind of record once for all of them.

    An entry is never after today: a date still ahead (one a field not listed above plans) is
    not counted, so the last entry is never in the future."""
    now = timezone.now()
    today = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    unread: dict = {}
    for record in records.values():
        for model, pks in record.rows.items():
            if _entry_attnames(model):
                unread.setdefault(model, set()).update(pk for pk in pks if (model, pk) not in read)
    for model, pks in unread.items():
        pk_list = list(pks)
        for start in range(0, len(pk_list), 5000):
            chunk = pk_list[start : start + 5000]
            rows = model._base_manager.filter(among("pk", chunk)).values_list(
                "pk", *_entry_attnames(model)
            )
            for pk, *values in rows:
                read[(model, pk)] = values
    row_date: dict = {}
    for key, values in read.items():
        best = None
        for value in values:
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                if value > now:
                    continue
                value = value.astimezone(zone).date() if value.tzinfo else value.date()
            elif value > today:
                continue
            if best is None or value > best:
                best = value
        if best is not None:
            row_date[key] = best
    newest: dict[object, datetime.date] = {}
    for person_id, record in records.items():
        dates = [
            row_date[(model, pk)]
            for model, pks in record.rows.items()
            for pk in pks
            if (model, pk) in row_date
        ]
        if dates:
            newest[person_id] = max(dates)
    return newest


def _case_model():
    from people.models import Case

    return Case

"""Each figure of the statistics report, computed in the database.

Every function takes the period (`start`, `end`, both inclusive) and/or an `on_date` for stock
figures, runs a fixed number of aggregate queries through the ORM and returns plain data
(numbers, dicts keyed by the stored choice values). Nothing here loads the rows it counts.
Suppression and labels are added by `reports/report.py`; docs/reports.md defines each figure.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractYear
from django.utils import timezone

from core.lookups import AnyOf
from decisions.models import Appeal, Decision, Outcome, not_ended_by, replaced_on
from delivery.models import Visit, VisitKind, VisitStatus
from groups.models import AGE_BANDS, Attendance, GroupSession, HeadCount
from intake.models import Intake, IntakeOutcome, IntakeStatus
from people import staffing
from people.models import Case
from provision.models import Closure, FollowUp, FollowUpStatus, Order

GRANTED = (Outcome.GRANT, Outcome.PARTIAL)
DAYS_PER_MONTH = 365.25 / 12
# Contact-time distribution (months): the buckets the chart shows.
CONTACT_BUCKETS = [(0, 6), (6, 12), (12, 24), (24, 36), (36, None)]


class DaysBetween(Func):
    """Whole days from the second date to the first (NULL when either is NULL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, later: Any, earlier: Any, **extra: Any) -> None:
        super().__init__(later, earlier, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the same linear interpolation as `_quantile` below."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def summary(qs: QuerySet, field: str) -> dict:
    """n, mean, median, quartiles, min and max of one annotated number, with no rows loaded.

    On PostgreSQL one aggregate query with percentile_cont (the annotation, often a subquery per
    row, is computed once: bench/README.md). Elsewhere one aggregate query, then the middle and
    quartile values fetched by offset (1-2 rows each).
    """
    if connections[qs.db].vendor != "postgresql":
        return _summary_by_offset(qs, field)
    return _summary_from(qs.aggregate(**_summary_aggregates(field)), field)


SUMMARY_KEYS = ("n", "mean", "min", "max", "median", "p25", "p75")


def _summary_aggregates(field: str) -> dict:
    """The aggregates of one summary on PostgreSQL, named `<field>__<key>`."""
    aggregates = {
        f"{field}__n": Count(field),
        f"{field}__mean": Avg(field),
        f"{field}__min": Min(field),
        f"{field}__max": Max(field),
    }
    for key, fraction in (("median", 0.5), ("p25", 0.25), ("p75", 0.75)):
        aggregates[f"{field}__{key}"] = PercentileCont(field, fraction)
    return aggregates


def _summary_from(agg: dict, field: str) -> dict:
    return {key: agg[f"{field}__{key}"] for key in SUMMARY_KEYS}


def _summary_by_offset(qs: QuerySet, field: str) -> dict:
    aggregates = {"n": Count(field), "mean": Avg(field), "low": Min(field), "high": Max(field)}
    agg = qs.aggregate(**aggregates)
    n = agg["n"]
    result = {"n": n, "mean": agg["mean"], "min": agg["low"], "max": agg["high"]}
    ordered = qs.filter(**{f"{field}__isnull": False}).order_by(field).values_list(field, flat=True)
    result["median"] = _quantile(ordered, n, 0.5)
    result["p25"] = _quantile(ordered, n, 0.25)
    result["p75"] = _quantile(ordered, n, 0.75)
    return result


def _quantile(ordered: QuerySet, n: int, q: float) -> float | None:
    """Linear interpolation between the two closest ranks (as `statistics.quantiles` inclusive)."""
    if not n:
        return None
    position = (n - 1) * q
    low = int(position)
    values = list(ordered[low : low + 2])
    if len(values) == 1 or position == low:
        return float(values[0])
    return values[0] + (values[1] - values[0]) * (position - low)


def _by(qs: QuerySet, field: str) -> dict:
    # count(*), not count(id): then an index holding the filtered and grouped columns answers
    # alone (bench/README.md: the visit figures read 60,000 table pages for the ids).
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("*")).order_by()}


# Intakes


def intakes(start: datetime.date, end: datetime.date) -> QuerySet:
    return Intake.objects.filter(received_on__range=(start, end))


def intakes_by_source(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Intakes received in the period, by who made contact."""
    return _by(intakes(start, end), "source")


def intakes_by_channel(start: datetime.date, end: datetime.date) -> dict[str, int]:
    return _by(intakes(start, end), "channel")


def intake_outcomes(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Intakes received in the period by outcome; still-open intakes under "open"."""
    counts = _by(intakes(start, end).filter(status=IntakeStatus.CLOSED), "outcome")
    counts["open"] = intakes(start, end).filter(status=IntakeStatus.OPEN).count()
    return counts


def not_offered(start: datetime.date, end: datetime.date) -> int:
    """Closed intakes that did not lead to an assessment talk: not offered support."""
    return (
        intakes(start, end)
        .filter(status=IntakeStatus.CLOSED)
        .exclude(outcome=IntakeOutcome.TALK_OFFERED)
        .count()
    )


def referred_to(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Intakes closed as referred elsewhere, by the service they were referred to."""
    qs = intakes(start, end).filter(outcome=IntakeOutcome.REFERRED)
    return {
        row["referred_to__name"] or "": row["n"]
        for row in qs.values("referred_to__name").annotate(n=Count("*")).order_by()
    }


LEAD_STEPS = ("talk", "decision", "start")


def intake_lead_times(start: datetime.date, end: datetime.date) -> dict[str, dict]:
    """Days from an intake received in the period to its first talk, decision and start."""
    return {step: intake_lead_time(start, end, step) for step in LEAD_STEPS}


def intake_lead_time(start: datetime.date, end: datetime.date, step: str) -> dict:
    """Days from an intake received in the period to the first talk, decision or start (`step`)
    of its case on or after the intake's day.

    Read from the view `reports.IntakeStep` (one query; the view joins on the case id without
    reading the case table). Events dated before the period cannot follow an intake in it, so
    only events from its start are read.
    """
    from reports.models import IntakeStep

    per_intake = (
        IntakeStep.objects.filter(step=step, received_on__range=(start, end))
        .filter(happened_on__gte=start)
        .values("intake_id")
        .annotate(days=DaysBetween(Min("happened_on"), Min("received_on")))
        .order_by()
    )
    return summary(per_intake, "days")


# People: new per year, decisions, ongoing


def first_starts(start: datetime.date, end: datetime.date) -> QuerySet:
    """Accepted orders in the period with no earlier accepted order of the same person.

    Read from the orders of the period only (an anti-join on the earlier ones), so a yearly
    report does not visit every person ever registered.
    """
    earlier = Order.objects.filter(
        person=OuterRef("person"),
        accepted_on__isnull=False,
        accepted_on__lt=OuterRef("accepted_on"),
    )
    return Order.objects.filter(accepted_on__range=(start, end)).exclude(Exists(earlier)).order_by()


def new_people_per_year(start: datetime.date, end: datetime.date) -> dict[int, int]:
    """People whose first start of support (first accepted order) falls in the period, by year."""
    rows = (
        first_starts(start, end)
        .annotate(year=ExtractYear("accepted_on"))
        .values("year")
        .annotate(n=Count("person", distinct=True))
        .order_by("year")
    )
    return {row["year"]: row["n"] for row in rows}


def new_people_by_source(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The same people by the source of their first intake (blank: no intake recorded)."""
    source = Subquery(
        Intake.objects.filter(person=OuterRef("person"))
        .order_by("received_on", "created_at")
        .values("source")[:1]
    )
    rows = (
        first_starts(start, end)
        .annotate(src=source)
        .values("src")
        .annotate(n=Count("person", distinct=True))
    )
    return {row["src"] or "": row["n"] for row in rows}


def people_with_decision(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """People with at least one decision in the period; of them, how many had more than one."""
    per_person = (
        Decision.objects.filter(decided_on__range=(start, end))
        .values("person")
        .annotate(n=Count("*"))
        .order_by()
    )
    agg = per_person.aggregate(people=Count("person"), several=Count("person", filter=Q(n__gt=1)))
    return {"people": agg["people"], "more_than_one": agg["several"]}


def in_force_on(on_date: datetime.date) -> Q:
    """A granted decision in force on the date, its case not closed by then, and not yet
    replaced by a change or renewal of it."""
    return (
        Q(outcome__in=GRANTED)
        & ~replaced_on(on_date)
        & Q(decided_on__lte=on_date)
        & (Q(period_from__isnull=True) | Q(period_from__lte=on_date))
        & (Q(period_to__isnull=True) | Q(period_to__gte=on_date))
        & (Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=on_date))
        & not_ended_by(on_date)
    )


def ongoing_decisions(on_date: datetime.date) -> int:
    """People with a granted decision in force on the date."""
    return Decision.objects.filter(in_force_on(on_date)).aggregate(
        n=Count("person", distinct=True)
    )["n"]


def people_in_support(start: datetime.date, end: datetime.date) -> int:
    """People whose support (a start on or before the end, case not closed before the start)
    overlaps the period."""
    return (
        Order.objects.filter(accepted_on__lte=end)
        .filter(Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=start))
        .aggregate(n=Count("person", distinct=True))["n"]
    )


# Contact time: from a case's first start of support (its earliest order accepted by the
# provider) to its closure, or to a date for a case still in support. Defined here once; the
# capacity forecast (`reports.capacity`) draws its contact times from the same definition.


def contact_days(qs: QuerySet, end_expression: Combinable) -> QuerySet:
    """Cases annotated with `first_start` and `days` (from the first start to `end_expression`)."""
    # A grouped join, not a subquery per case: the aggregates over it then run as one
    # `GROUP BY case` inside (bench/README.md: 10-24 times faster than the correlated form).
    return qs.annotate(first_start=Min("orders__accepted_on")).annotate(
        days=DaysBetween(end_expression, "first_start")
    )


def ended_contacts(start: datetime.date, end: datetime.date) -> QuerySet:
    """Cases closed in the period after support started, with their contact days."""
    qs = Case.objects.filter(closed_on__range=(start, end))
    return contact_days(qs, F("closed_on")).filter(first_start__isnull=False)


def contact_time_ended(start: datetime.date, end: datetime.date) -> dict:
    """Days from first start to closure for cases closed in the period."""
    return summary(ended_contacts(start, end), "days")


def contact_time_distribution(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The ended contacts by length in months (buckets of CONTACT_BUCKETS)."""
    return ended_contacts(start, end).aggregate(**_bucket_aggregates())


def _bucket_aggregates() -> dict:
    aggregates = {}
    for low, high in CONTACT_BUCKETS:
        condition = Q(days__gte=low * DAYS_PER_MONTH)
        if high is not None:
            condition &= Q(days__lt=high * DAYS_PER_MONTH)
        aggregates[bucket_key(low, high)] = Count("pk", filter=condition)
    return aggregates


def ended_contact_figures(start: datetime.date, end: datetime.date) -> tuple[dict, dict[str, int]]:
    """`contact_time_ended` and `contact_time_distribution` together: on PostgreSQL one query
    over the ended contacts instead of two (the report needs both)."""
    qs = ended_contacts(start, end)
    if connections[qs.db].vendor != "postgresql":
        return contact_time_ended(start, end), contact_time_distribution(start, end)
    buckets = _bucket_aggregates()
    agg = qs.aggregate(**_summary_aggregates("days"), **buckets)
    return _summary_from(agg, "days"), {key: agg[key] for key in buckets}


def bucket_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}-"


def started_contacts(start: datetime.date, end: datetime.date) -> QuerySet:
    """Cases whose first start of support falls in the period, with their contact days to
    closure (NULL while still in support): a cohort, as the review's "those who started
    2010–2015"."""
    return contact_days(Case.objects.all(), F("closed_on")).filter(first_start__range=(start, end))


def contact_time_started(start: datetime.date, end: datetime.date) -> dict:
    """Days from first start to closure for the cases that started in the period (counted
    whenever they closed); `ongoing`: how many of them are still in support."""
    qs = started_contacts(start, end)
    result = summary(qs, "days")
    result["ongoing"] = qs.filter(closed_on__isnull=True).count()
    return result


def contact_time_ongoing(on_date: datetime.date) -> dict:
    """Days so far for cases in support on the date (started, not closed by then)."""
    from django.db.models import Value
    from django.db.models.fields import DateField

    qs = Case.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on_date))
    contacts = contact_days(qs, Value(on_date, output_field=DateField()))
    return summary(contacts.filter(first_start__lte=on_date), "days")


# Decisions and appeals


def decisions_by_outcome(start: datetime.date, end: datetime.date) -> dict[str, int]:
    return _by(Decision.objects.filter(decided_on__range=(start, end)), "outcome")


def decisions_by_kind(start: datetime.date, end: datetime.date) -> dict[str, int]:
    return _by(Decision.objects.filter(decided_on__range=(start, end)), "kind")


def appeals_by_status(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Appeals received in the period, by where they stand."""
    return _by(Appeal.objects.filter(received_on__range=(start, end)), "status")


def appeal_judgments(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Judgments given in the period, by result."""
    qs = Appeal.objects.filter(judgment_on__range=(start, end)).exclude(judgment="")
    return _by(qs, "judgment")


def appeals_in_time(start: datetime.date, end: datetime.date) -> dict[str, int]:
    agg = Appeal.objects.filter(received_on__range=(start, end)).aggregate(
        n_in_time=Count("pk", filter=Q(in_time=True)), n_late=Count("pk", filter=Q(in_time=False))
    )
    return {"in_time": agg["n_in_time"], "late": agg["n_late"]}


# Staff work


def _with_names(rows: list[dict]) -> list[dict]:
    """Rows counted per staff member (`user_id`), given the staff member's display name and
    sorted by it. The names are read after the counting, in one query: taking them in the
    counting query joined the user table to every visit (2.1 times the floor over all years)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(AnyOf(F("pk"), [row["user_id"] for row in rows]))
    names = {
        user["pk"]: f"{user['first_name']} {user['last_name']}".strip() or user["username"]
        for user in users.values("pk", "first_name", "last_name", "username")
    }
    for row in rows:
        row["name"] = names.get(row["user_id"], "")
    return sorted(rows, key=lambda row: (row["name"], row["user_id"] or 0))


def caseload_per_coordinator(on_date: datetime.date) -> list[dict]:
    """Cases per coordinator assigned to them on the date: the assignments in force that day
    (`people.staffing.caseloads_on`, which the manager's capacity page uses for a past date)."""
    loads = staffing.caseloads_on(on_date)
    return _with_names([{"user_id": user_id, "cases": n} for user_id, n in loads.items()])


def weeks_in(start: datetime.date, end: datetime.date) -> float:
    return ((end - start).days + 1) / 7


def _instants(start: datetime.date, end: datetime.date) -> dict:
    """A filter on `planned_at` for the local days start..end, as a range of instants, so that
    the index on planned_at serves it (`__date` would convert every row's time first)."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return {"planned_at__gte": first, "planned_at__lt": after}


def visits_per_coordinator(start: datetime.date, end: datetime.date) -> list[dict]:
    """Individual visits held in the period per staff member who registered them, per week."""
    rows = (
        Visit.objects.filter(
            kind=VisitKind.VISIT,
            status=VisitStatus.HELD,
            **_instants(start, end),
        )
        .values(user_id=F("created_by_id"))
        .annotate(visits=Count("*"))
        .order_by()
    )
    weeks = weeks_in(start, end)
    return _with_names([{**row, "per_week": row["visits"] / weeks} for row in rows])


def visits_by_status(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Individual visits planned for the period, by what became of them (cancellations)."""
    qs = Visit.objects.filter(kind=VisitKind.VISIT, **_instants(start, end))
    return _by(qs, "status")


# Groups and meeting places


def held_sessions(start: datetime.date, end: datetime.date) -> QuerySet:
    """Sessions in the period that took place: not cancelled, and attendance taken.

    A session whose attendance is not recorded (later today, next week, or forgotten) has no
    number present: counted as held it would show "0 present" and pull the mean down.
    """
    taken = Attendance.objects.filter(session=OuterRef("pk"))
    return GroupSession.objects.filter(date__range=(start, end), cancelled=False).filter(
        Exists(taken)
    )


def group_attendance(start: datetime.date, end: datetime.date) -> dict:
    """Sessions held in the period and the number present per session: mean, min, max."""
    sessions = held_sessions(start, end).annotate(
        present=Count("attendance", filter=Q(attendance__present=True))
    )
    agg = sessions.aggregate(
        sessions=Count("pk"), mean=Avg("present"), low=Min("present"), high=Max("present")
    )
    in_period = GroupSession.objects.filter(date__range=(start, end))
    counts = in_period.aggregate(
        n_cancelled=Count("pk", filter=Q(cancelled=True)),
        n_planned=Count("pk", filter=Q(cancelled=False)),
    )
    not_recorded = counts["n_planned"] - agg["sessions"]
    return {**agg, "cancelled": counts["n_cancelled"], "not_recorded": not_recorded}


def group_attendance_distribution(start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Number of sessions by how many were present (for the distribution chart)."""
    present = Subquery(
        Attendance.objects.filter(session=OuterRef("pk"), present=True)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        held_sessions(start, end)
        .annotate(present=present)
        .values("present")
        .annotate(n=Count("pk"))
        .order_by("present")
    )
    return {row["present"] or 0: row["n"] for row in rows}


def head_counts(start: datetime.date, end: datetime.date) -> list[dict]:
    """Anonymous head counts per meeting place and activity in the period."""
    bands = {field: Sum(field) for field, _label in AGE_BANDS}
    rows = (
        HeadCount.objects.filter(date__range=(start, end))
        .values("activity__meeting_place__name", "activity__name")
        .annotate(
            days=Count("pk"),
            visitors=Sum("count"),
            mean=Avg("count"),
            low=Min("count"),
            high=Max("count"),
            **bands,
        )
        .order_by("activity__meeting_place__name", "activity__name")
    )
    return [
        {
            "place": row["activity__meeting_place__name"],
            "activity": row["activity__name"],
            "days": row["days"],
            "visitors": row["visitors"],
            "mean": row["mean"],
            "min": row["low"],
            "max": row["high"],
            "bands": {field: row[field] for field, _label in AGE_BANDS},
        }
        for row in rows
    ]


# After support: closure and follow-ups at 6 and 12 months


def closures(start: datetime.date, end: datetime.date) -> QuerySet:
    return Closure.objects.filter(closed_on__range=(start, end))


def closure_reasons(start: datetime.date, end: datetime.date) -> dict[str, int]:
    return _by(closures(start, end), "reason")


def situation_after(
    start: datetime.date, end: datetime.date, field: str
) -> dict[str, dict[str, int]]:
    """For closures in the period: `field` (occupation or isolation) at closure, 6 and 12 months.

    The follow-ups are those of the same closures (one cohort followed over time); only done
    follow-ups carry a situation.
    """
    result = {"closure": _by(closures(start, end), field), "after_6": {}, "after_12": {}}
    rows = (
        FollowUp.objects.filter(
            closure__closed_on__range=(start, end),
            status=FollowUpStatus.DONE,
            months__in=(6, 12),
        )
        .values("months", field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        result[f"after_{row['months']}"][row[field]] = row["n"]
    return result


def follow_up_status(start: datetime.date, end: datetime.date) -> dict[str, dict[str, int]]:
    """For closures in the period: consent (unknown: history that never recorded it), and each
    follow-up's status."""
    consent = closures(start, end).aggregate(
        consented=Count("pk", filter=Q(follow_up_consent=True)),
        not_consented=Count("pk", filter=Q(follow_up_consent=False)),
        unknown=Count("pk", filter=Q(follow_up_consent__isnull=True)),
    )
    rows = (
        FollowUp.objects.filter(closure__closed_on__range=(start, end))
        .values("months", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = {"consent": consent, "after_6": {}, "after_12": {}}
    for row in rows:
        result.setdefault(f"after_{row['months']}", {})[row["status"]] = row["n"]
    return result


def first_day_of_data() -> datetime.date | None:
    """The earliest date any record the report counts holds (for the "all years" preset).

    Every dated record counts: a meeting place may have head counts years before any intake.
    """
    from instruments.models import Response

    dates = [
        Intake.objects.aggregate(d=Min("received_on"))["d"],
        Decision.objects.aggregate(d=Min("decided_on"))["d"],
        Order.objects.aggregate(d=Min("accepted_on"))["d"],
        Appeal.objects.aggregate(d=Min("received_on"))["d"],
        Closure.objects.aggregate(d=Min("closed_on"))["d"],
        GroupSession.objects.aggregate(d=Min("date"))["d"],
        HeadCount.objects.aggregate(d=Min("date"))["d"],
        Response.objects.aggregate(d=Min("administered_on"))["d"],
    ]
    first_visit = Visit.objects.aggregate(d=Min("planned_at"))["d"]
    if first_visit is not None:
        dates.append(timezone.localdate(first_visit))
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None

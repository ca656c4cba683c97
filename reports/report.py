"""The whole statistics report as plain data, for the page, the CSV and Excel files and the API.

`build_report(start, end, on_date)` calls each figure of `reports/figures.py` once and lays the
results out as tables: rows of labelled values, a total where the cells add up to one, the
figure of the review's "Statistik" section it answers (`source`), and its definition (`note`).
With `suppress=True` (analysts) every count of people is rounded to base 5 and statistics over
fewer than five people are hidden (reports/suppression.py).
"""

from __future__ import annotations

import contextvars
import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import replica
from decisions.models import AppealStatus, DecisionKind, Judgment, Outcome
from delivery.models import VisitStatus
from groups.models import AGE_BANDS
from intake.models import Channel, IntakeOutcome, Source
from provision.models import ClosureReason, FollowUpStatus, Isolation, Occupation
from reports import figures, outcomes, parallel
from reports.suppression import HIDDEN, is_hidden, is_small, rounded

T = TypeVar("T")

if TYPE_CHECKING:
    pass

# The review's wording (seeds, "Statistik" and "Arbetsätt"), quoted as the source of a figure.
SEEDS = {
    "not_offered": "Det finns också brister i statistiken för antalet personer som inte "
    "erbjuds insats.",
    "started": "Mellan åren 2010 och 2015 fick 58 personer insats från verksamheten […] "
    "Det motsvarar ungefär 9,6 nya deltagare per år.",
    "contact_time": "med en genomsnittlig kontakttid på 19 månader per person.",
    "source": "cirka en tredjedel kom via psykiatrin. Andra remitteringsvägar inkluderade "
    "kommunala verksamheter, anhöriga, vårdcentraler, Försäkringskassan och i vissa fall "
    "självinitierade kontakter.",
    "decisions": "Sedan år 2022 har 44 brukare fått beslut om insatsen Hikikomori, cirka "
    "hälften av dessa brukare har haft mer än ett beslut.",
    "ongoing": "För närvarande, november 2024, är det 16 personer som har ett pågående beslut.",
    "follow_up": "det saknas långsiktig uppföljning. Detta gör det svårt att analysera vad "
    "som händer med brukarna efter avslutad kontakt med verksamheten.",
    "caseload": "Varje medarbetare ansvarar i dagsläget för 5–8 brukare och har 5–6 "
    "individuella besök per vecka.",
    "groups": "Antalet deltagare vid dessa aktiviteter varierar mellan 2–6 brukare. […] "
    "tidigare deltog vanligtvis mellan 1–5 personer.",
}

STAT_ROWS = ["n", "mean", "median", "p25", "p75", "min", "max"]


def stat_labels() -> dict[str, str]:
    return {
        "n": _("Number counted"),
        "mean": _("Mean"),
        "median": _("Median"),
        "p25": _("Lower quartile"),
        "p75": _("Upper quartile"),
        "min": _("Shortest"),
        "max": _("Longest"),
    }


def _exact(value: Any) -> Any:
    return value


def _round(value: Any, digits: int = 1) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def table(
    key: str,
    title: object,
    columns: Iterable[object],
    rows: Iterable[tuple[object, object, Iterable[object]]],
    *,
    total: Iterable[object] | None = None,
    sensitive: bool = True,
    source: str = "",
    note: object = "",
    chart: str = "",
    total_keys: Iterable[object] = (),
    kind: str = "counts",
) -> dict:
    """rows: [(key, label, [values])]; total: [values] or None (the column sums).

    total_keys name, per column, the population a total counts, so that a total hidden in one
    table is hidden in every table showing the same population.
    """
    return {
        "total_keys": list(total_keys),
        "key": key,
        "title": title,
        "columns": [str(c) for c in columns],
        "rows": [{"key": k, "label": str(label), "values": list(v)} for k, label, v in rows],
        "total": {"label": _("Total"), "values": list(total)} if total is not None else None,
        "sensitive": sensitive,
        "source": SEEDS.get(source, ""),
        "note": str(note),
        "chart": chart,
        "kind": kind,
    }


def counts_table(
    key: str,
    title: object,
    counts: dict,
    choices: Iterable[tuple[Any, Any]],
    *,
    extra: Iterable[tuple[Any, Any]] = (),
    **options: Any,
) -> dict:
    """One column of counts by a choice field, in the choices' order, with a total."""
    rows = [(value, label, [counts.get(value, 0)]) for value, label in choices]
    rows += [(value, label, [counts.get(value, 0)]) for value, label in extra]
    rows += [
        (value, value or _("Not recorded"), [n])
        for value, n in counts.items()
        if value not in {r[0] for r in rows}
    ]
    total = sum(counts.values())
    return table(key, title, [_("Count")], rows, total=[total], **options)


def stats_table(
    key: str,
    title: object,
    columns: list[str],
    summaries: list[dict],
    *,
    unit: float = 1.0,
    scores: bool = False,
    **options: Any,
) -> dict:
    """Statistics (rows) of one or more numbers (columns), divided by `unit` (days → months)."""
    labels = stat_labels()
    if scores:
        labels.update(min=_("Lowest"), max=_("Highest"))
    rows = []
    # Median and quartiles are not computed for instrument scores: no empty rows for them.
    stats = [s for s in STAT_ROWS if s not in ("median", "p25", "p75")] if scores else STAT_ROWS
    for stat in stats:
        values = []
        for summary in summaries:
            value = summary.get(stat)
            if stat != "n" and value is not None:
                value = _round(value / unit)
            values.append(value)
        rows.append((stat, labels[stat], values))
    return table(key, title, columns, rows, kind="stats", **options)


# Figures computed beforehand, side by side (build_report), keyed by function and arguments.
_computed: contextvars.ContextVar[dict | None] = contextvars.ContextVar("computed", default=None)


def _figure(function: Callable[..., T], *args: Any) -> T:
    """A figure, from those computed beforehand for this report if it is among them."""
    computed = _computed.get()
    if computed is None:
        return function(*args)
    key = (function.__name__, args)
    if key not in computed:
        raise LookupError(f"{function.__name__}{args} is read but not declared (`reads`)")
    return computed[key]


def instrument_tables(start: datetime.date, end: datetime.date) -> list[dict]:
    return outcomes.instrument_tables(start, end, table=table, stats_table=stats_table)


# What a section declares it reads: (start, end, on_date) -> [(function, *args), ...].
FiguresRead = Callable[[datetime.date, datetime.date, datetime.date], list[tuple[Any, ...]]]
SectionT = TypeVar("SectionT", bound=Callable[..., dict])


class Section(Protocol):
    """A section declared with `reads`, which names its figures on the function."""

    figures_read: FiguresRead

    def __call__(self, *args: Any, **kwargs: Any) -> dict: ...


def reads(figures_read: FiguresRead) -> Callable[[SectionT], SectionT]:
    """Declare the figures a section reads: `figures_read(start, end, on_date)` gives them as
    (function, *args), exactly as the section passes them to `_figure`. `figure_calls` derives
    from these declarations the list counted beforehand; a section reading a figure it does not
    declare fails (see `_figure`)."""

    def decorator(section: SectionT) -> SectionT:
        declared = cast(Section, section)
        declared.figures_read = figures_read
        SECTIONS.append(declared)
        return section

    return decorator


SECTIONS: list[Section] = []  # filled by `reads`, in the report's order


def _slowest_first() -> tuple[Callable[..., Any], ...]:
    """The slowest figures (bench/README.md), so that the connections side by side finish at
    about the same time; the rest follow in the sections' order."""
    return (
        figures.intake_lead_time,
        figures.visits_per_coordinator,
        figures.visits_by_status,
        figures.contact_time_ongoing,
        figures.new_people_by_source,
        figures.people_in_support,
        figures.ended_contact_figures,
        figures.contact_time_started,
        figures.ongoing_decisions,
        figures.caseload_per_coordinator,
        instrument_tables,
    )


def figure_calls(
    start: datetime.date, end: datetime.date, on_date: datetime.date
) -> list[tuple[Any, ...]]:
    """Every figure the sections read, each once: (function, *args), the slowest first."""
    calls: list[tuple[Any, ...]] = []
    for section in SECTIONS:
        for call in section.figures_read(start, end, on_date):
            if call not in calls:
                calls.append(call)
    rank = {function.__name__: i for i, function in enumerate(_slowest_first())}
    return sorted(calls, key=lambda call: rank.get(call[0].__name__, len(rank)))


# Sections


@reads(
    lambda start, end, on_date: [
        (figures.intake_outcomes, start, end),
        (figures.not_offered, start, end),
        *((figures.intake_lead_time, start, end, step) for step in figures.LEAD_STEPS),
        (figures.referred_to, start, end),
        (figures.intakes_by_source, start, end),
        (figures.intakes_by_channel, start, end),
    ]
)
def intake_section(start: datetime.date, end: datetime.date) -> dict:
    by_outcome = _figure(figures.intake_outcomes, start, end)
    not_offered = _figure(figures.not_offered, start, end)
    by_outcome.setdefault(IntakeOutcome.TALK_OFFERED, 0)
    lead = {
        step: _figure(figures.intake_lead_time, start, end, step) for step in figures.LEAD_STEPS
    }
    referred = _figure(figures.referred_to, start, end)
    outcome_choices = list(IntakeOutcome.choices) + [("open", _("Still open"))]
    return {
        "key": "intake",
        "title": _("Intakes"),
        "tables": [
            counts_table(
                "intake_source",
                _("Intakes by source"),
                _figure(figures.intakes_by_source, start, end),
                Source.choices,
                note=_("Intakes received in the period, by who made contact."),
                total_keys=["intakes"],
                chart="bars",
            ),
            counts_table(
                "intake_channel",
                _("Intakes by channel"),
                _figure(figures.intakes_by_channel, start, end),
                Channel.choices,
                note=_("Intakes received in the period, by how contact was made."),
                total_keys=["intakes"],
            ),
            counts_table(
                "intake_outcome",
                _("Outcome of the intakes"),
                by_outcome,
                outcome_choices,
                note=_(
                    "Intakes received in the period, by the outcome recorded when closed. Every "
                    "outcome except an assessment talk means the person was not offered support."
                ),
                source="not_offered",
                total_keys=["intakes"],
            ),
            table(
                "not_offered",
                _("Not offered support"),
                [_("Count")],
                [("not_offered", _("Not offered support"), [not_offered])],
                source="not_offered",
                note=_(
                    "Closed intakes with any outcome except an assessment talk; the reasons are "
                    "the outcomes above and the services referred to below."
                ),
            ),
            counts_table(
                "referred_to",
                _("Referred to"),
                referred,
                [],
                note=_("Intakes closed as referred elsewhere, by the service referred to."),
            ),
            stats_table(
                "intake_lead_times",
                _("Days from intake to talk, decision and start"),
                [_("To assessment talk"), _("To first decision"), _("To start of support")],
                [lead["talk"], lead["decision"], lead["start"]],
                note=_(
                    "For intakes received in the period: days to the first assessment talk of "
                    "the intake, the first decision and the first accepted order of its case on "
                    "or after the day of the intake. Intakes that never got there are not counted."
                ),
            ),
        ],
    }


def years_between(start: datetime.date, end: datetime.date) -> float:
    return ((end - start).days + 1) / 365.25


@reads(
    lambda start, end, on_date: [
        (figures.new_people_per_year, start, end),
        (figures.people_with_decision, start, end),
        (figures.new_people_by_source, start, end),
        (figures.ongoing_decisions, on_date),
        (figures.people_in_support, start, end),
    ]
)
def people_section(
    start: datetime.date,
    end: datetime.date,
    on_date: datetime.date,
    *,
    publish: Callable[[Any], Any] = _exact,
) -> dict:
    per_year = _figure(figures.new_people_per_year, start, end)
    years = list(range(start.year, end.year + 1))
    total = sum(per_year.values())
    decisions = _figure(figures.people_with_decision, start, end)
    several = decisions["more_than_one"]
    source_choices = list(Source.choices) + [("", _("No intake recorded"))]
    return {
        "key": "people",
        "title": _("People in support and decisions"),
        "tables": [
            table(
                "new_per_year",
                _("New people per year (first start of support)"),
                [_("People")],
                [(str(y), str(y), [per_year.get(y, 0)]) for y in years],
                total=[total],
                source="started",
                note=_(
                    "People whose first start of support (the first order a provider accepted) "
                    "falls in the period, by year. Mean per year: %(mean)s over %(years)s years."
                )
                % {
                    # From the published total: the exact one would undo its rounding.
                    "mean": number_format(publish(total) / years_between(start, end), 1),
                    "years": number_format(years_between(start, end), 1),
                },
                chart="bars",
                total_keys=["started"],
            ),
            counts_table(
                "new_by_source",
                _("New people by source of their first intake"),
                _figure(figures.new_people_by_source, start, end),
                source_choices,
                source="source",
                note=_("The same people, by who made contact in their first recorded intake."),
                total_keys=["started"],
                chart="bars",
            ),
            table(
                "people_with_decision",
                _("People with a decision in the period"),
                [_("People")],
                [
                    ("one", _("One decision"), [decisions["people"] - several]),
                    ("more_than_one", _("More than one decision"), [several]),
                ],
                total=[decisions["people"]],
                source="decisions",
                note=_("People with at least one decision (any outcome) dated in the period."),
            ),
            table(
                "ongoing_decisions",
                _("People with an ongoing decision on %(date)s") % {"date": on_date.isoformat()},
                [_("People")],
                [("ongoing", _("Ongoing decision"), [_figure(figures.ongoing_decisions, on_date)])],
                source="ongoing",
                note=_(
                    "People with a granted or partly granted decision whose period includes the "
                    "date and whose case was not closed by then."
                ),
            ),
            table(
                "people_in_support",
                _("People in support during the period"),
                [_("People")],
                [("in_support", _("In support"), [_figure(figures.people_in_support, start, end)])],
                note=_("People whose support (first start to closure) overlaps the period."),
            ),
        ],
    }


@reads(
    lambda start, end, on_date: [
        (figures.ended_contact_figures, start, end),
        (figures.contact_time_ongoing, on_date),
        (figures.contact_time_started, start, end),
    ]
)
def contact_section(start: datetime.date, end: datetime.date, on_date: datetime.date) -> dict:
    month = figures.DAYS_PER_MONTH
    ended, buckets = _figure(figures.ended_contact_figures, start, end)
    ongoing = _figure(figures.contact_time_ongoing, on_date)
    started = _figure(figures.contact_time_started, start, end)
    bucket_rows = []
    for low, high in figures.CONTACT_BUCKETS:
        key = figures.bucket_key(low, high)
        label = (
            _("%(low)s–%(high)s months") % {"low": low, "high": high}
            if high is not None
            else _("%(low)s months or more") % {"low": low}
        )
        bucket_rows.append((key, label, [buckets[key]]))
    return {
        "key": "contact",
        "title": _("Contact time"),
        "tables": [
            stats_table(
                "contact_time_ended",
                _("Contact time of cases closed in the period (months)"),
                [_("Months")],
                [ended],
                unit=month,
                source="contact_time",
                note=_(
                    "From the first start of support of the case to its closure, in months "
                    "(days divided by 30.44)."
                ),
                total_keys=["ended"],
            ),
            table(
                "contact_time_distribution",
                _("Contact time of cases closed in the period, distribution"),
                [_("Cases")],
                bucket_rows,
                total=[ended["n"]],
                chart="bars",
                note=_("The same cases by length of contact."),
                total_keys=["ended"],
            ),
            stats_table(
                "contact_time_ongoing",
                _("Contact time so far of cases ongoing on %(date)s (months)")
                % {"date": on_date.isoformat()},
                [_("Months")],
                [ongoing],
                unit=month,
                note=_("Cases started and not closed on the date: months from start to the date."),
            ),
            stats_table(
                "contact_time_started",
                _("Contact time of cases that started in the period (months)"),
                [_("Months")],
                [started],
                unit=month,
                source="contact_time",
                note=_(
                    "The cases whose first start of support falls in the period, from that start "
                    "to their closure, whenever it came. Cases still in support are not counted "
                    "here; the next table says how many there are."
                ),
            ),
            table(
                "contact_time_started_ongoing",
                _("Cases that started in the period and are still in support"),
                [_("Cases")],
                [("ongoing", _("Still in support"), [started["ongoing"]])],
                note=_(
                    "Not counted in the contact time above. No total is shown, so that a "
                    "suppressed count cannot be worked out from it."
                ),
            ),
        ],
    }


@reads(
    lambda start, end, on_date: [
        (figures.decisions_by_outcome, start, end),
        (figures.decisions_by_kind, start, end),
        (figures.appeals_by_status, start, end),
        (figures.appeals_in_time, start, end),
        (figures.appeal_judgments, start, end),
    ]
)
def decisions_section(start: datetime.date, end: datetime.date) -> dict:
    return {
        "key": "decisions",
        "title": _("Decisions and appeals"),
        "tables": [
            counts_table(
                "decision_outcome",
                _("Decisions by outcome"),
                _figure(figures.decisions_by_outcome, start, end),
                Outcome.choices,
                note=_("Decisions dated in the period."),
                chart="bars",
            ),
            counts_table(
                "decision_kind",
                _("Decisions by kind"),
                _figure(figures.decisions_by_kind, start, end),
                DecisionKind.choices,
                note=_("New decisions, renewals and changes dated in the period."),
            ),
            counts_table(
                "appeal_status",
                _("Appeals by status"),
                _figure(figures.appeals_by_status, start, end),
                AppealStatus.choices,
                note=_("Appeals received in the period, by where they stand now."),
            ),
            counts_table(
                "appeal_in_time",
                _("Appeals received in time"),
                _figure(figures.appeals_in_time, start, end),
                [("in_time", _("In time")), ("late", _("Late"))],
                note=_("Appeals received in the period; three weeks from receipt (FL 44 §)."),
            ),
            counts_table(
                "appeal_judgment",
                _("Judgments"),
                _figure(figures.appeal_judgments, start, end),
                Judgment.choices,
                note=_("Judgments of the administrative court given in the period."),
            ),
        ],
    }


def staff_numbers(*row_lists: list[dict]) -> dict:
    """One number per staff member across the staff tables, in the order of their names.

    "Coordinator 2" in the caseload and in the visits is the same person, so an analyst can set
    one staff member's visits beside their caseload.
    """
    names: dict[object, str] = {}
    for rows in row_lists:
        for row in rows:
            names.setdefault(row["user_id"], row["name"] or "")
    ordered = sorted(names, key=lambda user_id: (names[user_id], str(user_id)))
    return {user_id: number for number, user_id in enumerate(ordered, start=1)}


def staff_labeller(named: bool) -> Callable[[int, dict], object]:
    """row, number -> the staff member's label (translated once: a table may hold thousands)."""
    unnamed, numbered = _("Unnamed"), _("Coordinator %(n)s")
    if named:
        return lambda number, row: row["name"] or unnamed
    return lambda number, row: numbered % {"n": number}


@reads(
    lambda start, end, on_date: [
        (figures.caseload_per_coordinator, on_date),
        (figures.visits_per_coordinator, start, end),
        (figures.visits_by_status, start, end),
    ]
)
def staff_section(
    start: datetime.date, end: datetime.date, on_date: datetime.date, *, named: bool
) -> dict:
    caseload = _figure(figures.caseload_per_coordinator, on_date)
    visits = _figure(figures.visits_per_coordinator, start, end)
    weeks = figures.weeks_in(start, end)
    numbers = staff_numbers(caseload, visits)
    staff_label = staff_labeller(named)
    return {
        "key": "staff",
        "title": _("Caseload and visits"),
        "tables": [
            table(
                "caseload",
                _("Caseload per coordinator on %(date)s") % {"date": on_date.isoformat()},
                [_("Open cases")],
                [
                    (
                        str(numbers[r["user_id"]]),
                        staff_label(numbers[r["user_id"]], r),
                        [r["cases"]],
                    )
                    for r in caseload
                ],
                # Cases are people: rounded for analysts like any count of people.
                source="caseload",
                note=_(
                    "Cases per coordinator assigned to them on the date (the assignment in "
                    "force that day, also for a past date)."
                ),
            ),
            table(
                "visits_per_week",
                _("Individual visits held per coordinator and week"),
                [_("Visits held"), _("Per week")],
                [
                    (
                        str(numbers[r["user_id"]]),
                        staff_label(numbers[r["user_id"]], r),
                        [r["visits"], _round(r["per_week"], 2)],
                    )
                    for r in visits
                ],
                sensitive=False,
                source="caseload",
                note=_(
                    "Individual visits with status held in the period, by the staff member who "
                    "registered them, divided by the %(weeks)s weeks of the period."
                )
                % {"weeks": number_format(weeks, 1)},
            ),
            counts_table(
                "visit_status",
                _("Individual visits and cancellations"),
                _figure(figures.visits_by_status, start, end),
                VisitStatus.choices,
                sensitive=False,
                note=_("Individual visits planned for the period, by what became of them."),
            ),
        ],
    }


@reads(
    lambda start, end, on_date: [
        (figures.group_attendance, start, end),
        (figures.group_attendance_distribution, start, end),
        (figures.head_counts, start, end),
    ]
)
def groups_section(start: datetime.date, end: datetime.date) -> dict:
    attendance = _figure(figures.group_attendance, start, end)
    distribution = _figure(figures.group_attendance_distribution, start, end)
    top = max([6, *distribution.keys()])
    places = _figure(figures.head_counts, start, end)
    return {
        "key": "groups",
        "title": _("Group activities and meeting places"),
        "tables": [
            table(
                "group_sessions",
                _("Group sessions and attendance"),
                [_("Value")],
                [
                    ("sessions", _("Sessions held"), [attendance["sessions"]]),
                    ("cancelled", _("Sessions cancelled"), [attendance["cancelled"]]),
                    (
                        "not_recorded",
                        _("Sessions without attendance recorded (not counted as held)"),
                        [attendance["not_recorded"]],
                    ),
                    ("mean", _("Present per session, mean"), [_round(attendance["mean"])]),
                    ("min", _("Present per session, fewest"), [attendance["low"]]),
                    ("max", _("Present per session, most"), [attendance["high"]]),
                ],
                sensitive=False,
                source="groups",
                note=_(
                    "Group sessions dated in the period. A session counts as held when it was not "
                    "cancelled and its attendance was recorded; present are the participants "
                    "marked present."
                ),
            ),
            table(
                "group_distribution",
                _("Sessions by number present"),
                [_("Sessions")],
                [(str(n), str(n), [distribution.get(n, 0)]) for n in range(top + 1)],
                total=[attendance["sessions"]],
                sensitive=False,
                chart="bars",
                note=_("How many sessions had each number of participants present."),
            ),
            table(
                "head_counts",
                _("Meeting places: anonymous head counts"),
                [_("Days counted"), _("Visitors"), _("Mean per day"), _("Fewest"), _("Most")]
                + [str(label) for _f, label in AGE_BANDS],
                [
                    (
                        str(i),
                        f"{row['place']} – {row['activity']}",
                        [row["days"], row["visitors"], _round(row["mean"]), row["min"], row["max"]]
                        + [row["bands"][field] for field, _l in AGE_BANDS],
                    )
                    for i, row in enumerate(places)
                ],
                sensitive=False,
                note=_(
                    "Head counts are anonymous numbers (no person is recorded), so they are shown "
                    "as counted. Age bands are counted only where staff noted them."
                ),
            ),
        ],
    }


@reads(
    lambda start, end, on_date: [
        (figures.situation_after, start, end, "occupation"),
        (figures.situation_after, start, end, "isolation"),
        (figures.follow_up_status, start, end),
        (figures.closure_reasons, start, end),
        (instrument_tables, start, end),
    ]
)
def after_section(
    start: datetime.date, end: datetime.date, *, publish: Callable[[Any], Any] = _exact
) -> dict:
    occupation = _figure(figures.situation_after, start, end, "occupation")
    isolation = _figure(figures.situation_after, start, end, "isolation")
    status = _figure(figures.follow_up_status, start, end)
    occasions = [
        ("closure", _("At closure")),
        ("after_6", _("6 months after")),
        ("after_12", _("12 months after")),
    ]
    return {
        "key": "after",
        "title": _("After support: closure and follow-up"),
        "tables": [
            counts_table(
                "closure_reason",
                _("Closures by reason"),
                _figure(figures.closure_reasons, start, end),
                ClosureReason.choices,
                note=_("Cases closed in the period."),
                source="follow_up",
                total_keys=["closures"],
            ),
            grid_table(
                "occupation",
                _("Occupation at closure and after"),
                occasions,
                occupation,
                Occupation.choices,
                source="follow_up",
                note=_(
                    "For the cases closed in the period: the occupation recorded at closure and "
                    "at the follow-ups done 6 and 12 months later."
                ),
                total_keys=["closures", "after_6", "after_12"],
            ),
            grid_table(
                "isolation",
                _("Isolation at closure and after"),
                occasions,
                isolation,
                Isolation.choices,
                source="follow_up",
                note=_("The same cohort: isolation at closure and at the follow-ups."),
                total_keys=["closures", "after_6", "after_12"],
            ),
            grid_table(
                "follow_up_status",
                _("Follow-ups of the cases closed in the period"),
                occasions[1:],
                status,
                FollowUpStatus.choices,
                note=_(
                    "Follow-ups are scheduled only with consent: %(yes)s consented, %(no)s did "
                    "not, for %(unknown)s it is unknown (history that never recorded it)."
                )
                % _consent(status["consent"], publish),
            ),
            *_figure(instrument_tables, start, end),
        ],
    }


def _consent(consent: dict, publish: Callable[[Any], Any]) -> dict:
    return {
        "yes": publish(consent["consented"]),
        "no": publish(consent["not_consented"]),
        "unknown": publish(consent.get("unknown", 0)),
    }


def grid_table(
    key: str,
    title: object,
    occasions: Iterable[tuple[Any, Any]],
    data: dict,
    choices: Iterable[tuple[Any, Any]],
    **options: Any,
) -> dict:
    """Rows are categories, columns occasions; each column sums to its own total."""
    rows = [
        (value, label, [data.get(occasion, {}).get(value, 0) for occasion, _l in occasions])
        for value, label in choices
    ]
    total = [sum(data.get(occasion, {}).values()) for occasion, _l in occasions]
    return table(key, title, [label for _o, label in occasions], rows, total=total, **options)


# Disclosure control (analysts)


def protect_table(tbl: dict) -> None:
    """Round every count of people in place, totals from their exact values; hide statistics
    over fewer than five people (reports/suppression.py)."""
    if not tbl["sensitive"]:
        return
    if tbl["kind"] == "stats":
        _protect_stats(tbl)
        return
    lines = tbl["rows"] + ([tbl["total"]] if tbl["total"] else [])
    for line in lines:
        line["values"] = [rounded(value) for value in line["values"]]


def _protect_stats(tbl: dict) -> None:
    """Statistics over fewer than five people would describe them: hide the column; the number
    counted is rounded like any count."""
    n_row = tbl["rows"][0]
    for col, n in enumerate(n_row["values"]):
        if is_small(n):
            for row in tbl["rows"][1:]:
                row["values"][col] = HIDDEN
        n_row["values"][col] = rounded(n)


def add_shares(tbl: dict) -> None:
    """A share column for one-column count tables, blank where the count is hidden."""
    if tbl["kind"] != "counts" or len(tbl["columns"]) != 1 or not tbl["total"]:
        return
    total = tbl["total"]["values"][0]
    tbl["columns"].append(_("Share (%)"))
    for row in tbl["rows"]:
        value = row["values"][0]
        share: object
        if is_hidden(value) or is_hidden(total):
            share = HIDDEN
        else:
            share = round(100 * value / total, 1) if total else None
        row["values"].append(share)
    tbl["total"]["values"].append(HIDDEN if is_hidden(total) else (100.0 if total else None))


def build_report(
    start: datetime.date,
    end: datetime.date,
    on_date: datetime.date | None = None,
    *,
    suppress: bool = True,
    named_staff: bool = False,
) -> dict:
    """The whole report for the period, with stock figures on `on_date` (default: `end`).

    Read on the replica when one is configured (core/replica.py): `as_of` is then the moment
    the figures hold (the replica's last replayed commit), else None (the primary, now)."""
    with replica.heavy_reads():
        as_of = replica.replayed_up_to()
        report = _build_report(start, end, on_date, suppress=suppress, named_staff=named_staff)
    return {**report, "as_of": as_of}


def _build_report(
    start: datetime.date,
    end: datetime.date,
    on_date: datetime.date | None,
    *,
    suppress: bool,
    named_staff: bool,
) -> dict:
    on_date = on_date or end
    publish = rounded if suppress else _exact
    # The figures do not depend on each other: on PostgreSQL they are counted side by side,
    # in one snapshot (reports/parallel.py); the sections then lay them out.
    calls = figure_calls(start, end, on_date)
    results = parallel.run_all([functools.partial(call[0], *call[1:]) for call in calls])
    computed = {
        (call[0].__name__, call[1:]): result for call, result in zip(calls, results, strict=True)
    }
    token = _computed.set(computed)
    try:
        sections = [
            intake_section(start, end),
            people_section(start, end, on_date, publish=publish),
            contact_section(start, end, on_date),
            decisions_section(start, end),
            staff_section(start, end, on_date, named=named_staff and not suppress),
            groups_section(start, end),
            after_section(start, end, publish=publish),
        ]
    finally:
        _computed.reset(token)
    for section in sections:
        section["title"] = str(section["title"])
        for tbl in section["tables"]:
            tbl["title"] = str(tbl["title"])
            if suppress:
                protect_table(tbl)
    for section in sections:
        for tbl in section["tables"]:
            add_shares(tbl)
    return {
        "period": {"start": start, "end": end, "on_date": on_date},
        "suppressed": suppress,
        "sections": sections,
    }


def iter_tables(report: dict) -> Iterator[tuple[dict, dict]]:
    for section in report["sections"]:
        for tbl in section["tables"]:
            yield section, tbl

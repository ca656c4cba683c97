"""The forecast's inputs from a unit's own history, and the forecast per kind of support.

Six queries whatever the number of kinds or cases (grouped by kind of support); each returns
counts or dates, never a person. The simulation itself is `reports.forecast`; a contact time is
the report's (`reports.figures.contact_days`: a case's first start to its closure).

A kind of support with fewer than `MIN_ENDED_CASES` ended cases gets no forecast: how long
support lasts cannot be told from its history yet, and a borrowed figure would look like a
finding about the unit.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.lookups import among
from intake.models import Intake
from organisation.models import Membership, Role, SupportKind
from organisation.roles import roles_of
from people.models import Case
from provision.actions import average_ceiling, forecast_kinds
from provision.models import Order, OrderStatus
from reports.charts import forecast_chart
from reports.figures import DAYS_PER_MONTH, DaysBetween, contact_days
from reports.forecast import Band, MonthForecast, forecast, runs_for
from reports.models import CapacityForecast

WINDOW_MONTHS = 36  # the history the rates are taken from
MAX_DURATIONS = 2000  # the latest ended cases are enough to describe contact times
MIN_ENDED_CASES = 3  # fewer ended cases tell too little about how long support lasts
CASELOAD = 8  # people per coordinator when the units have no coordinator to take it from


@dataclass
class KindForecast:
    kind: SupportKind
    places: int
    intake_rate: float
    share_granted: float
    ended_cases: int
    mean_contact_months: float | None
    ongoing_now: int
    waiting_now: int
    runs: int = 200
    months: list[MonthForecast] = field(default_factory=list)
    today: datetime.date | None = None
    caseload: float = CASELOAD

    @property
    def enough_history(self) -> bool:
        return self.ended_cases >= MIN_ENDED_CASES

    @property
    def min_ended_cases(self) -> int:
        return MIN_ENDED_CASES

    @property
    def share_percent(self) -> int:
        return round(self.share_granted * 100)

    @property
    def free_now(self) -> int:
        return max(self.places - self.ongoing_now, 0)

    @property
    def at_12(self) -> MonthForecast | None:
        return self.months[-1] if self.months else None

    @property
    def rows(self) -> list[dict]:
        """Now (as recorded) and each month's end (forecast), for the table and the chart."""
        now = {"month": 0, "end": self.today, "ongoing": _exact(self.ongoing_now)}
        now |= {"waiting": _exact(self.waiting_now), "wait_months": None, "now": True}
        return [now] + [
            {
                "month": m.month,
                "end": _month_end(self.today, m.month),
                "ongoing": m.ongoing,
                "waiting": m.waiting,
                "wait_months": m.wait_months,
                "now": False,
            }
            for m in self.months
        ]

    @property
    def typical_wait(self) -> str | None:
        """How long those who start in the coming year have usually waited, in words."""
        medians = [m.wait_months.median for m in self.months if m.wait_months]
        return wait_text(statistics.median(medians)) if medians else None

    @property
    def staff_needed(self) -> int | None:
        """Coordinators needed in a year for the people then in support, at the usual caseload."""
        if not self.at_12:
            return None
        return math.ceil(round(self.at_12.ongoing.median) / self.caseload)

    @property
    def chart(self) -> str:
        return forecast_chart(self) if self.months else ""

    @property
    def first_month_explained(self) -> bool:
        """True when fewer are forecast to wait after the first month than wait now."""
        return bool(self.months) and self.months[0].waiting.median < self.waiting_now


def _exact(value: int) -> Band:
    return Band(value, value, value)


def _month_end(today: datetime.date | None, months: int) -> datetime.date | None:
    if today is None:
        return None
    return today + datetime.timedelta(days=round(months * DAYS_PER_MONTH))


def wait_text(months: float) -> str:
    """A wait in a manager's words: weeks up to two months, then months."""
    weeks = round(months * DAYS_PER_MONTH / 7)
    if weeks < 1:
        return _("less than a week")
    if months < 2:
        return ngettext("about %(n)s week", "about %(n)s weeks", weeks) % {"n": weeks}
    whole = round(months)
    return ngettext("about %(n)s month", "about %(n)s months", whole) % {"n": whole}


def _months(days: int | float) -> float:
    return days / DAYS_PER_MONTH


def gather(units: set[int], kinds: list, today: datetime.date) -> dict:
    since = today - datetime.timedelta(days=round(WINDOW_MONTHS * DAYS_PER_MONTH))
    intakes = Intake.objects.filter(among("unit_id", units), received_on__gte=since).count()
    granted = dict(
        # An order that goes on under a changed or renewed decision is no one newly granted.
        Order.objects.filter(
            among("provider_unit_id", units), decision__decided_on__gte=since, replaces__isnull=True
        )
        .values_list("support_kind_id")
        .annotate(n=Count("id"))
    )
    durations = defaultdict(list)
    # The cases closed after support of the kind at the units started, latest first.
    closed = Case.objects.filter(
        among("orders__provider_unit_id", units), closed_on__isnull=False
    ).values("pk", "orders__support_kind_id")
    ended = (
        contact_days(closed, F("closed_on"))
        .filter(first_start__isnull=False)
        .values_list("orders__support_kind_id", "days")
        .order_by("-closed_on")[:MAX_DURATIONS]
    )
    for kind_id, days in ended:
        durations[kind_id].append(_months(max(days, 1)))
    ongoing = defaultdict(list)
    rows = (
        Order.objects.filter(among("provider_unit_id", units), status=OrderStatus.ACCEPTED)
        .values("case_id", "support_kind_id")
        .annotate(start=Min("accepted_on"))
    )
    for row in rows:
        start = row["start"] or today
        ongoing[row["support_kind_id"]].append(_months((today - start).days))
    leads = defaultdict(list)
    # How long a start has taken: from decision to the order's acceptance, latest first.
    started = (
        Order.objects.filter(among("provider_unit_id", units), accepted_on__isnull=False)
        .annotate(days=DaysBetween(F("accepted_on"), F("decision__decided_on")))
        .values_list("support_kind_id", "days")
        .order_by("-accepted_on")[:MAX_DURATIONS]
    )
    for kind_id, days in started:
        leads[kind_id].append(_months(max(days or 0, 0)))
    waiting = defaultdict(list)
    for kind_id, decided in Order.objects.filter(
        among("provider_unit_id", units), status=OrderStatus.NEW
    ).values_list("support_kind_id", "decision__decided_on"):
        waiting[kind_id].append(_months((today - decided).days))
    return {
        "intakes": intakes,
        "granted": granted,
        "durations": durations,
        "ongoing": ongoing,
        "waiting": waiting,
        "leads": leads,
        "window": WINDOW_MONTHS,
    }


def capacity_forecasts(
    units: set[int], kinds: list, today: datetime.date, caseload: float | None = None
) -> list[KindForecast]:
    """The forecast per kind with places; caseload: people per coordinator (for staff needed)."""
    data = gather(units, kinds, today)
    window = data["window"]
    intake_rate = data["intakes"] / window
    result = []
    for kind in kinds:
        if not kind.places:
            continue
        granted = data["granted"].get(kind.pk, 0)
        durations = data["durations"].get(kind.pk, [])
        share = min(granted / data["intakes"], 1.0) if data["intakes"] else 1.0
        rate = intake_rate if data["intakes"] else granted / window
        item = KindForecast(
            kind=kind,
            places=kind.places,
            intake_rate=rate,
            share_granted=share,
            ended_cases=len(durations),
            mean_contact_months=sum(durations) / len(durations) if durations else None,
            ongoing_now=len(data["ongoing"].get(kind.pk, [])),
            waiting_now=len(data["waiting"].get(kind.pk, [])),
            today=today,
            caseload=caseload or CASELOAD,
        )
        result.append(item)
        if not item.enough_history:
            continue  # the page says plainly that this kind cannot be forecast yet
        item.months = forecast(
            intake_rate=rate,
            share_granted=share,
            durations=durations,
            places=kind.places,
            ongoing_elapsed=data["ongoing"].get(kind.pk, []),
            waiting_since=data["waiting"].get(kind.pk, []),
            lead_times=data["leads"].get(kind.pk, []),
        )
        item.runs = runs_for(rate * share, len(item.months), item.ongoing_now + item.waiting_now)
    return result


def units_key(units: set[int], kinds: list, caseload: float | None) -> str:
    """What a stored forecast depends on besides the history: the units, each kind's places and
    the caseload. Changing any of them asks for a new forecast."""
    parts = {
        "units": sorted(units),
        "kinds": sorted((kind.pk, kind.places or 0) for kind in kinds),
        "caseload": caseload or CASELOAD,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _band(values: list[float] | None) -> Band | None:
    return Band(*values) if values is not None else None


def _stored(item: KindForecast) -> dict:
    def band(value: Band | None) -> list[float] | None:
        return None if value is None else [value.low, value.median, value.high]

    return {
        "kind": item.kind.pk,
        "places": item.places,
        "intake_rate": item.intake_rate,
        "share_granted": item.share_granted,
        "ended_cases": item.ended_cases,
        "mean_contact_months": item.mean_contact_months,
        "ongoing_now": item.ongoing_now,
        "waiting_now": item.waiting_now,
        "runs": item.runs,
        "caseload": item.caseload,
        "months": [
            [m.month, band(m.ongoing), band(m.waiting), band(m.wait_months)] for m in item.months
        ],
    }


def _restored(row: dict, kinds: dict, today: datetime.date) -> KindForecast:
    return KindForecast(
        kind=kinds[row["kind"]],
        places=row["places"],
        intake_rate=row["intake_rate"],
        share_granted=row["share_granted"],
        ended_cases=row["ended_cases"],
        mean_contact_months=row["mean_contact_months"],
        ongoing_now=row["ongoing_now"],
        waiting_now=row["waiting_now"],
        runs=row["runs"],
        caseload=row["caseload"],
        today=today,
        months=[
            MonthForecast(month, Band(*ongoing), Band(*waiting), _band(wait))
            for month, ongoing, waiting, wait in row["months"]
        ],
    )


@dataclass(frozen=True)
class DaysForecast:
    """The forecasts per kind and when they were made (today, by the first view or the daily
    job)."""

    forecasts: list[KindForecast]
    computed_at: datetime.datetime


def todays_forecasts(
    units: set[int], kinds: list, today: datetime.date, caseload: float | None = None
) -> DaysForecast:
    """The day's forecast for the units: made once a day (`warm_capacity_forecasts` in the
    daily jobs makes it for every manager before anyone asks), then read back."""
    key = units_key(units, kinds, caseload)
    by_id = {kind.pk: kind for kind in kinds}
    stored = CapacityForecast.objects.filter(units_key=key, computed_on=today).first()
    if stored is not None:
        return DaysForecast(
            [_restored(row, by_id, today) for row in stored.forecasts], stored.computed_at
        )
    made = capacity_forecasts(units, kinds, today, caseload)
    now = timezone.now()
    try:
        with transaction.atomic():
            CapacityForecast.objects.create(
                units_key=key,
                computed_on=today,
                computed_at=now,
                forecasts=[_stored(item) for item in made],
            )
    except IntegrityError:
        pass  # another request made the same day's forecast meanwhile: from the same history
    return DaysForecast(made, now)


def forget_old_forecasts(today: datetime.date) -> int:
    """Earlier days' forecasts are never read again."""
    deleted, _counts = CapacityForecast.objects.filter(computed_on__lt=today).delete()
    return deleted


def managers_forecasts(today: datetime.date | None = None) -> int:
    """Make the day's capacity forecast for every active manager's units before anyone asks
    (the daily jobs); returns how many sets of units were forecast."""
    today = today or timezone.localdate()
    managers = {
        membership.user
        for membership in Membership.objects.filter(
            role=Role.MANAGER, user__is_active=True
        ).select_related("user")
    }
    done: set[frozenset[int]] = set()
    for manager in sorted(managers, key=lambda user: user.pk):
        units = roles_of(manager).unit_ids(Role.MANAGER)
        if not units or frozenset(units) in done:
            continue
        done.add(frozenset(units))
        todays_forecasts(units, forecast_kinds(units), today, average_ceiling(units))
    forget_old_forecasts(today)
    return len(done)

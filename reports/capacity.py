"""The forecast's inputs from a unit's own history, and the forecast per kind of support.

Five queries whatever the number of kinds or cases (grouped by kind of support); each returns
counts or dates, never a person. The simulation itself is `reports.forecast`; a contact time is
the report's (`reports.figures.contact_days`: a case's first start to its closure).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Min

from intake.models import Intake
from people.models import Case
from provision.models import Order, OrderStatus
from reports.figures import DAYS_PER_MONTH, contact_days
from reports.forecast import MonthForecast, forecast, runs_for

WINDOW_MONTHS = 36  # the history the rates are taken from
MAX_DURATIONS = 2000  # the latest ended cases are enough to describe contact times
FALLBACK_MONTHS = 19.0  # the review's average contact time, when a unit has no ended case yet


@dataclass
class KindForecast:
    kind: object
    places: int
    intake_rate: float
    share_granted: float
    ended_cases: int
    mean_contact_months: float
    ongoing_now: int
    waiting_now: int
    runs: int = 200
    months: list[MonthForecast] = field(default_factory=list)

    @property
    def at_12(self) -> MonthForecast | None:
        return self.months[-1] if self.months else None


def _months(days: int | float) -> float:
    return days / DAYS_PER_MONTH


def gather(units: set[int], kinds: list, today: datetime.date) -> dict:
    since = today - datetime.timedelta(days=round(WINDOW_MONTHS * DAYS_PER_MONTH))
    intakes = Intake.objects.filter(unit_id__in=units, received_on__gte=since).count()
    granted = dict(
        # An order that goes on under a changed or renewed decision is no one newly granted.
        Order.objects.filter(
            provider_unit_id__in=units, decision__decided_on__gte=since, replaces__isnull=True
        )
        .values_list("support_kind_id")
        .annotate(n=Count("id"))
    )
    durations = defaultdict(list)
    # The cases closed after support of the kind at the units started, latest first.
    closed = Case.objects.filter(
        closed_on__isnull=False, orders__provider_unit_id__in=units
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
        Order.objects.filter(provider_unit_id__in=units, status=OrderStatus.ACCEPTED)
        .values("case_id", "support_kind_id")
        .annotate(start=Min("accepted_on"))
    )
    for row in rows:
        start = row["start"] or today
        ongoing[row["support_kind_id"]].append(_months((today - start).days))
    waiting = defaultdict(list)
    for kind_id, decided in Order.objects.filter(
        provider_unit_id__in=units, status=OrderStatus.NEW
    ).values_list("support_kind_id", "decision__decided_on"):
        waiting[kind_id].append(_months((today - decided).days))
    return {
        "intakes": intakes,
        "granted": granted,
        "durations": durations,
        "ongoing": ongoing,
        "waiting": waiting,
        "window": WINDOW_MONTHS,
    }


def capacity_forecasts(units: set[int], kinds: list, today: datetime.date) -> list[KindForecast]:
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
            mean_contact_months=sum(durations) / len(durations) if durations else FALLBACK_MONTHS,
            ongoing_now=len(data["ongoing"].get(kind.pk, [])),
            waiting_now=len(data["waiting"].get(kind.pk, [])),
        )
        item.months = forecast(
            intake_rate=rate,
            share_granted=share,
            durations=durations or [FALLBACK_MONTHS],
            places=kind.places,
            ongoing_elapsed=data["ongoing"].get(kind.pk, []),
            waiting_since=data["waiting"].get(kind.pk, []),
        )
        item.runs = runs_for(rate * share, len(item.months), item.ongoing_now + item.waiting_now)
        result.append(item)
    return result

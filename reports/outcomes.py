"""Instrument outcomes: scores at start, during support, at closure and after, and reliable change.

Scores are read from `instruments.models.Response` (complete and computable responses only).
Reliable change follows the instrument's own definition (`instruments.scoring.reliable_change`,
Jacobson & Truax): only instruments whose definition gives a reliability and a norm SD have it.
The number of queries depends on the number of instrument definitions (files), not on the data.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, F, Max, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet

    from instruments.definitions import Definition
    from instruments.models import Response

logger = logging.getLogger(__name__)

# Every occasion a response can be given on, in the order of the journey: a complete score is
# never left out of the report because of the occasion it was recorded on.
OCCASIONS = ["start", "visit", "follow_up", "closure", "after_6", "after_12", "other"]


def _definitions() -> list[Definition]:
    try:
        from instruments.definitions import latest_all

        return [d for d in latest_all() if d.kind == "scored"]
    except Exception:  # the engine is being built; a broken definition must not break the report
        logger.exception("Instrument definitions could not be loaded for the report")
        return []


def _responses() -> QuerySet[Response]:
    from instruments.models import Response

    return Response.objects.filter(status="complete", computable=True, total__isnull=False)


def score_summaries(start: datetime.date, end: datetime.date) -> dict[tuple[str, str], dict]:
    """(code, occasion) -> n, mean, min, max of totals administered in the period: one query."""
    rows = (
        _responses()
        .filter(administered_on__range=(start, end), occasion__in=OCCASIONS)
        .values("code", "occasion")
        .annotate(n=Count("pk"), mean=Avg("total"), min=Min("total"), max=Max("total"))
        .order_by()
    )
    return {(row["code"], row["occasion"]): row for row in rows}


def rc_threshold(defn: Definition) -> float | None:
    """The smallest change in total counted as reliable, or None if the instrument lacks one."""
    from instruments.scoring import RCI_THRESHOLD, reliable_change

    change = reliable_change(defn, 0.0, 1.0)
    if change is None:
        return None
    return RCI_THRESHOLD * change.se_diff


def reliable_change_counts(
    defn: Definition, start: datetime.date, end: datetime.date
) -> dict[str, int] | None:
    """People with a closure score in the period and a start score: improved, deteriorated."""
    threshold = rc_threshold(defn)
    if threshold is None:
        return None
    before = Subquery(
        _responses()
        .filter(person=OuterRef("person"), code=defn.code, occasion="start")
        .order_by("administered_on", "created_at")
        .values("total")[:1]
    )
    pairs = (
        _responses()
        .filter(code=defn.code, occasion="closure", administered_on__range=(start, end))
        .annotate(before=before)
        .filter(before__isnull=False)
        .annotate(change=F("total") - F("before"))
    )
    worse, better = (Q(change__gt=threshold), Q(change__lt=-threshold))
    if not defn.higher_is_worse:
        worse, better = better, worse
    return pairs.aggregate(
        improved=Count("pk", filter=better),
        unchanged=Count("pk", filter=~better & ~worse),
        deteriorated=Count("pk", filter=worse),
    )


def instrument_tables(
    start: datetime.date,
    end: datetime.date,
    *,
    table: Callable[..., dict],
    stats_table: Callable[..., dict],
) -> list[dict]:
    """One table of scores per scored instrument with responses, one of reliable change each."""
    from instruments.models import Occasion

    summaries = score_summaries(start, end)
    labels = dict(Occasion.choices)
    tables = []
    for defn in _definitions():
        columns = [o for o in OCCASIONS if (defn.code, o) in summaries]
        if not columns:
            continue
        tables.append(
            stats_table(
                f"scores_{defn.code}",
                _("%(instrument)s: total score by occasion") % {"instrument": defn.title},
                [labels[o] for o in columns],
                [summaries[(defn.code, o)] for o in columns],
                scores=True,
                note=_(
                    "Complete, computable responses given in the period, by occasion. Median "
                    "and quartiles are not computed for instrument scores."
                ),
            )
        )
        counts = reliable_change_counts(defn, start, end)
        if counts is None:
            continue
        tables.append(
            table(
                f"reliable_change_{defn.code}",
                _("%(instrument)s: reliable change from start to closure")
                % {"instrument": defn.title},
                [_("People")],
                [
                    ("improved", _("Reliable improvement"), [counts["improved"]]),
                    ("unchanged", _("No reliable change"), [counts["unchanged"]]),
                    ("deteriorated", _("Reliable deterioration"), [counts["deteriorated"]]),
                ],
                total=[sum(counts.values())],
                note=_(
                    "Closure scores in the period paired with the person's first start score; "
                    "reliable change index (Jacobson & Truax) beyond 1.96 as the instrument "
                    "defines it."
                ),
            )
        )
    if not tables:
        tables.append(
            table(
                "instrument_scores",
                _("Instrument scores"),
                [_("Count")],
                [],
                note=_("No complete instrument responses in the period."),
            )
        )
    return tables

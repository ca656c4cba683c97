"""Instrument outcomes: scores by occasion and reliable change, from stored responses."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from instruments.models import Response
from reports import outcomes
from reports.report import build_report

D = datetime.date
YEAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))

pytestmark = pytest.mark.django_db


def _response(person, occasion, day, total, officer, *, status="complete", code="madrs-s"):
    return Response.objects.create(
        person=person,
        case=person.cases.first(),
        code=code,
        version="1",
        occasion=occasion,
        administered_on=day,
        status=status,
        total=total,
        computable=total is not None,
        created_by=officer,
    )


def test_scores_by_occasion_count_complete_computable_responses_in_the_period(world, officer):
    a, b = world.person(), world.person()
    _response(a, "start", D(2025, 1, 10), 20, officer)
    _response(b, "start", D(2025, 2, 10), 30, officer)
    _response(b, "start", D(2024, 12, 31), 40, officer)  # before the period
    _response(a, "start", D(2025, 3, 1), 99, officer, status="draft")  # not complete
    _response(a, "closure", D(2025, 11, 1), 10, officer)

    summaries = outcomes.score_summaries(*YEAR_2025)

    start = summaries[("madrs-s", "start")]
    assert (start["n"], start["mean"], start["min"], start["max"]) == (2, 25, 20, 30)
    assert summaries[("madrs-s", "closure")]["n"] == 1


def test_reliable_change_from_start_to_closure(world, officer, monkeypatch):
    a, b, c = world.person(), world.person(), world.person()
    for person, before, after in ((a, 20, 10), (b, 30, 32), (c, 20, 27)):
        _response(person, "start", D(2024, 6, 1), before, officer)
        _response(person, "closure", D(2025, 6, 1), after, officer)
    monkeypatch.setattr(outcomes, "rc_threshold", lambda defn: 5.0)
    madrs = SimpleNamespace(code="madrs-s", higher_is_worse=True)

    counts = outcomes.reliable_change_counts(madrs, *YEAR_2025)

    # 20→10 fell by 10 (better), 30→32 within 5, 20→27 rose by 7 (worse: higher is worse)
    assert counts == {"improved": 1, "unchanged": 1, "deteriorated": 1}


def test_the_report_shows_instrument_scores_when_there_are_responses(world, officer):
    person = world.person()
    _response(person, "start", D(2025, 1, 10), 20, officer)
    report = build_report(*YEAR_2025, suppress=False)
    keys = [t["key"] for s in report["sections"] for t in s["tables"]]
    assert "scores_madrs-s" in keys

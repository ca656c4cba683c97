"""The report's parts side by side: same figures as one after the other, one snapshot."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from people.models import CaseStaffRole
from reports import parallel
from reports.report import build_report
from tests.factories import CaseStaffFactory

D = datetime.date


def _scalar(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs the parts one after the other on one connection")


@pytest.mark.django_db(transaction=True)
def test_side_by_side_gives_the_same_report_as_one_after_the_other(world, coordinator, settings):
    _postgresql_only()
    for n, source in enumerate(["psychiatry", "relative", "relative", "self"]):
        person = world.person(first_name="Elin", last_name=f"Hemligsson{n}")
        world.intake(D(2025, 2, 1 + n), person=person, source=source, outcome="talk_offered")
        world.start(person, D(2025, 3, 1 + n))
        CaseStaffFactory(
            case=person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
        )
    world.close(person, D(2025, 9, 1))

    settings.BRYGGA_REPORT_WORKERS = 1
    one_by_one = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=False)
    settings.BRYGGA_REPORT_WORKERS = 3
    assert parallel.can_run_side_by_side()
    side_by_side = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=False)

    assert side_by_side == one_by_one
    started = next(
        tbl
        for section in side_by_side["sections"]
        for tbl in section["tables"]
        if tbl["key"] == "new_per_year"
    )
    assert started["rows"][0]["values"][0] == 4


@pytest.mark.django_db(transaction=True)
def test_every_connection_reads_the_callers_snapshot(settings):
    """Parts run on separate connections at once, and all see one and the same snapshot."""
    _postgresql_only()
    settings.BRYGGA_REPORT_WORKERS = 2
    both_started = threading.Barrier(2, timeout=10)

    def part():
        both_started.wait()  # two connections at the same time, not one after the other
        return (
            _scalar("SELECT pg_backend_pid()"),
            _scalar("SELECT pg_current_snapshot()::text"),
            _scalar("SHOW transaction_isolation"),
            _scalar("SHOW transaction_read_only"),
            _scalar("SHOW work_mem"),
            _scalar("SHOW max_parallel_workers_per_gather"),
        )

    results = parallel.run_all([part, part])

    assert len({pid for pid, *_ in results}) == 2
    assert len({snapshot for _pid, snapshot, *_ in results}) == 1
    assert {result[2:] for result in results} == {("repeatable read", "on", "64MB", "0")}


@pytest.mark.django_db(transaction=True)
def test_one_worker_runs_the_parts_in_one_read_only_transaction(settings):
    _postgresql_only()
    settings.BRYGGA_REPORT_WORKERS = 1

    def part():
        return (
            _scalar("SELECT pg_current_snapshot()::text"),
            _scalar("SHOW transaction_read_only"),
        )

    first, second = parallel.run_all([part, part])

    assert first == second
    assert first[1] == "on"


@pytest.mark.django_db
def test_inside_a_transaction_the_parts_run_on_the_callers_connection(settings):
    """Other connections could not see the caller's uncommitted rows."""
    settings.BRYGGA_REPORT_WORKERS = 4
    assert not parallel.can_run_side_by_side()
    caller = threading.get_ident()

    assert parallel.run_all([threading.get_ident, threading.get_ident]) == [caller, caller]


@pytest.mark.django_db(transaction=True)
def test_a_failing_part_fails_the_whole_report(settings):
    _postgresql_only()
    settings.BRYGGA_REPORT_WORKERS = 2

    def broken():
        raise ValueError("a figure failed")

    with pytest.raises(ValueError, match="a figure failed"):
        parallel.run_all([lambda: 1, broken, lambda: 2])


@pytest.mark.django_db
def test_each_figure_is_counted_once_per_report(monkeypatch):
    """The sections read the figures counted beforehand: none is counted again while they are
    laid out, and the list counted beforehand holds every figure the sections read."""
    import functools

    from reports import figures, report

    period = (D(2025, 1, 1), D(2025, 12, 31))
    expected = [(call[0].__name__, call[1:]) for call in report.figure_calls(*period, period[1])]
    calls = []

    def counting(function):
        @functools.wraps(function)
        def wrapped(*args):
            calls.append((function.__name__, args))
            return function(*args)

        return wrapped

    for name in {name for name, _args in expected} - {"instrument_tables"}:
        monkeypatch.setattr(figures, name, counting(getattr(figures, name)))
    monkeypatch.setattr(report, "instrument_tables", counting(report.instrument_tables))
    computed_late = []
    real_figure = report._figure

    def figure(function, *args):
        if (function.__name__, args) not in {(n, a) for n, a in expected}:
            computed_late.append(function.__name__)
        return real_figure(function, *args)

    monkeypatch.setattr(report, "_figure", figure)

    build_report(*period)

    assert sorted(calls) == sorted(expected)
    assert computed_late == []


def test_a_section_reading_a_figure_it_does_not_declare_fails():
    """The list counted beforehand derives from the sections' `reads`: a figure read but not
    declared is an error, never a slow query counted on the side."""
    from reports import figures, report

    token = report._computed.set({})
    try:
        with pytest.raises(LookupError, match="not declared"):
            report._figure(figures.head_counts, D(2025, 1, 1), D(2025, 12, 31))
    finally:
        report._computed.reset(token)

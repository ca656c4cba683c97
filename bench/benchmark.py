"""Time the report, its figures and two pages against hand-written SQL floors.

Run on a PostgreSQL database filled by `generate_synthetic` (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_brygga DEBUG=0 \
        .venv/bin/python bench/benchmark.py [--repeat 3]

Prints, for each item, the best of `--repeat` runs in milliseconds and the ratio to its floor
(one hand-written SQL query giving the same figure), and whether the figure's numbers equal the
floor's (`MISMATCH` with both values if not). Prints figures; asserts nothing. `--check` only
compares figures and floors (last year, this year, all years; exit status 1 on a mismatch).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from groups.models import AGE_BANDS  # noqa: E402
from reports import figures, outcomes  # noqa: E402
from reports.report import build_report  # noqa: E402

# One query each, giving the same figure as the function of the same name in reports/figures.py
# or reports/outcomes.py (`name:field` passes the field).
FLOORS = {
    "intakes_by_source": """SELECT source, count(*) FROM intake_intake
        WHERE received_on BETWEEN %(start)s AND %(end)s GROUP BY source""",
    "intakes_by_channel": """SELECT channel, count(*) FROM intake_intake
        WHERE received_on BETWEEN %(start)s AND %(end)s GROUP BY channel""",
    "intake_outcomes": """SELECT CASE WHEN status = 'open' THEN 'open' ELSE outcome END,
        count(*) FROM intake_intake WHERE received_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "not_offered": """SELECT count(*) FROM intake_intake
        WHERE received_on BETWEEN %(start)s AND %(end)s
        AND status = 'closed' AND outcome <> 'talk_offered'""",
    "new_people_per_year": """SELECT extract(year FROM first), count(*) FROM (
        SELECT person_id, min(accepted_on) AS first FROM provision_order
        WHERE accepted_on IS NOT NULL GROUP BY person_id) t
        WHERE first BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "people_with_decision": """SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (
        SELECT person_id, count(*) AS n FROM decisions_decision
        WHERE decided_on BETWEEN %(start)s AND %(end)s GROUP BY person_id) t""",
    "ongoing_decisions": """SELECT count(DISTINCT d.person_id) FROM decisions_decision d
        JOIN people_case c ON c.id = d.case_id
        WHERE d.outcome IN ('grant', 'partial') AND d.decided_on <= %(on)s
        AND (d.period_from IS NULL OR d.period_from <= %(on)s)
        AND (d.period_to IS NULL OR d.period_to >= %(on)s)
        AND (c.closed_on IS NULL OR c.closed_on > %(on)s)
        AND NOT EXISTS (SELECT 1 FROM decisions_decision r WHERE r.replaces_id = d.id
            AND r.outcome IN ('grant', 'partial') AND r.decided_on <= %(on)s
            AND (r.period_from IS NULL OR r.period_from <= %(on)s))""",
    "contact_time_ended": """SELECT count(*), avg(days), min(days), max(days),
        percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY days) FROM (
        SELECT c.closed_on - min(o.accepted_on) AS days FROM people_case c
        JOIN provision_order o ON o.case_id = c.id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s AND o.accepted_on IS NOT NULL
        GROUP BY c.id) t""",
    "contact_time_started": """SELECT count(days), avg(days), min(days), max(days),
        percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY days),
        count(*) FILTER (WHERE days IS NULL) FROM (
        SELECT c.closed_on - min(o.accepted_on) AS days FROM people_case c
        JOIN provision_order o ON o.case_id = c.id
        WHERE o.accepted_on IS NOT NULL GROUP BY c.id
        HAVING min(o.accepted_on) BETWEEN %(start)s AND %(end)s) t""",
    "decisions_by_outcome": """SELECT outcome, count(*) FROM decisions_decision
        WHERE decided_on BETWEEN %(start)s AND %(end)s GROUP BY outcome""",
    "closure_reasons": """SELECT reason, count(*) FROM provision_closure
        WHERE closed_on BETWEEN %(start)s AND %(end)s GROUP BY reason""",
    "caseload_per_coordinator": """SELECT cs.user_id, count(DISTINCT cs.case_id)
        FROM people_casestaff cs JOIN people_case c ON c.id = cs.case_id
        WHERE cs.role = 'coordinator' AND c.opened_on <= %(on)s
        AND (c.closed_on IS NULL OR c.closed_on > %(on)s) GROUP BY cs.user_id""",
    "visits_per_coordinator": """SELECT created_by_id, count(*) FROM delivery_visit
        WHERE kind = 'visit' AND status = 'held'
        AND planned_at >= %(start)s::timestamp AT TIME ZONE 'Europe/Stockholm'
        AND planned_at < (%(end)s::date + 1)::timestamp AT TIME ZONE 'Europe/Stockholm'
        GROUP BY created_by_id""",
    "visits_by_status": """SELECT status, count(*) FROM delivery_visit WHERE kind = 'visit'
        AND planned_at >= %(start)s::timestamp AT TIME ZONE 'Europe/Stockholm'
        AND planned_at < (%(end)s::date + 1)::timestamp AT TIME ZONE 'Europe/Stockholm'
        GROUP BY status""",
    "referred_to": """SELECT coalesce(s.name, ''), count(*) FROM intake_intake i
        LEFT JOIN organisation_service s ON s.id = i.referred_to_id
        WHERE i.received_on BETWEEN %(start)s AND %(end)s AND i.outcome = 'referred'
        GROUP BY 1""",
    "intake_lead_times": """SELECT kind, count(*), avg(days), min(days), max(days),
        percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY days) FROM (
        SELECT 'talk' AS kind, min(t.held_on) - i.received_on AS days FROM intake_intake i
        JOIN intake_assessmenttalk t ON t.intake_id = i.id AND t.held_on >= i.received_on
        WHERE i.received_on BETWEEN %(start)s AND %(end)s GROUP BY i.id
        UNION ALL
        SELECT 'decision', min(d.decided_on) - i.received_on FROM intake_intake i
        JOIN decisions_decision d ON d.case_id = i.case_id AND d.decided_on >= i.received_on
        WHERE i.received_on BETWEEN %(start)s AND %(end)s GROUP BY i.id
        UNION ALL
        SELECT 'start', min(o.accepted_on) - i.received_on FROM intake_intake i
        JOIN provision_order o ON o.case_id = i.case_id AND o.accepted_on >= i.received_on
        WHERE i.received_on BETWEEN %(start)s AND %(end)s GROUP BY i.id) t
        GROUP BY kind""",
    "new_people_by_source": """SELECT coalesce(first_intake.source, ''), count(*) FROM (
        SELECT person_id FROM provision_order WHERE accepted_on IS NOT NULL
        GROUP BY person_id HAVING min(accepted_on) BETWEEN %(start)s AND %(end)s) p
        LEFT JOIN LATERAL (SELECT source FROM intake_intake i WHERE i.person_id = p.person_id
        ORDER BY i.received_on, i.created_at LIMIT 1) first_intake ON true
        GROUP BY 1""",
    "people_in_support": """SELECT count(DISTINCT o.person_id) FROM provision_order o
        JOIN people_case c ON c.id = o.case_id
        WHERE o.accepted_on <= %(end)s AND (c.closed_on IS NULL OR c.closed_on >= %(start)s)""",
    "contact_time_ongoing": """SELECT count(*), avg(days), min(days), max(days),
        percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY days) FROM (
        SELECT %(on)s - min(o.accepted_on) AS days FROM people_case c
        JOIN provision_order o ON o.case_id = c.id
        WHERE (c.closed_on IS NULL OR c.closed_on > %(on)s) AND o.accepted_on <= %(on)s
        GROUP BY c.id) t""",
    "contact_time_distribution": """SELECT
        count(*) FILTER (WHERE months >= 0 AND months < 6),
        count(*) FILTER (WHERE months >= 6 AND months < 12),
        count(*) FILTER (WHERE months >= 12 AND months < 24),
        count(*) FILTER (WHERE months >= 24 AND months < 36),
        count(*) FILTER (WHERE months >= 36) FROM (
        SELECT (c.closed_on - min(o.accepted_on)) / (365.25 / 12) AS months FROM people_case c
        JOIN provision_order o ON o.case_id = c.id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s AND o.accepted_on IS NOT NULL
        GROUP BY c.id) t""",
    "decisions_by_kind": """SELECT kind, count(*) FROM decisions_decision
        WHERE decided_on BETWEEN %(start)s AND %(end)s GROUP BY kind""",
    "appeals_by_status": """SELECT status, count(*) FROM decisions_appeal
        WHERE received_on BETWEEN %(start)s AND %(end)s GROUP BY status""",
    "appeal_judgments": """SELECT judgment, count(*) FROM decisions_appeal
        WHERE judgment_on BETWEEN %(start)s AND %(end)s AND judgment <> '' GROUP BY judgment""",
    "appeals_in_time": """SELECT count(*) FILTER (WHERE in_time),
        count(*) FILTER (WHERE NOT in_time) FROM decisions_appeal
        WHERE received_on BETWEEN %(start)s AND %(end)s""",
    "group_attendance": """SELECT count(*) FILTER (WHERE held), avg(present) FILTER (WHERE held),
        min(present) FILTER (WHERE held), max(present) FILTER (WHERE held),
        count(*) FILTER (WHERE cancelled), count(*) FILTER (WHERE NOT cancelled AND NOT held)
        FROM (SELECT s.cancelled, NOT s.cancelled AND count(a.id) > 0 AS held,
        count(a.id) FILTER (WHERE a.present) AS present FROM groups_groupsession s
        LEFT JOIN groups_attendance a ON a.session_id = s.id
        WHERE s.date BETWEEN %(start)s AND %(end)s GROUP BY s.id) t""",
    "group_attendance_distribution": """SELECT present, count(*) FROM (
        SELECT count(*) FILTER (WHERE a.present) AS present FROM groups_groupsession s
        JOIN groups_attendance a ON a.session_id = s.id
        WHERE s.date BETWEEN %(start)s AND %(end)s AND NOT s.cancelled GROUP BY s.id) t
        GROUP BY present""",
    "head_counts": """SELECT m.name, a.name, count(*), sum(h.count), avg(h.count), min(h.count),
        max(h.count), sum(h.age_under_18), sum(h.age_18_24), sum(h.age_25_34),
        sum(h.age_35_49), sum(h.age_50_plus) FROM groups_headcount h
        JOIN groups_openactivity a ON a.id = h.activity_id
        JOIN groups_meetingplace m ON m.id = a.meeting_place_id
        WHERE h.date BETWEEN %(start)s AND %(end)s GROUP BY m.name, a.name""",
    "situation_after:occupation": """SELECT 'closure', occupation, count(*) FROM provision_closure
        WHERE closed_on BETWEEN %(start)s AND %(end)s GROUP BY occupation
        UNION ALL
        SELECT 'after_' || f.months, f.occupation, count(*) FROM provision_followup f
        JOIN provision_closure c ON c.id = f.closure_id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s AND f.status = 'done'
        AND f.months IN (6, 12) GROUP BY f.months, f.occupation""",
    "situation_after:isolation": """SELECT 'closure', isolation, count(*) FROM provision_closure
        WHERE closed_on BETWEEN %(start)s AND %(end)s GROUP BY isolation
        UNION ALL
        SELECT 'after_' || f.months, f.isolation, count(*) FROM provision_followup f
        JOIN provision_closure c ON c.id = f.closure_id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s AND f.status = 'done'
        AND f.months IN (6, 12) GROUP BY f.months, f.isolation""",
    "follow_up_status": """SELECT 'consent',
        CASE WHEN follow_up_consent THEN 'consented' ELSE 'not_consented' END, count(*)
        FROM provision_closure WHERE closed_on BETWEEN %(start)s AND %(end)s GROUP BY 2
        UNION ALL
        SELECT 'after_' || f.months, f.status, count(*) FROM provision_followup f
        JOIN provision_closure c ON c.id = f.closure_id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s GROUP BY f.months, f.status""",
    "score_summaries": """SELECT code, occasion, count(*), avg(total), min(total), max(total)
        FROM instruments_response
        WHERE status = 'complete' AND computable AND total IS NOT NULL
        AND administered_on BETWEEN %(start)s AND %(end)s
        AND occasion IN ('start', 'visit', 'follow_up', 'closure', 'after_6', 'after_12', 'other')
        GROUP BY code, occasion""",
    # Every instrument with a reliable-change threshold at once (the report runs one query each).
    "reliable_change_counts": """SELECT code, count(*) FILTER (WHERE worse < -threshold),
        count(*) FILTER (WHERE worse BETWEEN -threshold AND threshold),
        count(*) FILTER (WHERE worse > threshold) FROM (
        SELECT d.code, d.threshold,
        CASE WHEN d.higher_is_worse THEN r.total - s.total ELSE s.total - r.total END AS worse
        FROM unnest(%(rc_codes)s::text[], %(rc_thresholds)s::float8[],
        %(rc_higher_is_worse)s::boolean[]) AS d(code, threshold, higher_is_worse)
        JOIN instruments_response r ON r.code = d.code
        CROSS JOIN LATERAL (SELECT total FROM instruments_response s
        WHERE s.person_id = r.person_id AND s.code = d.code AND s.occasion = 'start'
        AND s.status = 'complete' AND s.computable AND s.total IS NOT NULL
        ORDER BY s.administered_on, s.created_at LIMIT 1) s
        WHERE r.code = ANY(%(rc_codes)s) AND r.occasion = 'closure' AND r.status = 'complete'
        AND r.computable
        AND r.total IS NOT NULL AND r.administered_on BETWEEN %(start)s AND %(end)s) t
        GROUP BY code""",
}


class QueryLog(list):
    """The SQL run inside the block, with each statement's time (works with DEBUG off)."""

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _record(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.append(((time.perf_counter() - began) * 1000, sql))

    def slowest(self, n: int = 3) -> list[tuple[float, str]]:
        return sorted(self, reverse=True)[:n]


def timed(function, repeat: int) -> tuple[float, object]:
    """The best of `repeat` runs in milliseconds, and the result of the last run."""
    times = []
    for _n in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return min(times), result


def best_wall_and_cpu_ms(function, repeat: int) -> tuple[float, float]:
    """The best of `repeat` runs: wall milliseconds, and the process's CPU milliseconds of that
    run (what the server side costs itself; the rest is the database and waiting)."""
    runs = []
    for _n in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    return min(runs)


def best_ms(function, repeat: int) -> float:
    return timed(function, repeat)[0]


def run_floor(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def floor_ms(sql: str, params: dict, repeat: int) -> float:
    return best_ms(lambda: run_floor(sql, params), repeat)


def rc_definitions() -> list:
    """The scored instruments whose definition gives a reliable-change threshold."""
    return [d for d in outcomes._definitions() if outcomes.rc_threshold(d) is not None]


def floor_params(start, end) -> dict:
    """The period, the stock date (its end) and the instruments' reliable-change thresholds."""
    definitions = rc_definitions()
    return {
        "start": start,
        "end": end,
        "on": end,
        "rc_codes": [d.code for d in definitions],
        "rc_thresholds": [outcomes.rc_threshold(d) for d in definitions],
        "rc_higher_is_worse": [bool(d.higher_is_worse) for d in definitions],
    }


def call_figure(name: str, start, end, on):
    """The figure of a FLOORS entry as a function of no arguments."""
    name, _sep, field = name.partition(":")
    if name == "reliable_change_counts":
        definitions = rc_definitions()
        return lambda: {d.code: outcomes.reliable_change_counts(d, start, end) for d in definitions}
    function = getattr(figures, name, None) or getattr(outcomes, name)
    arguments = function.__code__.co_varnames[: function.__code__.co_argcount]
    if arguments == ("on_date",):
        return lambda: function(on)
    extra = (field,) if field else ()
    if arguments[2 + len(extra) :]:
        raise ValueError(f"{name} also takes {arguments[2:]}: name its entry {name}:<value>")
    return lambda: function(start, end, *extra)


SUMMARY = ("n", "mean", "min", "max", ("p25", "median", "p75"))

# The value columns of a floor's rows, after its key columns (default: one count); a tuple names
# the items of an array column.
FLOOR_COLUMNS = {
    "people_with_decision": ("people", "more_than_one"),
    "contact_time_ended": SUMMARY,
    "contact_time_started": (*SUMMARY, "ongoing"),
    "intake_lead_times": SUMMARY,
    "contact_time_ongoing": SUMMARY,
    "contact_time_distribution": tuple(figures.bucket_key(*b) for b in figures.CONTACT_BUCKETS),
    "appeals_in_time": ("in_time", "late"),
    "group_attendance": ("sessions", "mean", "low", "high", "cancelled", "not_recorded"),
    "head_counts": ("days", "visitors", "mean", "min", "max", *(f for f, _label in AGE_BANDS)),
    "score_summaries": ("n", "mean", "min", "max"),
    "reliable_change_counts": ("improved", "unchanged", "deteriorated"),
}

# Figures returning lists, or labels beside their numbers: the numbers as dicts by key.
FIGURE_SHAPES = {
    "caseload_per_coordinator": lambda rows: {row["user_id"]: row["cases"] for row in rows},
    "visits_per_coordinator": lambda rows: {row["user_id"]: row["visits"] for row in rows},
    "head_counts": lambda rows: {
        (row["place"], row["activity"]): {
            **{stat: row[stat] for stat in ("days", "visitors", "mean", "min", "max")},
            **row["bands"],
        }
        for row in rows
    },
    "score_summaries": lambda summaries: {
        key: {stat: row[stat] for stat in ("n", "mean", "min", "max")}
        for key, row in summaries.items()
    },
}


def flat(value, path: tuple = ()) -> dict[tuple, float]:
    """Nested dicts of numbers as {key path: number}, zeros and None left out (absent is 0)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            keys = key if isinstance(key, tuple) else (key,)
            result.update(flat(item, path + tuple(str(k) for k in keys)))
        return result
    if value is None or value == 0:
        return {}
    return {path: float(value)}


def floor_values(name: str, rows: list[tuple]) -> dict[tuple, float]:
    columns = FLOOR_COLUMNS.get(name)
    nested = {}
    for row in rows:
        if columns is None:
            nested[tuple(row[:-1])] = row[-1]
            continue
        keys, cells = row[: len(row) - len(columns)], row[len(row) - len(columns) :]
        values = {}
        for column, cell in zip(columns, cells, strict=True):
            if isinstance(column, tuple):
                values.update(zip(column, cell or [None] * len(column), strict=True))
            else:
                values[column] = cell
        nested[tuple(keys)] = values
    return flat(nested)


def differences(name: str, result, rows: list[tuple]) -> list[str]:
    """The numbers where the figure's result and its floor's rows disagree."""
    shape = FIGURE_SHAPES.get(name)
    ours = flat(shape(result) if shape else result)
    floor = floor_values(name, rows)
    return [
        f"{'/'.join(key) or '(value)'}: figure {ours.get(key)}, floor {floor.get(key)}"
        for key in sorted(ours.keys() | floor.keys())
        if not math.isclose(ours.get(key, 0), floor.get(key, 0), rel_tol=1e-9, abs_tol=1e-9)
    ]


@contextlib.contextmanager
def snapshot():
    """One read-only snapshot for the block: rows written meanwhile (a generator still filling
    the database) cannot make a figure and its floor disagree."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def print_mismatch(name: str, label: str, lines: list[str]) -> None:
    print(f"MISMATCH {name} ({label}):")
    for line in lines:
        print(f"    {line}")


def figures_table(label: str, start, end, repeat: int) -> int:
    """Times each figure and its floor, checks they agree; returns the number of mismatches."""
    params = floor_params(start, end)
    print(f"\n## Figures, {label} ({start} – {end})")
    print(f"{'figure':<32} {'ms':>9} {'floor ms':>9} {'ratio':>6}  check")
    mismatches = []
    with snapshot():
        for name, sql in FLOORS.items():
            ours, result = timed(call_figure(name, start, end, end), repeat)
            floor, rows = timed(lambda s=sql: run_floor(s, params), repeat)
            lines = differences(name, result, rows)
            if lines:
                mismatches.append((name, lines))
            print(
                f"{name:<32} {ours:>9.1f} {floor:>9.1f} {ours / max(floor, 0.01):>6.2f}  "
                f"{'MISMATCH' if lines else 'ok'}"
            )
    for name, lines in mismatches:
        print_mismatch(name, label, lines)
    return len(mismatches)


def check(periods: dict) -> int:
    """Compares each figure with its floor (one run each, no timing); returns the mismatches."""
    mismatches = 0
    for label, (start, end) in periods.items():
        params = floor_params(start, end)
        with snapshot():
            for name, sql in FLOORS.items():
                result = call_figure(name, start, end, end)()
                lines = differences(name, result, run_floor(sql, params))
                if lines:
                    mismatches += 1
                    print_mismatch(name, f"{label}, {start} – {end}", lines)
    print(f"{len(FLOORS)} figures x {len(periods)} periods: {mismatches} mismatches")
    return mismatches


def report_rows(start, end, repeat: int, verbose: bool = False) -> None:
    """The whole report, side by side (settings.BRYGGA_REPORT_WORKERS) and one after the other.

    The queries are logged from the run one after the other: side by side they run on other
    threads' connections, which QueryLog does not see.
    """
    from django.conf import settings

    workers = settings.BRYGGA_REPORT_WORKERS
    for label, (first, last) in {"year": (start, end), "all years": (ALL_START, end)}.items():
        settings.BRYGGA_REPORT_WORKERS = 1
        with QueryLog() as queries:
            build_report(first, last)
        serial = best_ms(lambda f=first, t=last: build_report(f, t), repeat)
        settings.BRYGGA_REPORT_WORKERS = workers
        ms = best_ms(lambda f=first, t=last: build_report(f, t), repeat)
        params = floor_params(first, last)
        floors = sum(floor_ms(sql, params, 1) for sql in FLOORS.values())
        print(
            f"full report, {label:<10} {ms:>9.1f} ms on {workers} connections side by side, "
            f"{serial:.1f} ms on one; {len(queries)} queries "
            f"(sum of the {len(FLOORS)} floors above: {floors:.1f} ms)"
        )
        if verbose:
            for took, sql in queries.slowest(6):
                print(f"    {took:8.1f} ms  {sql[:300]}")


def pages(repeat: int, args_verbose: bool = False) -> None:
    from people.models import CaseStaff, CaseStatus

    links = CaseStaff.objects.filter(role="coordinator", case__status=CaseStatus.OPEN)
    if links.filter(user__username__startswith="syn-coord-").exists():
        links = links.filter(user__username__startswith="syn-coord-")
    link = links.select_related("user", "case").order_by("user__username").first()
    user, person_id = link.user, link.case.person_id
    client = Client()
    client.force_login(user, backend="organisation.auth.BryggaModelBackend")
    load = CaseStaff.objects.filter(
        user=user, role="coordinator", case__status=CaseStatus.OPEN
    ).count()
    print(
        f"\n## Pages (as {user.username}, {load} open cases), server time through the test client"
    )
    rows = {
        "caseload (/personer/)": (
            "/personer/",
            """SELECT p.id, p.first_name, p.last_name, p.personal_number FROM people_person p
            WHERE p.id IN (SELECT c.person_id FROM people_case c
              JOIN people_casestaff cs ON cs.case_id = c.id WHERE cs.user_id = %(user)s)
            ORDER BY p.last_name, p.first_name, p.id LIMIT 25""",
        ),
        "person page": (
            f"/personer/{person_id}/",
            """SELECT p.*, c.* FROM people_person p JOIN people_case c ON c.person_id = p.id
            WHERE p.id = %(person)s""",
        ),
    }
    params = {"user": user.pk, "person": person_id}
    for label, (url, sql) in rows.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with QueryLog() as queries:
            client.get(url)
        ms = best_ms(lambda u=url: client.get(u), repeat)
        floor = floor_ms(sql, params, repeat)
        print(
            f"{label:<24} {ms:>8.1f} ms, {len(queries):>3} queries; floor {floor:.2f} ms; "
            f"ratio {ms / max(floor, 0.01):.0f}"
        )
        if args_verbose:
            for took, sql in queries.slowest():
                print(f"    {took:8.1f} ms  {sql[:400]}")


# Every role's start page and every list page (issue 17), for a typical and for the largest user.
LIST_PAGES = [
    "/",
    "/personer/",
    "/personer/ (page 2)",
    "/aktualiseringar/",
    "/uppdrag/",
    "/uppdrag/kapacitet/",
    "/uppdrag/omfordela/",
    "/uppdrag/omfordela/ (the largest caseload chosen)",
    "/atkomstlogg/",
]


def list_pages() -> list[str]:
    """`LIST_PAGES`, then every list of the start pages in full (core/sections.py: each role
    opens those it has), and the second page of the longest of them at 100,000 people."""
    from core.sections import full_list_names

    pages = []
    for name in full_list_names():
        pages.append(f"/arbetslista/{name}/")
        if name == "oppna-arenden":
            pages.append(f"/arbetslista/{name}/ (page 2)")
    return LIST_PAGES + pages


def _bench_manager(username: str, unit_names: list[str]):
    """A manager of the synthetic units, made once through the ORM (a real municipality has
    one; `generate_synthetic` makes none)."""
    from django.contrib.auth import get_user_model

    from organisation.models import Membership, Role, Unit

    units = list(Unit.objects.filter(name__in=unit_names, parent__isnull=True))
    if not units:
        return None
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": "Chef"}
    )
    for unit in units:
        Membership.objects.get_or_create(user=user, unit=unit, role=Role.MANAGER)
    return user


def page_users() -> list[tuple[str, object]]:
    """(label, user) for each role: a typical user and the one with the most to see."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from organisation.models import Membership, Role

    users = get_user_model().objects
    coordinators = (
        users.filter(memberships__role=Role.COORDINATOR, username__startswith="syn-coord-")
        .annotate(
            load=Count(
                "case_links",
                filter=Q(case_links__role="coordinator", case_links__case__status="open"),
                distinct=True,
            )
        )
        .order_by("load", "username")
    )
    n = coordinators.count()
    rows = []
    if n:
        typical = coordinators[n // 2]
        rows.append((f"coordinator, typical ({typical.load} open cases)", typical))
        # generate_synthetic gives one coordinator 15 open cases (a leaver's cases taken over).
        taken_over = coordinators.filter(load__gte=15).first()
        if taken_over is not None and taken_over.load < 50:
            rows.append((f"coordinator, taken over ({taken_over.load} open cases)", taken_over))
        largest = coordinators.reverse()[0]
        rows.append((f"coordinator, largest ({largest.load} open cases)", largest))
    for username, label in [
        ("officer", "officer, typical (demo unit)"),
        ("syn-officer", "officer and manager of the authority holding every case"),
        ("manager", "manager, typical (demo units)"),
    ]:
        user = users.filter(username=username).first()
        if user is not None:
            rows.append((label, user))
    # generate_synthetic makes these managers; older datasets get them here.
    provider = users.filter(username="syn-manager-provider").first() or _bench_manager(
        "bench-manager-provider", ["Syntetisk utförare"]
    )
    if provider is not None:
        teams = Membership.objects.filter(role=Role.COORDINATOR).filter(
            Q(unit__parent__name="Syntetisk utförare")
            | Q(unit__parent__parent__name="Syntetisk utförare")
        )
        rows.append((f"manager of the provider ({teams.count():,} coordinators)", provider))
    everything = users.filter(username="syn-manager-all").first() or _bench_manager(
        "bench-manager-all", ["Syntetisk myndighet", "Syntetisk utförare"]
    )
    if everything is not None:
        rows.append(("manager of everything (authority and provider)", everything))
    area = users.filter(username="syn-manager-area-1").first()
    if area is not None:
        rows.append(("manager of an area (25 teams)", area))
    for username, label in [("analyst", "analyst"), ("admin", "administrator")]:
        user = users.filter(username=username).first()
        if user is not None:
            rows.append((label, user))
    return rows


def _largest_caseload(manager) -> int | None:
    """The coordinator with the most open cases in the manager's units (the reassignment page's
    longest list once a leaver is chosen), None for someone who manages no unit."""
    from django.db.models import Count

    from organisation.models import Role
    from organisation.roles import roles_of
    from people.models import CaseStaff

    units = roles_of(manager).unit_ids(Role.MANAGER)
    if not units:
        return None
    largest = (
        CaseStaff.objects.filter(
            role="coordinator", case__status="open", case__provider_unit_id__in=units
        )
        .values("user_id")
        .annotate(n=Count("id"))
        .order_by("-n", "user_id")
        .first()
    )
    return largest["user_id"] if largest else None


def every_page(repeat: int, verbose: bool = False) -> None:
    import logging
    import re

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s of other roles' pages
    from html import unescape

    print(
        "\n## Start and list pages per role, server time through the test client (best of "
        f"{repeat}; queries of one request)"
    )
    print(f"load average {os.getloadavg()[0]:.2f} at the start; cpu: this process's CPU ms")
    print(f"{'user':<58} {'page':<44} {'ms':>9} {'cpu':>7} {'queries':>7}")
    for label, user in page_users():
        client = Client()
        client.force_login(user, backend="organisation.auth.BryggaModelBackend")
        for page in list_pages():
            url = page.split(" ")[0]
            if page.endswith("(page 2)"):
                first = client.get(url)
                found = re.search(r'<a href="\?([^"]*)" rel="next">', first.content.decode())
                if first.status_code != 200 or not found:
                    continue
                url = f"{url}?{unescape(found.group(1))}"
            if page.endswith("(the largest caseload chosen)"):
                leaver = _largest_caseload(user)
                if leaver is None:
                    continue
                url = f"{url}?from_user={leaver}"
            response = client.get(url)  # warm up; skips pages the role may not open
            if response.status_code != 200:
                continue
            with QueryLog() as queries:
                client.get(url)
            ms, cpu = best_wall_and_cpu_ms(lambda u=url, c=client: c.get(u), repeat)
            print(f"{label:<58} {page:<44} {ms:>9.1f} {cpu:>7.1f} {len(queries):>7}")
            if verbose:
                for took, sql in queries.slowest():
                    print(f"    {took:8.1f} ms  {sql[:300]}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


ALL_START = datetime.date(2000, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["figures", "report", "pages", "every-page"])
    parser.add_argument("--verbose", action="store_true", help="show the slowest queries")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare each figure with its floor (last year, this year, all years)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL).")
    from people.models import Person

    today = datetime.date.today()
    if args.check:
        print(f"# Figures against floors: {Person.objects.count():,} people")
        last_year, this_year = datetime.date(today.year - 1, 1, 1), datetime.date(today.year, 1, 1)
        periods = {
            "last year": (last_year, this_year - datetime.timedelta(days=1)),
            "this year": (this_year, datetime.date(today.year, 12, 31)),
            "all years": (ALL_START, datetime.date(today.year, 12, 31)),
        }
        sys.exit(1 if check(periods) else 0)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    year = today.year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    print(f"# Brygga benchmark: {Person.objects.count():,} people on {connection.vendor}")
    reset_queries()
    if args.only in (None, "figures"):
        figures_table("one year", start, end, args.repeat)
        figures_table("all years", ALL_START, end, args.repeat)
    if args.only in (None, "report"):
        print("\n## Full report (build_report, suppression included)")
        report_rows(start, end, args.repeat, args.verbose)
    if args.only in (None, "pages"):
        pages(args.repeat, args.verbose)
    if args.only in (None, "pages", "every-page"):
        every_page(args.repeat, args.verbose)


if __name__ == "__main__":
    main()

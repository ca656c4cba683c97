"""Time the report, its figures and two pages against hand-written SQL floors.

Run on a PostgreSQL database filled by `generate_synthetic` (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_brygga DEBUG=0 \
        .venv/bin/python bench/benchmark.py [--repeat 3]

Prints, for each item, the best of `--repeat` runs in milliseconds and the ratio to its floor
(one hand-written SQL query giving the same figure). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from reports import figures  # noqa: E402
from reports.report import build_report  # noqa: E402

# One query each, giving the same figure as the function of the same name in reports/figures.py.
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
        AND (c.closed_on IS NULL OR c.closed_on > %(on)s)""",
    "contact_time_ended": """SELECT count(*), avg(days), min(days), max(days),
        percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY days) FROM (
        SELECT c.closed_on - min(o.accepted_on) AS days FROM people_case c
        JOIN provision_order o ON o.case_id = c.id
        WHERE c.closed_on BETWEEN %(start)s AND %(end)s AND o.accepted_on IS NOT NULL
        GROUP BY c.id) t""",
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
        AND (planned_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN %(start)s AND %(end)s
        GROUP BY created_by_id""",
    "visits_by_status": """SELECT status, count(*) FROM delivery_visit WHERE kind = 'visit'
        AND (planned_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN %(start)s AND %(end)s
        GROUP BY status""",
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


def best_ms(function, repeat: int) -> float:
    times = []
    for _n in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


def floor_ms(sql: str, params: dict, repeat: int) -> float:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return best_ms(run, repeat)


def call_figure(name: str, start, end, on):
    function = getattr(figures, name)
    arguments = function.__code__.co_varnames[: function.__code__.co_argcount]
    if arguments == ("on_date",):
        return lambda: function(on)
    return lambda: function(start, end)


def figures_table(label: str, start, end, repeat: int) -> None:
    params = {"start": start, "end": end, "on": end}
    print(f"\n## Figures, {label} ({start} – {end})")
    print(f"{'figure':<28} {'ms':>9} {'floor ms':>9} {'ratio':>6}")
    for name, sql in FLOORS.items():
        ours = best_ms(call_figure(name, start, end, end), repeat)
        floor = floor_ms(sql, params, repeat)
        print(f"{name:<28} {ours:>9.1f} {floor:>9.1f} {ours / max(floor, 0.01):>6.2f}")


def report_rows(start, end, repeat: int, verbose: bool = False) -> None:
    for label, (first, last) in {"year": (start, end), "all years": (ALL_START, end)}.items():
        with QueryLog() as queries:
            build_report(first, last)
        ms = best_ms(lambda f=first, t=last: build_report(f, t), repeat)
        floors = sum(
            floor_ms(sql, {"start": first, "end": last, "on": last}, 1) for sql in FLOORS.values()
        )
        print(
            f"full report, {label:<10} {ms:>9.1f} ms, {len(queries)} queries "
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


ALL_START = datetime.date(2000, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["figures", "report", "pages"])
    parser.add_argument("--verbose", action="store_true", help="show the slowest queries")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL).")
    from people.models import Person

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    year = datetime.date.today().year - 1
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


if __name__ == "__main__":
    main()

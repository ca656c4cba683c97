"""Disclosure control for analysts: fixed periods, every count of people rounded to base 5, so
that no difference between any two reports an analyst can ask for pins a count under five."""

from __future__ import annotations

import csv
import datetime
import io
import itertools

import pytest
from dateutil.relativedelta import relativedelta

from people.models import CaseStaffRole
from reports.report import build_report
from reports.suppression import HIDDEN, rounded
from tests.factories import CaseStaffFactory

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("exact", "published"),
    [(0, 0), (1, 0), (2, 0), (3, 5), (4, 5), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15)],
)
def test_a_count_is_published_rounded_to_the_nearest_multiple_of_five(exact, published):
    assert rounded(exact) == published
    assert rounded(exact) == rounded(exact)  # asking again gives the same answer


def _table(report, key):
    return next(t for s in report["sections"] for t in s["tables"] if t["key"] == key)


def _allowed_periods(year: int) -> list[tuple[D, D]]:
    """Every report an analyst may ask for in the year: its months, quarters and the year."""

    def span(start, months):
        return start, start + relativedelta(months=months) - datetime.timedelta(days=1)

    months = [span(D(year, m, 1), 1) for m in range(1, 13)]
    quarters = [span(D(year, m, 1), 3) for m in (1, 4, 7, 10)]
    return months + quarters + [span(D(year, 1, 1), 12)]


def _populate(world, coordinator, planted_source="social_insurance"):
    """An ordinary year, and one person planted alone in their source, month and closure."""
    sources = ["psychiatry", "relative", "self", "health_centre"]
    for index in range(40):
        person = world.person()
        month = 1 + index % 12
        world.intake(
            D(2025, month, 1 + index % 27),
            person=person,
            source=sources[index % 4],
            outcome="talk_offered" if index % 3 else "declined",
        )
        world.start(person, D(2025, month, 28))
        CaseStaffFactory(case=person.cases.first(), user=coordinator)
        if index % 4 == 0:
            world.close(person, D(2025, 12, 1 + index % 20), occupation="work")
    planted = world.person(first_name="Ensam", last_name="Enstaka")
    world.intake(D(2025, 3, 14), person=planted, source=planted_source, outcome="talk_offered")
    world.start(planted, D(2025, 3, 20))
    CaseStaffFactory(case=planted.cases.first(), user=coordinator)
    world.close(planted, D(2025, 11, 5), occupation="studies", consent=True)
    return planted


def _published_counts(report_csv: str, counted: dict) -> dict:
    """(table, row, column) -> value, for every published count of people in the CSV."""
    cells = {}
    for row in csv.DictReader(io.StringIO(report_csv)):
        kind = counted.get(row["table_key"])
        if kind is None or row["column"] in ("Andel (%)", "Share (%)"):
            continue
        if kind == "stats" and row["row_key"] != "n":
            continue
        cells[(row["table_key"], row["row_key"], row["column"])] = row["value"]
    return cells


def _tables_counting_people(start, end) -> dict:
    report = build_report(start, end, suppress=True)
    return {
        tbl["key"]: tbl["kind"]
        for section in report["sections"]
        for tbl in section["tables"]
        if tbl["sensitive"]
    }


def _feasible(published: int) -> range:
    """What a published count says about the exact one: within two either way, not negative."""
    return range(max(0, published - 2), published + 3)


def test_differencing_any_two_reports_recovers_no_count_under_five(
    world, coordinator, analyst, login
):
    _populate(world, coordinator)
    client = login(analyst)
    counted = _tables_counting_people(D(2025, 1, 1), D(2025, 12, 31))
    reports = {}
    for start, end in _allowed_periods(2025):
        response = client.get("/statistik/statistik.csv", {"start": start, "end": end})
        assert response.status_code == 200
        reports[start, end] = _published_counts(response.content.decode("utf-8-sig"), counted)

    attempts = 0
    for (_p1, first), (_p2, second) in itertools.combinations(reports.items(), 2):
        for cell in first.keys() & second.keys():
            a, b = first[cell], second[cell]
            assert a != "" and b != ""
            a, b = int(a), int(b)  # every published count is a number: nothing to hide
            attempts += 1
            difference = abs(a - b)
            # The subtraction of the issue: a difference of 1–4 would name one to four people.
            assert not 1 <= difference <= 4, (cell, a, b)
            # Nor can the exact values be narrowed to one under five: what the two published
            # values allow for their difference always includes 0 or five or more.
            possible = {abs(x - y) for x in _feasible(a) for y in _feasible(b)}
            assert possible - {1, 2, 3, 4}, (cell, a, b)
    # Within a report too: a total minus one of its cells, a unit's cells against another's.
    for cells in reports.values():
        by_column = {}
        for (table, _row, column), value in cells.items():
            by_column.setdefault((table, column), []).append(int(value))
        for values in by_column.values():
            for a, b in itertools.combinations(values, 2):
                attempts += 1
                assert not 1 <= abs(a - b) <= 4
    assert attempts > 1000


def test_the_same_attack_on_exact_figures_does_name_the_planted_person(world, coordinator):
    """What the rounding prevents: from exact figures the planted person is there to read."""
    _populate(world, coordinator)
    march = build_report(D(2025, 3, 1), D(2025, 3, 31), suppress=False)
    first_quarter = build_report(D(2025, 1, 1), D(2025, 3, 31), suppress=False)
    february = build_report(D(2025, 2, 1), D(2025, 2, 28), suppress=False)
    source = {row["key"]: row["values"][0] for row in _table(march, "intake_source")["rows"]}
    assert source["social_insurance"] == 1
    total = _table(first_quarter, "new_per_year")["total"]["values"][0]
    assert total - _table(february, "new_per_year")["total"]["values"][0] > 0

    protected = build_report(D(2025, 3, 1), D(2025, 3, 31), suppress=True)
    shown = {row["key"]: row["values"][0] for row in _table(protected, "intake_source")["rows"]}
    assert shown["social_insurance"] == 0  # one person: published as 0 (0–2)


def test_totals_are_rounded_from_their_exact_values_and_shares_from_what_is_shown(world):
    for source, n in (("psychiatry", 3), ("relative", 10), ("self", 12)):
        for _ in range(n):
            world.intake(D(2025, 3, 1), source=source)

    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    table = _table(report, "intake_source")
    shown = {row["key"]: row["values"] for row in table["rows"]}

    assert shown["psychiatry"][0] == 5 and shown["relative"][0] == 10 and shown["self"][0] == 10
    assert table["total"]["values"][0] == 25  # 25, not the sum of the rounded cells
    assert shown["psychiatry"][1] == 20.0  # 5 of 25: the share of what is published


def test_managers_report_is_exact(world):
    for _ in range(3):
        world.intake(D(2025, 3, 1), source="psychiatry")
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=False)
    shown = {row["key"]: row["values"][0] for row in _table(report, "intake_source")["rows"]}
    assert shown["psychiatry"] == 3


def test_statistics_over_fewer_than_five_people_are_hidden(world):
    for _ in range(2):
        person = world.person()
        world.start(person, D(2025, 1, 1))
        world.close(person, D(2025, 7, 1))
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    rows = {row["key"]: row["values"][0] for row in _table(report, "contact_time_ended")["rows"]}
    assert rows["n"] == 0  # two people, rounded
    assert rows["mean"] == HIDDEN and rows["max"] == HIDDEN


def test_the_caseload_is_rounded_for_analysts(world, coordinator):
    for _ in range(4):
        person = world.person()
        world.start(person, D(2025, 1, 1))
        CaseStaffFactory(
            case=person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
        )
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    assert [row["values"] for row in _table(report, "caseload")["rows"]] == [[5]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-01-01", "end": "2025-03-14"}, "end"),  # not a month, quarter or year
        ({"start": "2025-01-02", "end": "2025-01-31"}, "end"),  # a month a day short
        ({"start": "2025-01-01", "end": "2025-06-30"}, "end"),  # half a year
        ({"start": "2025-03-01", "end": "2025-03-31", "on": "2025-03-15"}, "on"),
    ],
)
def test_an_analyst_may_ask_only_for_a_month_a_quarter_or_a_year(
    analyst, manager, login, params, field
):
    for path in ("/statistik/", "/statistik/statistik.csv"):
        response = login(analyst).get(path, params)
        assert response.status_code == 400
        assert response.context["form"].errors[field]
    page = login(analyst).get("/statistik/", params).content.decode()
    assert "Välj en kalendermånad, ett kvartal eller ett år" in page or "sista dag" in page
    assert login(manager).get("/statistik/", params).status_code == 200  # exact, any period


def test_an_analyst_may_not_ask_for_a_period_that_has_not_ended(analyst, login):
    today = datetime.date.today()
    start = today.replace(day=1)
    end = start + relativedelta(months=1) - datetime.timedelta(days=1)
    response = login(analyst).get("/statistik/", {"start": start, "end": end})
    assert response.status_code == 400
    assert "Välj en period som har tagit slut." in response.content.decode()


def test_an_analyst_is_offered_only_fixed_periods_and_starts_on_the_last_month(analyst, login):
    response = login(analyst).get("/statistik/")
    assert response.status_code == 200
    period = response.context["report"]["period"]
    assert period["start"].day == 1 and period["end"] < datetime.date.today()
    assert period["end"] == period["start"] + relativedelta(months=1) - datetime.timedelta(days=1)
    assert "Alla år" not in response.content.decode()

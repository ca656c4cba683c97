"""The statistics page and its downloads: who may use them, what they show, bad input."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from people.models import CaseStaffRole
from tests.factories import CaseStaffFactory

D = datetime.date
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}

pytestmark = pytest.mark.django_db


def _small_world(world, coordinator, *, psychiatry=3, relative=10):
    people = []
    for source, n in (("psychiatry", psychiatry), ("relative", relative)):
        for _ in range(n):
            person = world.person(first_name="Elin", last_name="Hemligsson")
            world.intake(D(2025, 2, 1), person=person, source=source, outcome="talk_offered")
            world.start(person, D(2025, 3, 1))
            CaseStaffFactory(
                case=person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
            )
            people.append(person)
    return people


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("analyst", 200),
        ("manager", 200),
        ("coordinator", 403),
        ("officer", 403),
        ("meeting_staff", 403),
    ],
)
def test_who_may_see_the_report(request, login, who, status):
    user = request.getfixturevalue(who)
    for path in ("/statistik/", "/statistik/statistik.csv", "/statistik/statistik.xlsx"):
        assert login(user).get(path, PERIOD).status_code == status


def test_anonymous_goes_to_login(client):
    response = client.get("/statistik/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_analyst_sees_aggregates_without_names_and_with_counts_rounded(
    world, coordinator, analyst, login
):
    people = _small_world(world, coordinator)
    page = login(analyst).get("/statistik/", PERIOD).content.decode()

    assert "Hemligsson" not in page
    assert people[0].personal_number not in page
    assert "/personer/" not in page
    assert coordinator.last_name not in page  # coordinators are numbered for analysts
    assert "avrundas varje antal personer till närmaste multipel av 5" in page
    assert "Mellan åren 2010 och 2015 fick 58 personer" in page  # the review's figure it answers
    assert "<svg" in page and "<table" in page


def test_manager_sees_exact_figures(world, coordinator, manager, login):
    _small_world(world, coordinator)
    response = login(manager).get("/statistik/statistik.csv", PERIOD)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = {(r["table_key"], r["row_key"], r["column"]): r["value"] for r in rows}
    psychiatry = [
        v for (t, k, _c), v in values.items() if t == "intake_source" and k == "psychiatry"
    ]
    assert psychiatry[0] == "3"


def test_csv_holds_the_same_rounded_figures(world, coordinator, analyst, login):
    _small_world(world, coordinator)
    response = login(analyst).get("/statistik/statistik.csv", PERIOD)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    source = {
        r["row_key"]: r["value"]
        for r in rows
        if r["table_key"] == "intake_source" and r["column"] in ("Antal", "Count")
    }
    assert source["psychiatry"] == "5"  # 3
    assert source["relative"] == "10"
    assert source["total"] == "15"  # 13, rounded from its exact value
    new = {
        r["row_key"]: r["value"]
        for r in rows
        if r["table_key"] == "new_per_year" and r["column"] in ("Personer", "People")
    }
    assert new == {"2025": "15", "total": "15"}


def test_excel_file_reads_back_with_the_figures(world, coordinator, analyst, login):
    _small_world(world, coordinator, psychiatry=5, relative=7)
    response = login(analyst).get("/statistik/statistik.xlsx", PERIOD)

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].value  # the cover sheet with the period
    intakes = {}
    for row in workbook.worksheets[1].iter_rows(values_only=True):  # the first table: by source
        if not any(cell is not None for cell in row):
            break
        intakes[row[0]] = row[1:]
    assert intakes["Psykiatrin"][0] == 5
    assert intakes["Anhörig"][0] == 5  # 7, rounded
    with translation.override("sv"):
        assert intakes[translation.gettext("Total")][0] == 10  # 12, rounded


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13-01", "end": "2025-12-31"}, "Ange ett giltigt datum"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "får inte"),
        ({"start": "1200-01-01", "end": "2025-01-01"}, "1990"),
    ],
)
def test_bad_dates_give_a_swedish_message(analyst, login, params, message):
    response = login(analyst).get("/statistik/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert login(analyst).get("/statistik/statistik.csv", params).status_code == 400


def test_the_page_runs_the_same_queries_for_little_and_much_data(
    world, coordinator, analyst, login
):
    client = login(analyst)
    client.get("/statistik/", PERIOD)
    _small_world(world, coordinator, psychiatry=1, relative=1)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/statistik/", PERIOD).status_code == 200
        return len(captured.captured_queries)

    few = count()
    _small_world(world, coordinator, psychiatry=20, relative=25)
    assert count() == few


def test_manager_sees_coordinators_by_name(world, coordinator, manager, login):
    _small_world(world, coordinator, psychiatry=1, relative=0)
    page = login(manager).get("/statistik/", PERIOD).content.decode()
    assert coordinator.last_name in page


@pytest.mark.parametrize(
    ("who", "shown"), [("analyst", True), ("manager", True), ("coordinator", False)]
)
def test_statistics_is_in_the_navigation_of_analysts_and_managers(request, login, who, shown):
    page = login(request.getfixturevalue(who)).get("/").content.decode()
    assert ('href="/statistik/"' in page) is shown


def test_without_a_period_the_page_shows_this_year_so_far(manager, login):
    response = login(manager).get("/statistik/")
    assert response.status_code == 200
    assert response.context["report"]["period"]["start"].month == 1


def test_charts_draw_shown_values_and_no_bar_for_hidden_ones():
    from reports.charts import bar_chart

    table = {
        "key": "new_per_year",
        "rows": [
            {"label": "2024", "values": [10]},
            {"label": "2025", "values": [".."]},
            {"label": "2026", "values": [5]},
        ],
    }
    chart = bar_chart(table)
    assert [bar["length"] for bar in chart["bars"]] == [330, 0, 165]
    assert chart["bars"][1]["value"] == ".."
    assert all(isinstance(bar["text_y"], int) for bar in chart["bars"])

"""The capacity forecast: Little's law, queues when places run out, and the manager's page."""

from __future__ import annotations

from reports.forecast import forecast, percentile


def test_littles_law_with_ample_places():
    # 9.6 new people a year (0.8 a month) staying 19 months: L = 0.8 * 19 = 15.2 ongoing.
    rows = forecast(
        intake_rate=0.8, share_granted=1.0, durations=[19.0], places=1000, months=60, runs=200
    )
    steady = [row.ongoing.median for row in rows[24:]]  # after one contact time has passed
    assert 14.5 <= sum(steady) / len(steady) <= 16.0
    assert all(row.waiting.high == 0 for row in rows)  # nobody waits with ample places


def test_littles_law_holds_through_the_share_granted_and_mixed_durations():
    # 1.6 intakes a month, half granted = 0.8 a month; contact times average 19 months.
    rows = forecast(
        intake_rate=1.6,
        share_granted=0.5,
        durations=[7.0, 19.0, 31.0],
        places=1000,
        months=60,
        runs=200,
    )
    steady = [row.ongoing.median for row in rows[36:]]
    assert 14.0 <= sum(steady) / len(steady) <= 16.5


def test_too_few_places_make_a_waiting_list_that_grows():
    # 20 places all taken for a long time, 1 granted a month: the line grows by about 1 a month.
    rows = forecast(
        intake_rate=1.0,
        share_granted=1.0,
        durations=[60.0],
        places=20,
        ongoing_elapsed=[1.0] * 20,
        months=12,
    )
    assert rows[-1].ongoing.median == 20
    assert 9 <= rows[-1].waiting.median <= 15
    assert rows[-1].waiting.low <= rows[-1].waiting.median <= rows[-1].waiting.high
    assert rows[0].waiting.median < rows[-1].waiting.median


def test_people_waiting_now_start_when_places_free_up():
    # Nobody in support, 3 waiting for 2 months, 5 places: all start at once, waited 2 months.
    rows = forecast(
        intake_rate=0.0,
        share_granted=1.0,
        durations=[24.0],
        places=5,
        waiting_since=[2.0, 2.0, 2.0],
        months=12,
    )
    assert rows[0].ongoing.median == 3
    assert rows[0].waiting.median == 0
    assert rows[0].wait_months.median == 2.0


def test_the_same_history_gives_the_same_forecast():
    args = dict(intake_rate=2.0, share_granted=0.4, durations=[5.0, 12.0, 30.0], places=6)
    assert forecast(**args) == forecast(**args)


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1) == 2
    assert percentile([0, 10], 0.5) == 5


def test_the_managers_capacity_page_shows_the_forecast_from_the_units_history(
    org, officer, manager, login
):
    from django.core.management import call_command

    from organisation.roles import roles_of
    from reports.capacity import capacity_forecasts
    from tests.factories import SupportKindFactory
    from tests.history.test_import import EXAMPLE

    kind = SupportKindFactory(code="bryta-isolering", name="Bryta isolering", places=20)
    kind.provider_units.add(org["north"])
    call_command(
        "import_history",
        str(EXAMPLE),
        "--user",
        manager.username,
        "--unit",
        "Myndigheten",
        "--source",
        "gamla",
        stdout=__import__("io").StringIO(),
    )
    import datetime

    units = roles_of(manager).unit_ids("manager")
    (item,) = capacity_forecasts(units, [kind], datetime.date(2016, 1, 1))
    # From the example: 3 ended cases (580, 548 and 242 days), 1 in support, nobody waiting.
    assert item.ended_cases == 3
    assert round(item.mean_contact_months, 1) == round((580 + 548 + 242) / 3 / 30.44, 1)
    assert item.ongoing_now == 1 and item.waiting_now == 0
    assert len(item.months) == 12
    # The forecast's contact times are the statistics report's (one definition, in reports).
    from reports import figures

    ended = figures.contact_time_ended(datetime.date(2000, 1, 1), datetime.date(2016, 1, 1))
    assert ended["n"] == item.ended_cases
    assert round(ended["mean"] / figures.DAYS_PER_MONTH, 6) == round(item.mean_contact_months, 6)

    page = login(manager).get("/uppdrag/kapacitet/")
    assert page.status_code == 200
    assert 'id="forecast-heading"' in page.content.decode()
    assert "Hur prognosen räknas" in page.content.decode()


def test_a_very_large_unit_gets_fewer_runs_but_the_same_answer_twice():
    from reports.forecast import runs_for

    assert runs_for(0.8, 12, 15) == 200  # a service of Uppsala's size: the full 200
    assert 20 <= runs_for(400.0, 12, 5000) < 200
    args = dict(intake_rate=400.0, share_granted=0.5, durations=[6.0, 19.0], places=4000)
    first = forecast(**args, ongoing_elapsed=[3.0] * 3000)
    assert first == forecast(**args, ongoing_elapsed=[3.0] * 3000)


def test_the_forecast_runs_the_same_number_of_queries_whatever_the_history(
    org, officer, manager, tmp_path
):
    import datetime
    import io
    import json

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisation.roles import roles_of
    from reports.capacity import capacity_forecasts
    from tests.factories import SupportKindFactory
    from tests.history.test_import import EXAMPLE

    kind = SupportKindFactory(code="bryta-isolering", places=20)
    kind.provider_units.add(org["north"])
    units = roles_of(manager).unit_ids("manager")

    def imported(copies: int) -> int:
        lines = []
        for copy in range(copies):
            for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
                text = line.replace('"U-0', f'"C{copy}-U-0').replace('"X-0', f'"C{copy}-X-0')
                obj = json.loads(text)
                if not obj.get("unidentified"):
                    obj["personal_number"] = None
                    obj["reserve_number"] = f"R-{copy}-{obj['id']}"
                lines.append(json.dumps(obj))
        path = tmp_path / f"h{copies}.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")
        call_command(
            "import_history",
            str(path),
            "--user",
            manager.username,
            "--unit",
            "Myndigheten",
            "--source",
            "gamla",
            stdout=io.StringIO(),
        )
        with CaptureQueriesContext(connection) as queries:
            capacity_forecasts(units, [kind], datetime.date(2016, 1, 1))
        return len(queries)

    assert imported(1) == imported(5)

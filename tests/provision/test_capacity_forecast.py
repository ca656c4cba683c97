"""The capacity forecast as a manager reads it: plain words, a chart, and no figure from nothing."""

from __future__ import annotations

import datetime
import io
import re

from django.core.management import call_command
from django.utils import timezone

from organisation.roles import roles_of
from provision.models import Order, OrderStatus
from reports.capacity import capacity_forecasts
from reports.forecast import forecast
from reports.models import CapacityForecast

PAGE = "/uppdrag/kapacitet/"


def _ended(make_order, today, months, *, lead_days=0):
    """A case of the kind that started and closed again, `months` of support long."""
    decided = today - datetime.timedelta(days=round(months * 30.44) + 60)
    order = make_order(decided_on=decided, status=OrderStatus.ACCEPTED)
    order.accepted_on = decided + datetime.timedelta(days=lead_days)
    order.save(update_fields=["accepted_on"])
    order.case.closed_on = order.accepted_on + datetime.timedelta(days=round(months * 30.44))
    order.case.save(update_fields=["closed_on"])
    return order


def test_a_kind_without_ended_cases_gets_no_forecast_and_the_page_says_why(
    make_order, manager, kind, login
):
    today = timezone.localdate()
    make_order(decided_on=today - datetime.timedelta(days=5))  # one waiting, none ended

    units = roles_of(manager).unit_ids("manager")
    (item,) = capacity_forecasts(units, [kind], today)
    assert not item.enough_history
    assert item.months == []  # no borrowed 19 months drawn as if it were the unit's own
    assert item.mean_contact_months is None

    page = login(manager).get(PAGE).content.decode()
    assert "cannot be made yet" in page
    assert "0 ended cases" in page
    assert "19.0" not in page and "19,0" not in page
    assert "forecast-chart" not in page


def test_the_forecast_speaks_a_managers_words_with_a_chart_and_a_table(
    make_order, manager, kind, login
):
    today = timezone.localdate()
    for months in (6, 9, 12, 15):
        _ended(make_order, today, months)
    make_order(decided_on=today - datetime.timedelta(days=20), status=OrderStatus.ACCEPTED)

    page = login(manager).get(PAGE).content.decode()
    for jargon in ("M/G/c", "Monte Carlo", "Poisson", "percentile", "simulated"):
        assert jargon not in page
    assert "In a year about" in page
    assert "coordinator" in page  # how many staff it needs
    # The method is there for whoever asks, collapsed, in plain words.
    details = re.search(r"(?s)<details>\s*<summary>(.*?)</summary>", page)
    assert details and details.group(1) == "How the forecast is made"
    # An accessible chart: an image with a title and a description, then the table of figures.
    svg = re.search(r'(?s)<svg class="forecast-chart".*?</svg>', page).group(0)
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title id=" in svg and "<desc id=" in svg
    assert "<script" not in page.split('id="forecast-heading"')[1].split("caseload-heading")[0]
    assert page.index("forecast-chart") < page.index("Month by month")


def test_people_waiting_now_still_wait_at_the_start_of_the_forecast():
    # Places are free, but starting has always taken the unit about two months from decision:
    # the person decided on a week ago is still waiting at the end of the first month.
    rows = forecast(
        intake_rate=0.0,
        share_granted=1.0,
        durations=[12.0],
        places=10,
        waiting_since=[0.25],
        lead_times=[2.0, 2.0, 2.5],
        months=12,
    )
    assert rows[0].waiting.median == 1
    assert rows[0].ongoing.median == 0
    assert rows[-1].waiting.median == 0 and rows[-1].ongoing.median == 1


def test_the_first_month_agrees_with_those_waiting_now_or_says_why(
    make_order, manager, kind, login
):
    today = timezone.localdate()
    for months in (6, 9, 12):
        _ended(make_order, today, months, lead_days=45)  # starting has taken about 6 weeks
    make_order(decided_on=today - datetime.timedelta(days=3))  # waiting now

    units = roles_of(manager).unit_ids("manager")
    (item,) = capacity_forecasts(units, [kind], today)
    assert item.waiting_now == 1
    assert item.months[0].waiting.median == 1  # not "0 (0–0)" next to "waiting now 1"
    assert item.rows[0]["now"] and item.rows[0]["waiting"].median == 1

    # Without such a history, a free place is taken at once: the page says so in words.
    for order in Order.objects.filter(support_kind=kind, status=OrderStatus.ACCEPTED):
        order.accepted_on = order.decision.decided_on
        order.save(update_fields=["accepted_on"])
    (item,) = capacity_forecasts(units, [kind], today)
    assert item.months[0].waiting.median == 0 and item.first_month_explained
    page = login(manager).get(PAGE).content.decode()
    assert "expected to have started by the end of the first month" in page


def _waiting_in_a_year(page: str) -> str:
    return re.search(r"In a year about (\d+) will be waiting", page).group(1)


def test_the_forecast_is_made_once_a_day_and_says_when(make_order, manager, kind, login):
    today = timezone.localdate()
    for months in (6, 9, 12, 15):
        _ended(make_order, today, months)
    client = login(manager)
    first = client.get(PAGE).content.decode()
    assert "The forecast was made" in first
    made = CapacityForecast.objects.get()
    assert timezone.localtime(made.computed_at).strftime("%Y-%m-%d %H:%M") in first

    # Thirty more people waiting from today: the day's forecast stands, and says from when.
    for _ in range(30):
        make_order(decided_on=today)
    again = client.get(PAGE).content.decode()
    assert _waiting_in_a_year(again) == _waiting_in_a_year(first)
    assert CapacityForecast.objects.count() == 1

    # The next day (the stored forecast is yesterday's) the new history counts.
    CapacityForecast.objects.update(computed_on=today - datetime.timedelta(days=1))
    tomorrow = client.get(PAGE).content.decode()
    assert int(_waiting_in_a_year(tomorrow)) > int(_waiting_in_a_year(first))


def test_changing_the_places_gives_a_new_forecast_at_once(make_order, manager, kind, login):
    today = timezone.localdate()
    for months in (6, 9, 12, 15):
        _ended(make_order, today, months)
    for _ in range(12):
        make_order(decided_on=today - datetime.timedelta(days=3))
    client = login(manager)
    assert "of 20 places" in client.get(PAGE).content.decode()
    kind.places = 2
    kind.save(update_fields=["places"])
    page = client.get(PAGE).content.decode()
    assert "of 2 places" in page
    assert int(_waiting_in_a_year(page)) >= 10  # two places cannot take twelve waiting


def test_the_daily_jobs_make_every_managers_forecast_before_anyone_asks(
    make_order, manager, kind, login
):
    today = timezone.localdate()
    for months in (6, 9, 12):
        _ended(make_order, today, months)
    CapacityForecast.objects.create(
        units_key="old",
        computed_on=today - datetime.timedelta(days=2),
        computed_at=timezone.now(),
        forecasts=[],
    )
    out = io.StringIO()
    call_command("warm_capacity_forecasts", stdout=out)
    assert "1 sets of units" in out.getvalue()
    made = CapacityForecast.objects.get()  # yesterday's and older are gone
    assert made.computed_on == today
    page = login(manager).get(PAGE).content.decode()
    assert timezone.localtime(made.computed_at).strftime("%Y-%m-%d %H:%M") in page
    assert "In a year about" in page
    assert CapacityForecast.objects.count() == 1

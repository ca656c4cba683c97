"""The person page: scores over time as a chart with bands, change, reliable change, versions."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments import definitions
from instruments.models import Response
from tests.instruments.administering import (  # noqa: F401
    _english,
    definitions_dir,
    demo_wording,
    draft,
    madrs_answers,
    madrs_data,
    rated,
    write_definition,
)


def _answers_totalling(total: int) -> dict:
    """MADRS-S answers adding up to `total` (0-48 with item 9 at 0)."""
    answers = {str(i): 0 for i in range(1, 10)}
    for i in range(1, 9):
        answers[str(i)] = min(6, total)
        total -= answers[str(i)]
    assert total == 0
    return answers


def _page(client, person) -> str:
    return client.get(f"/personer/{person.pk}/").content.decode()


def test_the_chart_draws_the_bands_and_the_table_holds_the_same_numbers(login, coordinator, person):
    rated(person, coordinator, _answers_totalling(30), day=datetime.date(2025, 3, 3))
    rated(person, coordinator, _answers_totalling(16), day=datetime.date(2025, 6, 2))
    page = _page(login(coordinator), person)
    svg = re.search(r"<svg class=\"score-chart\".*?</svg>", page, re.S).group(0)
    # MADRS-S has four bands: 0-12, 13-19, 20-34, 35-54.
    assert svg.count('class="band"') == 4
    assert "Svår depression (35–54)" in svg and "Ingen eller minimal depression (0–12)" in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg
    assert 'aria-hidden="true"' in svg
    table = page[page.index("every rating, oldest first") :]
    assert re.search(r"2025-03-03.*?>30<.*?Måttlig depression", table, re.S)
    assert re.search(r"2025-06-02.*?>16<.*?Lätt depression", table, re.S)
    assert "Change since the first rating (2025-03-03): -14 points." in page
    assert "bands are guidance only" in page
    assert "Reliable change cannot be computed" in page


def test_reliable_change_where_the_definition_has_the_figures(
    login,
    coordinator,
    person,
    definitions_dir,  # noqa: F811
):
    rated(person, coordinator, _answers_totalling(30), day=datetime.date(2025, 3, 3))
    data = madrs_data()
    data["version"] = "3"
    data["scoring"]["reliability"] = {"r": 0.8, "sd": 8}
    write_definition(definitions_dir, data)
    rated(person, coordinator, _answers_totalling(10), day=datetime.date(2025, 9, 1))
    page = _page(login(coordinator), person)
    # SE_diff = 8 * sqrt(2) * sqrt(1 - 0.8) = 5.06; RCI = (10 - 30) / 5.06 = -3.95.
    assert "Reliable change index -3.95 (threshold ±1.96)" in page
    assert "reliably improved" in page


def test_a_response_keeps_its_score_when_a_newer_definition_exists(
    login,
    coordinator,
    person,
    definitions_dir,  # noqa: F811
):
    old = rated(person, coordinator, _answers_totalling(14))
    assert (old.version, old.total, old.band_code) == ("2", 14, "mild")
    data = madrs_data()
    data["version"] = "3"
    data["scoring"]["bands"] = [
        {"code": "low", "label": "Låg", "low": 0, "high": 20},
        {"code": "high", "label": "Hög", "low": 21, "high": 54},
    ]
    write_definition(definitions_dir, data)
    assert definitions.versions("madrs-s") == ["1", "2", "3"]

    new = rated(person, coordinator, _answers_totalling(14), day=datetime.date(2025, 4, 1))
    assert (new.version, new.band_code) == ("3", "low")
    old.refresh_from_db()
    assert (old.version, old.total, old.band_code) == ("2", 14, "mild")
    detail = login(coordinator).get(f"/skattningar/{old.pk}/").content.decode()
    assert "Lätt depression" in detail and "Låg" not in detail
    assert "the newest is 3" in detail


def test_the_section_runs_the_same_queries_for_1_and_10_responses(
    login,
    coordinator,
    person,
    demo_wording,  # noqa: F811
):
    client = login(coordinator)
    rated(person, coordinator, madrs_answers(item9=4))
    draft(person, coordinator, code="audit")
    client.get(f"/personer/{person.pk}/")  # warm up

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/personer/{person.pk}/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    for n in range(9):
        rated(
            person,
            coordinator,
            madrs_answers(item9=5, rest=n % 6),
            day=datetime.date(2025, 4, 1) + datetime.timedelta(days=n),
        )
    from instruments import actions

    actions.send_home_link(user=coordinator, person=person, code="madrs-s", occasion="visit")
    assert Response.objects.filter(person=person).count() == 12
    assert count() == few


def test_two_dates_of_en_vanlig_dag_side_by_side(login, coordinator, person):
    first = {"slot.morning.what": "Sover", "slot.morning.feeling": "hard"}
    second = {"slot.morning.what": "Promenad", "slot.morning.feeling": "ok"}
    rated(person, coordinator, first, code="en-vanlig-dag", day=datetime.date(2025, 3, 3))
    rated(person, coordinator, second, code="en-vanlig-dag", day=datetime.date(2025, 9, 1))
    client = login(coordinator)
    page = _page(client, person)
    assert f"/skattningar/person/{person.pk}/jamfor/en-vanlig-dag/" in page
    compare = client.get(f"/skattningar/person/{person.pk}/jamfor/en-vanlig-dag/").content.decode()
    assert "2025-03-03" in compare and "2025-09-01" in compare
    assert re.search(r"Förmiddag.*?Vad gör du\?.*?Sover.*?Promenad", compare, re.S)


def test_ratings_appear_on_the_timeline(coordinator, person):
    from core import timeline

    rated(person, coordinator, _answers_totalling(14))
    draft(person, coordinator)
    entries = list(timeline.entries_for(person, only=["ratings"]))
    assert len(entries) == 1
    assert entries[0].kind == "ratings" and "14" in entries[0].title


def test_the_demo_gives_ratings_a_risk_alert_and_an_open_link(db):
    from django.contrib.auth import get_user_model

    from demo.data import load_demo
    from demo.instruments import load_instruments
    from instruments.models import HomeLink, RiskAlert

    today = datetime.date(2026, 1, 15)
    load_demo(today=today)
    users = {u.username: u for u in get_user_model().objects.all()}
    load_instruments(users, today)
    load_instruments(users, today)  # idempotent
    alert = RiskAlert.objects.get()
    assert alert.person.first_name == "Elin" and alert.is_open
    link = HomeLink.objects.get()
    assert link.response.person.first_name == "Jonas" and link.state == "open"
    ali = Response.objects.filter(person__first_name="Ali", code="madrs-s").order_by(
        "administered_on"
    )
    assert [r.total for r in ali] == [30, 22, 14]

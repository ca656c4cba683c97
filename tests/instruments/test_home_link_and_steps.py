"""What a staff member and the person read: the home-link form offers only what may be sent,
a step between two descriptions is named by them, and a chart's band labels are whole."""

from __future__ import annotations

import datetime
import html
import re

import pytest

from instruments import actions, charts, definitions
from instruments.actions import home_link_refusal
from tests.instruments.administering import (  # noqa: F401
    _english,
    demo_wording,
    madrs_answers,
    rated,
)

# MADRS-S's described answers are the loaded text (here the demo's wording).
pytestmark = pytest.mark.usefixtures("demo_wording")


def _offered(page: str) -> list[str]:
    select = re.search(r'(?s)<select name="code".*?</select>', page).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_home_link_form_offers_only_instruments_that_may_be_sent(login, coordinator, person):
    page = login(coordinator).get(f"/skattningar/person/{person.pk}/hemlank/").content.decode()
    offered = _offered(page)
    assert "madrs-s" in offered
    for code in ("spsq", "kasam-13", "kasam-29", "sheehan"):
        assert code not in offered  # no longer offered only to be refused after submit
        assert definitions.load(code).title in html.unescape(page)  # named, with the reason
    # The form and the refusal keep one rule: everything offered may be sent.
    assert offered and all(home_link_refusal(definitions.load(c)) is None for c in offered)


def test_a_step_between_two_descriptions_shows_as_text_not_a_bare_number(
    login, coordinator, person
):
    answers = madrs_answers(rest=1)  # every item answered with the step between 0 and 2
    response = rated(person, coordinator, answers, day=datetime.date(2025, 3, 3))
    page = html.unescape(login(coordinator).get(f"/skattningar/{response.pk}/").content.decode())
    assert "1 – between “Jag kan känna mig glad eller …” and “Jag känner mig nedstämd" in page
    cells = re.findall(r'<th scope="row">[^<]*</th><td>([^<]*)</td>', page)
    assert cells and not any(cell.strip() in {"1", "3", "5"} for cell in cells)

    item = actions.definition_for("madrs-s").item("1")
    assert item.option_text(3).startswith("3 – between “Jag känner mig nedstämd")
    assert item.option_text(0) == item.option(0).text  # a described option is as loaded


def test_the_answer_form_names_the_steps_between_descriptions(login, coordinator, person):
    from tests.instruments.administering import draft

    response = draft(person, coordinator)
    page = html.unescape(
        login(coordinator).get(f"/skattningar/{response.pk}/svar/").content.decode()
    )
    labels = re.findall(r'(?s)<label for="id_q_1_\d">(.*?)</label>', page)
    assert len(labels) == 7
    assert labels[1].startswith("1 – between") and labels[5].startswith("5 – between")


def test_band_labels_beside_the_chart_are_whole_or_carry_their_full_text(
    login, coordinator, person
):
    rated(person, coordinator, madrs_answers(rest=3), day=datetime.date(2025, 3, 3))
    rated(person, coordinator, madrs_answers(rest=2), day=datetime.date(2025, 6, 2))
    page = html.unescape(login(coordinator).get(f"/personer/{person.pk}/").content.decode())
    svg = re.search(r'(?s)<svg class="score-chart".*?</svg>', page).group(0)
    texts = re.findall(r"(?s)<text[^>]*><title>(.*?)</title>(.*?)</text>", svg)
    full = {title for title, _spans in texts}
    assert "Måttlig depression (20–34)" in full
    assert "Ingen eller minimal depression (0–12)" in full
    room = charts.WIDTH - (charts.WIDTH - charts.RIGHT + 6)
    for title, spans in texts:
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", spans)
        shown = " ".join(lines)
        assert shown == title or shown.endswith("…")  # wrapped, or visibly shortened
        assert all(len(line) * 6.2 <= room for line in lines)  # each line fits beside the plot
    caption = re.search(r"(?s)<figcaption.*?</figcaption>", page).group(0)
    assert "Måttlig depression (20–34)" in caption and "Svår depression (35–54)" in caption


def test_a_label_too_long_for_its_band_ends_visibly_shortened():
    lines = charts.wrap_label("Zon III: skadligt bruk och mycket annat som inte får plats", 14)
    assert len(lines) == 1 and lines[0].endswith("…")
    assert charts.wrap_label("Lätt depression (13–19)", 40) == ["Lätt depression (13–19)"]

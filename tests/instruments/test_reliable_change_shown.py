"""Reliable change is shown wherever a score is compared with an earlier one: on the rating's
own page (against the previous rating) and in the person's table of ratings (each rating
against the one before), with the figures the definition records (KASAM-13: r 0.70, SD 11.7,
SE_diff 9.0628, see test_reliable_change_figures.py) and a plain statement where there are none."""

from __future__ import annotations

import datetime
import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry
from tests.instruments.administering import _english, madrs_answers, rated  # noqa: F401
from tests.instruments.test_reliable_change_figures import soc13_answers

FIRST, SECOND, THIRD = (
    datetime.date(2025, 3, 3),
    datetime.date(2025, 6, 2),
    datetime.date(2025, 9, 1),
)


def _kasam(person, user, total, day):
    return rated(person, user, soc13_answers(total), day=day, code="kasam-13")


def _text(client, url) -> str:
    page = html.unescape(client.get(url).content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_rating_page_compares_with_the_previous_rating_with_reliable_change(
    login, coordinator, person
):
    _kasam(person, coordinator, 60, FIRST)
    second = _kasam(person, coordinator, 40, SECOND)  # 20 points lower; higher is better
    page = _text(login(coordinator), f"/skattningar/{second.pk}/")
    # RCI = (40 - 60) / 9.0628 = -2.207: beyond -1.96, and a fall is a deterioration.
    assert "Compared with the previous rating (2025-03-03, total 60): −20 points." in page
    assert "Reliable change index -2.21 (threshold ±1.96): reliably deteriorated ." in page


def test_a_change_within_the_threshold_is_not_reliable(login, coordinator, person):
    _kasam(person, coordinator, 60, FIRST)
    second = _kasam(person, coordinator, 77, SECOND)
    # RCI = 17 / 9.0628 = 1.876: not beyond 1.96.
    page = _text(login(coordinator), f"/skattningar/{second.pk}/")
    assert "+17 points." in page and "1.88 (threshold ±1.96): no reliable change" in page


def test_without_published_figures_the_page_says_so(login, coordinator, person):
    rated(person, coordinator, madrs_answers(rest=3), day=FIRST)
    second = rated(person, coordinator, madrs_answers(rest=1), day=SECOND)
    page = _text(login(coordinator), f"/skattningar/{second.pk}/")
    assert "Compared with the previous rating (2025-03-03, total 24): −16 points." in page
    assert "Reliable change cannot be computed: the definition lacks reliability figures." in page


def test_the_first_rating_is_compared_with_nothing(login, coordinator, person):
    first = _kasam(person, coordinator, 60, FIRST)
    _kasam(person, coordinator, 40, SECOND)  # a later rating is not an earlier one
    page = _text(login(coordinator), f"/skattningar/{first.pk}/")
    assert "Compared with the previous rating" not in page


def test_the_previous_rating_shown_is_logged_as_read(login, coordinator, person):
    first = _kasam(person, coordinator, 60, FIRST)
    second = _kasam(person, coordinator, 40, SECOND)
    login(coordinator).get(f"/skattningar/{second.pk}/")
    read = set(
        AccessLogEntry.objects.filter(record_type="instrument_response").values_list(
            "record_id", flat=True
        )
    )
    assert {str(first.pk), str(second.pk)} <= read


def test_the_persons_table_shows_each_step_with_its_reliable_change(login, coordinator, person):
    _kasam(person, coordinator, 60, FIRST)
    _kasam(person, coordinator, 40, SECOND)
    _kasam(person, coordinator, 50, THIRD)
    page = _text(login(coordinator), f"/personer/{person.pk}/")
    assert "Change from the previous rating (points)" in page
    assert "−20; reliably deteriorated" in page  # (40 - 60) / 9.0628 = -2.21
    assert "+10; no reliable change" in page  # (50 - 40) / 9.0628 = 1.10


def test_the_rating_page_runs_the_same_queries_with_or_without_an_earlier_rating(
    login, coordinator, person
):
    client = login(coordinator)
    only = _kasam(person, coordinator, 60, FIRST)
    client.get(f"/skattningar/{only.pk}/")

    def count(response) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/skattningar/{response.pk}/").status_code == 200
        return len(captured.captured_queries)

    alone = count(only)
    later = _kasam(person, coordinator, 40, SECOND)
    for n in range(5):
        _kasam(person, coordinator, 50 + n, THIRD + datetime.timedelta(days=n))
    # The first has no earlier rating, the second one; the page asks the same either way
    # (plus the access-log row for the earlier rating it shows).
    assert count(later) <= alone + 1

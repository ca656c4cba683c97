"""The person's timeline in a browser: reached from the person page, filtered, accessible."""

from __future__ import annotations

import pytest

from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser


def test_the_timeline_is_reached_filtered_and_accessible(page):
    log_in(page, "coordinator")
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    page.goto(f"/personer/{elin.pk}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/tidslinje/person/{elin.pk}/']").click()
    assert not structure_problems(page)
    assert_accessible(page)
    everything = page.locator("main tbody tr").count()
    assert everything > 10

    page.get_by_label("Besök", exact=True).check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    kinds = set(page.locator("main tbody tr td:nth-child(2)").all_inner_texts())
    assert kinds == {"Besök"}
    assert 0 < page.locator("main tbody tr").count() < everything
    assert_accessible(page)

    page.fill("#id_start", "2026-05-01")
    page.fill("#id_end", "2026-04-01")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1
    assert not structure_problems(page)
    assert_accessible(page)
    assert not page.problems

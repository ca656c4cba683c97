"""An officer's everyday path in the browser: find a person, register one; and the keyboard."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from demo.data import test_number as demo_number
from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, "
    "textarea, [tabindex]:not([tabindex='-1'])"
)


def test_officer_searches_without_reload_and_registers_a_person(page):
    log_in(page, "officer")
    with page.expect_navigation():
        page.locator("header nav a[href='/personer/']").click()
    assert urlsplit(page.url).path == "/personer/"

    page.evaluate("window.__marker = 1")
    page.fill("#id_q", "Fiktiv")
    with page.expect_response(
        lambda response: (
            "q=Fiktiv" in response.url and response.request.headers.get("hx-request") == "true"
        )
    ):
        page.locator("form[role=search] button[type=submit]").click()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Fiktiv, Elin")).to_be_visible()
    expect(results.get_by_role("link", name="Fiktivsson, Tilda")).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("Låtsas"))).to_have_count(0)
    assert page.evaluate("window.__marker") == 1, "the search reloaded the whole page"
    assert page.locator("#results").count() == 1, "the results were swapped, not nested"
    assert_accessible(page)

    with page.expect_navigation():
        page.locator("main a[href='/personer/ny/']").click()
    number = demo_number(datetime.date(1991, 4, 12), 985)
    page.check("#id_identity_0")
    page.fill("#id_number", f"{number[:8]}-{number[8:]}")
    page.fill("#id_first_name", "Ture")
    page.fill("#id_last_name", "Provberg")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()

    person = Person.objects.get(personal_number=number)
    assert urlsplit(page.url).path == f"/personer/{person.pk}/"
    expect(page.locator("h1")).to_have_text("Ture Provberg")
    expect(page.locator(".messages")).to_be_visible()
    assert not structure_problems(page)
    assert_accessible(page)
    assert not page.problems


@pytest.mark.parametrize("username", [None, "officer"])
def test_the_skip_link_comes_first_and_moves_focus_to_main(page, username):
    if username:
        log_in(page, username)
    page.goto("/tillganglighet/")
    first = page.evaluate(
        f"() => document.querySelector({FOCUSABLE!r}) === document.querySelector('.skip-link')"
    )
    assert first, "the skip link is not the first focusable element"

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    after_main = page.evaluate(
        """() => Boolean(document.getElementById("main").compareDocumentPosition(
            document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert after_main, "Tab after the skip link should go on from the main content"

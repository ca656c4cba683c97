"""The manager's register-extract and culling pages, with and without errors, pass axe."""

from __future__ import annotations

import pytest

from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser


def test_the_register_extract_pages_are_accessible(page):
    log_in(page, "manager")
    page.goto("/registerutdrag/?q=Fiktiv")
    assert not structure_problems(page)
    assert_accessible(page)
    page.locator("main a[href*='/registerutdrag/person/']").first.click()
    page.wait_for_load_state()
    assert not structure_problems(page)
    assert_accessible(page)
    page.fill("#id_requested_on", "")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    page.check("#id_requested_by_0")
    page.fill("#id_requested_on", "2026-01-15")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator("form[action$='/ta-fram/'] button[value=pdf]").count() >= 1
    assert_accessible(page)
    page.locator("main a[href$='/undantag/']").click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator(".field-error").count() == 1
    assert not structure_problems(page)
    assert_accessible(page)

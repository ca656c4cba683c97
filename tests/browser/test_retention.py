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


def test_an_extract_file_is_made_in_the_background_and_its_page_updates_by_itself(page):
    from jobs.worker import run_pending

    log_in(page, "manager")
    page.goto("/registerutdrag/?q=Fiktiv")
    page.locator("main a[href*='/registerutdrag/person/']").first.click()
    page.wait_for_load_state()
    page.check("#id_requested_by_0")
    page.fill("#id_requested_on", "2026-01-15")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    with page.expect_navigation():
        page.locator("form[action$='/ta-fram/'] button[value=pdf]").first.click()
    assert "/jobb/" in page.url
    assert page.locator("#job-status").inner_text().startswith("Väntar på sin tur")
    assert not structure_problems(page)
    assert_accessible(page)
    run_pending()  # the worker; the page asks for the job's status by itself (HTMX)
    page.locator("#job-status a[href^='/jobb/fil/']").wait_for(timeout=15_000)
    assert "Klar" in page.locator("#job-status").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("#job-status a[href^='/jobb/fil/']").click()
    assert download.value.suggested_filename.endswith(".pdf")

"""The token page in a real browser: accessible empty, with a new token shown, and revoked."""

from __future__ import annotations

import pytest

from tests.browser.support import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_creating_using_and_revoking_a_token(page):
    log_in(page, "coordinator")
    page.goto("/api-nycklar/")
    assert_accessible(page)
    page.fill("#id_name", "Mitt skript")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    raw = page.input_value("#new-token")
    assert raw.startswith("brygga_")
    assert_accessible(page)
    fresh = page.context.browser.new_context(base_url=page.url.split("/api-nycklar/")[0])
    call = fresh.request.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"})
    assert call.status == 200
    with page.expect_navigation():
        page.get_by_role("button", name="Återkalla Mitt skript").click()
    assert_accessible(page)
    again = fresh.request.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"})
    assert again.status == 401
    fresh.close()
    assert not page.problems

"""Browser tests: Debian's headless Chromium, driven by Playwright, against the live server.

Every test gets the demo organisation (`demo.data.load_demo`) in a fresh database and a fresh
browser context (no cookies, no storage); the browser itself is started once per session.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM
# calls from a thread with a running loop. The tests only use the ORM between browser calls,
# never concurrently with them, so the check can safely be turned off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Chromium was not found on PATH, and the browser tests need it. Install Debian's "
            "'chromium' package (as root: `python scripts/ensure_chromium.py`, or "
            "`apt-get install chromium`).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    """The fictional demo organisation, its users (password "demo") and about twenty people."""
    from demo.data import load_demo

    return load_demo()


@pytest.fixture
def page(browser, live_server, demo):
    """A page in a fresh browser context; page.problems collects script and resource errors."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))

    def failed_resource(response):
        request = response.request
        if request.resource_type == "document" or response.status < 400:
            return
        first = request
        while first.redirected_from is not None:
            first = first.redirected_from
        if request.resource_type in ("xhr", "fetch") and first.url.endswith(".css"):
            # axe-core fetches style sheets itself (for css-orientation-lock) and resolves
            # Django admin's `@import url('widgets.css')` against the page, not the sheet.
            return
        referrer = request.headers.get("referer", "?")
        page.problems.append(f"{response.status} for {response.url} (from {referrer})")

    page.on("response", failed_resource)
    yield page
    context.close()

"""Helpers shared by the browser tests: logging in and running axe-core."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

from demo.data import DEMO_PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
_axe = Axe()


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and wait for the start page."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == "/", f"{username} was not logged in: ended on {page.url}"


def axe_violations(page, *, exceptions: Mapping[str, re.Pattern] | None = None) -> list[str]:
    """Run axe-core (WCAG 2.1 A and AA) on the page: one line per violation and element.

    `exceptions` maps a rule id to a pattern: elements whose selector matches are not reported.
    """
    exceptions = exceptions or {}
    results = _axe.run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        rule = violation["id"]
        for node in violation["nodes"]:
            target = " ".join(str(selector) for selector in node["target"])
            if rule in exceptions and exceptions[rule].search(target):
                continue
            lines.append(f"{page.url}: {rule} ({violation['help']}) at {target}")
    return lines


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, "axe found accessibility violations:\n" + "\n".join(violations)


def structure_problems(page) -> list[str]:
    """A page of Brygga's own has a title of its own, exactly one h1 and one main landmark."""
    title, h1s, mains = page.evaluate(
        """() => [document.title.trim(), document.querySelectorAll("h1").length,
                  document.querySelectorAll("main, [role=main]").length]"""
    )
    problems = []
    if not title or title.startswith("–"):
        problems.append(f"{page.url}: the page has no title of its own ({title!r})")
    if h1s != 1:
        problems.append(f"{page.url}: {h1s} h1 elements, expected exactly one")
    if mains != 1:
        problems.append(f"{page.url}: {mains} main landmarks, expected exactly one")
    return problems

"""Disclosure control for analysts: every published count of people is rounded to base 5.

Each count, totals included, is rounded from its own exact value to the nearest multiple of five
(0–2 → 0, 3–7 → 5, 8–12 → 10, …). A published 0 therefore means 0–2 people, 5 means 3–7. The
rounding is a function of the exact count alone, so asking again, or for the same cell from
another report, gives the same answer; and the difference of any two published counts is a
multiple of five, known only to within four either way, so it never pins a count from 1 to 4
(docs/reports.md, "Disclosure control", with its sources). Statistics (mean, median, quartiles,
extremes) over fewer than five people are hidden.
"""

from __future__ import annotations

from typing import Any

HIDDEN = ".."
BASE = 5
THRESHOLD = 5  # statistics over fewer people are hidden


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def rounded(value: Any) -> Any:
    """The published value of a count: the nearest multiple of BASE. Anything else unchanged.

    This is the one function every analyst's output (page, CSV, Excel, API) goes through.
    """
    if not is_count(value):
        return value
    return BASE * ((value + BASE // 2) // BASE)


def is_small(value: Any) -> bool:
    return is_count(value) and 0 < value < THRESHOLD


def is_hidden(value: Any) -> bool:
    return value == HIDDEN

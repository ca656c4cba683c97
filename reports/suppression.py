"""Small-count suppression for analysts: primary "<5" and complementary "..".

A count of people from 1 to 4 is shown as "<5" (primary suppression). Where the cells of a group
add up to a total shown on the same page, one hidden cell could be recovered by subtraction, so
further cells are hidden, smallest first, until the hidden cells cannot be told apart
(complementary suppression, shown as ".."): at least two hidden cells, and not all of them
primary cells whose sum forces each value (two hidden cells summing to 2 must both be 1, summing
to 8 must both be 4). When no cell is left to hide, the total is hidden too. Zero is shown: it
says that nobody is counted, which identifies nobody.
"""

from __future__ import annotations

from typing import Any

SMALL = "<5"
HIDDEN = ".."
THRESHOLD = 5


def is_small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def _unsafe(hidden: set[int], primary: set[int], values: list[int]) -> bool:
    if not hidden:
        return False
    if len(hidden) < 2:
        return True
    if hidden <= primary:
        total = sum(values[i] for i in hidden)
        return total in (len(hidden), (THRESHOLD - 1) * len(hidden))
    return False


def suppress_group(values: list[int], total: int | None) -> tuple[list, object]:
    """Values and total as shown: numbers, SMALL or HIDDEN.

    `total` None means the cells add up to nothing shown on the page: primary suppression only.
    """
    primary = {i for i, v in enumerate(values) if is_small(v)}
    hidden = set(primary)
    total_hidden = is_small(total)
    if total is not None and not total_hidden:
        while _unsafe(hidden, primary, values):
            visible = [i for i, v in enumerate(values) if i not in hidden and v]
            if not visible:
                total_hidden = True
                break
            hidden.add(min(visible, key=lambda i: (values[i], i)))
    shown = [SMALL if i in primary else HIDDEN if i in hidden else v for i, v in enumerate(values)]
    shown_total: object = total
    if total_hidden:
        shown_total = SMALL if is_small(total) else HIDDEN
    return shown, shown_total


def is_hidden(value: Any) -> bool:
    return value in (SMALL, HIDDEN)

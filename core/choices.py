"""'Unknown' as a value: what an earlier system never recorded, counted and shown as unknown.

Only history recorded from an earlier system may hold it (`history=True` in the actions); new
work always records the real value, so the forms offer only the known choices.
"""

from __future__ import annotations

import functools

UNKNOWN = "unknown"


def known(choices) -> list[tuple[str, str]]:
    """The choices a user may pick for new work: every one except unknown."""
    return [choice for choice in choices if choice[0] != UNKNOWN]


def refuses_unknown(value, history: bool) -> bool:
    """True when `value` is unknown and the work is new (not recorded from history)."""
    return value == UNKNOWN and not history


@functools.cache
def values_of(choices) -> frozenset:
    """The stored values of a choices class, worked out once: `Choices.values` builds a new
    list on each use, which the history import's checks did tens of thousands of times."""
    return frozenset(choices.values)

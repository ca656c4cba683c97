"""Registries that let each app add its part to shared pages without editing them.

- Person page sections: `person_section(order)` registers `fn(request, person) -> dict | None`;
  the dict needs "template" and may carry any context. Return None to show nothing.
- Start-page worklists: `worklist(order)` registers `fn(request, roles) -> dict | None` likewise.

Each function must run a constant number of queries, whatever the amount of data.
"""

from __future__ import annotations

from collections.abc import Callable

_person_sections: list[tuple[int, Callable]] = []
_worklists: list[tuple[int, Callable]] = []


def person_section(order: int):
    def decorator(fn: Callable) -> Callable:
        _person_sections.append((order, fn))
        _person_sections.sort(key=lambda item: item[0])
        return fn

    return decorator


def worklist(order: int):
    def decorator(fn: Callable) -> Callable:
        _worklists.append((order, fn))
        _worklists.sort(key=lambda item: item[0])
        return fn

    return decorator


def person_sections(request, person) -> list[dict]:
    return [section for _, fn in _person_sections if (section := fn(request, person))]


def worklists(request, roles) -> list[dict]:
    return [section for _, fn in _worklists if (section := fn(request, roles))]

"""Finding people in the register: by number (whole or in part) or by the words of a name.

Pages and the API share these; `names_someone` decides when a search may look outside the
user's own cases (need-to-know).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Upper

from core.planner import without_parallel_workers
from people import access
from people.identity import meant_as_whole_number, parse_identity_number
from people.models import Person

__all__ = [
    "check_number_query",
    "found_outside_own_cases",
    "names_someone",
    "search_outside_own_cases",
    "search_people",
]


def _is_number(query: str) -> bool:
    compact = re.sub(r"[\s-]", "", query)
    return compact.replace("+", "").isdigit() and len(compact) >= 6


def _is_reserve_number(query: str) -> bool:
    return query[:1].upper() == "R" and any(ch.isdigit() for ch in query)


def _is_whole_number(query: str) -> bool:
    try:
        parse_identity_number(query)
    except ValidationError:
        return False
    return True


def check_number_query(query: str) -> None:
    """A query typed as a whole personal number must be a valid one: ValidationError on `q`
    saying what is wrong with it (a search for it could only find nobody)."""
    query = (query or "").strip()
    if meant_as_whole_number(query):
        try:
            parse_identity_number(query)
        except ValidationError as error:
            raise ValidationError({"q": error}) from None


def names_someone(query: str) -> bool:
    """Whether a search may look outside the user's own cases: it must name someone, by a whole
    personal or coordination number, a reserve number, or at least two words of a name (first
    and last).

    One word lists everyone whose name starts with it, and part of a number (a birth date)
    everyone born that day: tens of thousands in a national register. That is browsing the
    register, which need-to-know rules out, not finding someone (and ordering them is the
    slowest query of the search, bench/README.md).
    """
    query = query.strip()
    if _is_number(query):
        return _is_whole_number(query)
    return _is_reserve_number(query) or len(query.split()) >= 2


def search_outside_own_cases(user, query: str):
    """People outside the user's cases that a search names (empty unless `names_someone`)."""
    if not names_someone(query):
        return Person.objects.none()
    # Ordered by an expression no index provides, so that PostgreSQL collects the few people
    # matching every word first, instead of walking the whole register in name order.
    return search_people(access.findable_outside_own_cases(user), query).order_by(
        Upper("last_name"), Upper("first_name"), "id"
    )


def found_outside_own_cases(user, query: str, limit: int) -> list[Person]:
    """The first `limit` of `search_outside_own_cases`, read without parallel workers: a name
    shared by thousands (a million people's register) was read and sorted by three processes
    on two cores, slower than by one (core/planner.py)."""
    if not names_someone(query):
        return []
    with without_parallel_workers():
        return list(search_outside_own_cases(user, query)[:limit])


def search_people(queryset, query: str):
    """Filter by number (whole or in part) or by every word of a name."""
    query = query.strip()
    if not query:
        return queryset
    compact = re.sub(r"[\s-]", "", query)
    if _is_number(query):
        try:
            digits = parse_identity_number(query).digits
            return queryset.filter(personal_number=digits)
        except ValidationError:
            return queryset.filter(personal_number__contains=compact.replace("+", ""))
    if _is_reserve_number(query):
        return queryset.filter(reserve_number__istartswith=query.replace(" ", ""))
    for word in query.split():
        queryset = queryset.filter(_name_starts_with(word))
    return queryset


def _name_starts_with(word: str) -> Q:
    # SQLite compares case-insensitively only in ASCII: "åsa" would not find "Åsa". Trying the
    # usual spellings of a name covers it; PostgreSQL needs none of them but is not harmed. A
    # word all in ASCII is compared case-insensitively by both as it is: one spelling, and
    # fewer conditions to build and test.
    spellings = {word} if word.isascii() else {word, word.lower(), word.upper(), word.capitalize()}
    q = Q()
    for spelling in spellings:
        q |= Q(first_name__istartswith=spelling) | Q(last_name__istartswith=spelling)
    return q

"""Finding people in the register: by number (whole or in part) or by the words of a name.

Pages and the API share these; `names_someone` decides when a search may look outside the
user's own cases (need-to-know).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import IStartsWith

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
    # Ordered by an expression no index provides (the name indexes' text_pattern_ops order is
    # not the collation's), so that PostgreSQL collects the few people matching every word
    # first, instead of walking the whole register in name order.
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
    return queryset.filter(_names_start_with(query.split(), queryset.db))


def _names_start_with(words: list[str], alias: str) -> Q:
    """Every word starts the first name or the last name.

    The first two words are asked as the ways they can share the two names rather than as each
    word's "first or last name": the first name starts with one and the last name with the
    other, or one name starts with both. The same people, but PostgreSQL then narrows by both
    words at once in an index on both names (people.0008) and reads the rows of only the people
    matching both; asked word by word, it read every row of the surname and filtered them for
    the first name (bench/README.md).
    """
    spelled = [_spellings(word, alias) for word in words]
    if len(words) == 1:
        return _starts("first_name", spelled[0]) | _starts("last_name", spelled[0])
    a, b = spelled[:2]
    q = (
        (_starts("first_name", a) & _starts("last_name", b))
        | (_starts("first_name", b) & _starts("last_name", a))
        | _starts_with_both("first_name", a, b)
        | _starts_with_both("last_name", a, b)
    )
    for rest in spelled[2:]:
        q &= _starts("first_name", rest) | _starts("last_name", rest)
    return q


def _starts_with_both(field: str, a: set[str], b: set[str]) -> Q:
    """The name starts with a word of each set.

    A name starts with two words only if the longer word starts with the shorter, so for one
    spelling of each this is asked as "starts with a, and a starts with b, or the other way
    round": the database decides the words' part once, when it plans the query, and is left
    with the name starting with one word or with nothing to look for. Asked as two conditions
    on one name, PostgreSQL could not tell how few rows match both (it assumed a thousand of
    200,000) and chose to read the user's whole caseload instead of the name's index.
    """
    if len(a) > 1 or len(b) > 1:  # several spellings (SQLite, a C locale): two conditions
        return _starts(field, a) & _starts(field, b)
    (a_word,), (b_word,) = a, b
    return (_starts(field, a) & IStartsWith(Value(a_word), b_word)) | (
        _starts(field, b) & IStartsWith(Value(b_word), a_word)
    )


def _starts(field: str, spellings: set[str]) -> Q:
    q = Q()
    for spelling in sorted(spellings):
        q |= Q(**{f"{field}__istartswith": spelling})
    return q


def _spellings(word: str, alias: str) -> set[str]:
    """The spellings of a word to ask for so that its case does not matter.

    A word all in ASCII is compared case-insensitively by both databases as it is. SQLite does
    so only in ASCII: "åsa" would not find "Åsa"; trying the usual spellings of a name covers
    it. PostgreSQL's upper() changes the case of å, ä and ö as well, so one spelling is enough
    there and each other spelling would be one more scan of the same index range; unless the
    database was created with the C locale's character classes (`LC_CTYPE=C`), where upper()
    is ASCII-only as SQLite's comparison is.
    """
    if word.isascii():
        return {word}
    if connections[alias].vendor == "postgresql" and _upper_beyond_ascii(alias):
        return {word}
    return {word, word.lower(), word.upper(), word.capitalize()}


_UPPER_BEYOND_ASCII: dict[tuple[str, str], bool] = {}


def _upper_beyond_ascii(alias: str) -> bool:
    """Whether the database's upper() makes "åäö" "ÅÄÖ": asked once per process and database
    (a database's character classes are fixed when it is created)."""
    connection = connections[alias]
    key = (alias, connection.settings_dict["NAME"])
    if key not in _UPPER_BEYOND_ASCII:
        with connection.cursor() as cursor:
            cursor.execute("SELECT upper('åäö') = 'ÅÄÖ'")
            _UPPER_BEYOND_ASCII[key] = bool(cursor.fetchone()[0])
    return _UPPER_BEYOND_ASCII[key]

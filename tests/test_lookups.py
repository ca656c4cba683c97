"""`AnyOf`: a list of ids finds exactly those rows, however it is sent (core/lookups.py)."""

from __future__ import annotations

import uuid

from django.db.models import F

from core.lookups import AnyOf, among
from organisation.models import Unit
from people.models import Person
from tests.factories import PersonFactory


def test_a_list_of_uuids_finds_exactly_those_people(db):
    # Through `among`, which sends AnyOf on PostgreSQL and `IN` on SQLite (whose driver does
    # not bind a UUID as it is).
    people = [PersonFactory() for _ in range(3)]
    wanted = [people[0].pk, people[2].pk, uuid.uuid4()]  # one that is nobody
    found = Person.objects.filter(among("pk", wanted)).values_list("pk", flat=True)
    assert set(found) == {people[0].pk, people[2].pk}


def test_a_list_of_integers_finds_exactly_those_rows(org):
    wanted = [org["north"].pk, org["south"].pk, -1]
    found = Unit.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == {org["north"].pk, org["south"].pk}


def test_a_list_of_strings_is_still_one_array_parameter(db):
    person = PersonFactory(first_name="Ann,a")
    names = ["Ann,a", 'Bo"b', "{C}"]
    found = Person.objects.filter(AnyOf(F("first_name"), names)).values_list("pk", flat=True)
    assert list(found) == [person.pk]


def test_an_empty_list_finds_nobody(db):
    PersonFactory()
    assert not Person.objects.filter(AnyOf(F("pk"), [])).exists()


def test_a_raw_list_of_uuids_finds_exactly_those_people_on_every_database(db):
    # Without `among`: on SQLite, whose driver binds no UUID, as on PostgreSQL.
    people = [PersonFactory() for _ in range(3)]
    wanted = [people[0].pk, people[2].pk, uuid.uuid4()]
    found = Person.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == {people[0].pk, people[2].pk}


def test_uuids_and_their_text_in_one_list_find_the_same_people(db):
    people = [PersonFactory() for _ in range(3)]
    wanted = [people[0].pk, str(people[1].pk).upper(), people[2].pk.hex]
    found = Person.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == {p.pk for p in people}


def test_a_list_of_uuids_also_filters_a_column_other_than_the_key(db):
    kept = PersonFactory()
    merged = [PersonFactory(merged_into=kept), PersonFactory()]
    found = Person.objects.filter(AnyOf(F("merged_into_id"), [kept.pk, uuid.uuid4()]))
    assert list(found) == [merged[0]]


def test_among_finds_those_rows_and_no_values_asks_nothing(org, django_assert_num_queries):
    wanted = {org["north"].pk, org["south"].pk, -1}
    found = Unit.objects.filter(among("id", wanted)).values_list("pk", flat=True)
    assert set(found) == {org["north"].pk, org["south"].pk}
    with django_assert_num_queries(0):  # as `id__in=[]`: the page's queries stay as they were
        assert list(Unit.objects.filter(among("id", set()))) == []


class _Labelled(int):
    """An int whose text is not its number (as an IntEnum's was before Python 3.11)."""

    def __str__(self) -> str:
        return f"unit {int(self)}"


def test_a_list_of_an_int_subclass_goes_through_the_field_and_finds_those_rows(org):
    wanted = [_Labelled(org["north"].pk), org["south"].pk]
    found = Unit.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == {org["north"].pk, org["south"].pk}

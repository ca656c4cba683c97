"""Issue 17: queries whose SQL is built once per process (core/compiled.py) give the rows their
queryset gives, as the same objects, in one query, without building any SQL again."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from audit.models import ChainHead
from core.compiled import CompiledQuery, OnePersonQuery
from people.models import Case, CaseStaff, CaseStatus, Contact, Person
from tests.factories import CaseFactory, CaseStaffFactory, ContactFactory


def _cases(person_id, user_id):
    named = CaseStaff.objects.filter(case_id=OuterRef("pk"), user_id=user_id)
    return (
        Case.objects.filter(person_id=person_id)
        .select_related("authority_unit", "provider_unit")
        .only("status", "opened_on", "authority_unit__name", "provider_unit__name")
        .annotate(staff_count=Count("staff_links"), user_is_named=Exists(named))
        .order_by("-opened_on", "pk")
    )


CASES = CompiledQuery(_cases, Person._meta.pk, CaseStaff._meta.get_field("user"))


def _shown(case):
    return (
        case.pk,
        case.status,
        case.opened_on,
        case.authority_unit.name,
        case.provider_unit.name if case.provider_unit else None,
        case.staff_count,
        case.user_is_named,
        case.get_deferred_fields(),
    )


@pytest.fixture
def cases(org, person, coordinator, colleague):
    for n in range(3):
        case = CaseFactory(
            person=person,
            authority_unit=org["authority"],
            provider_unit=org["south"] if n else None,
            status=CaseStatus.CLOSED,
            opened_on=datetime.date(2020, 1, 1 + n),
        )
        CaseStaffFactory(case=case, user=colleague)
    return person


def test_the_rows_are_the_querysets_as_objects_with_their_joins_and_annotations(
    cases, person, coordinator, colleague
):
    for user in (coordinator, colleague):
        expected = [_shown(case) for case in _cases(person.pk, user.pk)]
        with CaptureQueriesContext(connection) as captured:
            found = CASES.rows(person.pk, user.pk)
            shown = [_shown(case) for case in found]
        assert shown == expected
        assert len(expected) == 4
        assert len(captured.captured_queries) == 1  # nothing deferred was read afterwards
    assert CASES.rows(Person._meta.pk.default(), coordinator.pk) == []


def test_a_query_is_built_once_then_only_run(cases, person, coordinator, monkeypatch):
    CASES.rows(person.pk, coordinator.pk)
    built = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or as_sql(self, *a, **k)
    )
    assert len(CASES.rows(person.pk, coordinator.pk)) == 4
    assert built == []


def test_tuples_of_values_list(cases, person):
    tuples = CompiledQuery(
        lambda person_id: (
            Case.objects.filter(person_id=person_id)
            .order_by("opened_on")
            .values_list("status", "opened_on")
        ),
        Person._meta.pk,
    )
    expected = list(
        Case.objects.filter(person=person).order_by("opened_on").values_list("status", "opened_on")
    )
    assert tuples.rows(person.pk) == expected


def test_the_persons_rows_know_their_person(person):
    ContactFactory.create_batch(2, person=person)
    contacts = OnePersonQuery(lambda person_id: Contact.objects.filter(person_id=person_id))
    found = contacts.rows(person)
    assert [c.pk for c in found] == [c.pk for c in person.contacts.all()]
    with CaptureQueriesContext(connection) as captured:
        assert all(contact.person is person for contact in found)
    assert captured.captured_queries == []


def test_a_query_that_varies_with_anything_but_its_values_is_refused(person):
    counter = itertools.count()
    varying = CompiledQuery(
        lambda person_id: Contact.objects.filter(person_id=person_id, name=str(next(counter))),
        Person._meta.pk,
    )
    with pytest.raises(ValueError, match="only the values given"):
        varying.rows(person.pk)


def test_prefetching_is_refused(person):
    prefetching = CompiledQuery(
        lambda person_id: Case.objects.filter(person_id=person_id).prefetch_related("staff_links"),
        Person._meta.pk,
    )
    with pytest.raises(ValueError, match="prefetch_related"):
        prefetching.rows(person.pk)


def test_a_locking_read(db):
    ChainHead.objects.get_or_create(pk=0)
    locked = CompiledQuery(
        lambda pk: ChainHead.objects.select_for_update().filter(pk=pk), ChainHead._meta.pk
    )
    with transaction.atomic():
        assert [head.pk for head in locked.rows(0)] == [0]


def test_two_values_of_one_field_each_go_to_their_place(person, org):
    CaseFactory.create_batch(4, person=person, authority_unit=org["authority"])
    ids = sorted(Case.objects.filter(person=person).values_list("pk", flat=True))
    between = CompiledQuery(
        lambda low, high: Case.objects.filter(pk__gt=low, pk__lt=high).order_by("pk"),
        Case._meta.pk,
        Case._meta.pk,
    )
    assert [case.pk for case in between.rows(ids[0], ids[-1])] == ids[1:-1]

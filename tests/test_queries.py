"""List pages run the same number of queries whatever the number of rows.

Each test requests a page once to warm up (the access-log chain head is created on first use),
counts the queries with a little data, adds a lot more, and counts again.
"""

from __future__ import annotations

import datetime
import difflib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.events import Access, log_access, log_accesses
from audit.models import Action
from people.access import grant_reasoned_access
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person
from tests.factories import ContactFactory, PersonFactory


def queries_for(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200, response.status_code
    return [query["sql"] for query in captured.captured_queries]


def assert_same_queries(few, many):
    if len(few) != len(many):
        few, many = [sql[:160] for sql in few], [sql[:160] for sql in many]
        diff = "\n".join(difflib.unified_diff(few, many, "few rows", "many rows", lineterm=""))
        raise AssertionError(f"{len(few)} queries with few rows, {len(many)} with many:\n{diff}")


def add_people(count, unit, *, provider=None, staff=None, status=CaseStatus.OPEN, **fields):
    """Many people with a case each, in a few bulk inserts."""
    people = Person.objects.bulk_create([PersonFactory.build(**fields) for _ in range(count)])
    cases = Case.objects.bulk_create(
        [
            Case(
                person=person,
                authority_unit=unit,
                provider_unit=provider,
                status=status,
                opened_on=datetime.date(2025, 1, 1),
            )
            for person in people
        ]
    )
    if staff is not None:
        CaseStaff.objects.bulk_create(
            [CaseStaff(case=case, user=staff, role=CaseStaffRole.COORDINATOR) for case in cases]
        )
    return people


def test_person_list_queries_do_not_grow_with_the_number_of_people(org, login, officer):
    client = login(officer)
    add_people(5, org["authority"])
    client.get("/personer/")
    few = queries_for(client, "/personer/")
    add_people(495, org["authority"])
    many = queries_for(client, "/personer/")
    assert_same_queries(few, many)


@pytest.mark.parametrize("q", ["Kim", "Kim Öberg", "öberg kim"])
def test_person_search_queries_do_not_grow_with_the_number_of_matches(org, login, officer, q):
    client = login(officer)
    name = {"first_name": "Kim", "last_name": "Öberg"}
    add_people(5, org["authority"], **name)
    add_people(5, org["other_authority"], **name)  # found outside own cases by a full name
    client.get("/personer/", {"q": q})
    few = queries_for(client, "/personer/", {"q": q})
    add_people(495, org["authority"], **name)
    add_people(100, org["other_authority"], **name)
    many = queries_for(client, "/personer/", {"q": q})
    assert_same_queries(few, many)


def test_person_detail_queries_do_not_grow_with_the_network(login, coordinator, person):
    client = login(coordinator)
    ContactFactory(person=person)
    client.get(f"/personer/{person.pk}/")
    few = queries_for(client, f"/personer/{person.pk}/")
    ContactFactory.create_batch(29, person=person)
    many = queries_for(client, f"/personer/{person.pk}/")
    assert_same_queries(few, many)


def _merged_into(person, user):
    other = PersonFactory(first_name="Gammal", merged_into=person)
    log_access(user=user, person=other, action=Action.MERGE)
    return other


def test_person_detail_queries_do_not_grow_with_cases_staff_or_merged_records(
    org, login, coordinator, colleague, officer, person, django_assert_max_num_queries
):
    client = login(coordinator)
    url = f"/personer/{person.pk}/"
    _merged_into(person, officer)
    client.get(url)
    few = queries_for(client, url)
    for n in range(5):
        case = Case.objects.create(
            person=person,
            authority_unit=org["authority"],
            provider_unit=org["south"],
            status=CaseStatus.CLOSED,
            opened_on=datetime.date(2020, 1, 1 + n),
        )
        CaseStaff.objects.create(case=case, user=colleague, role=CaseStaffRole.COORDINATOR)
        CaseStaff.objects.create(case=case, user=officer, role=CaseStaffRole.OFFICER)
        _merged_into(person, colleague)
    many = queries_for(client, url)
    assert_same_queries(few, many)
    # Session and roles (4), the person and the cases with their staff (3), which kinds of rows
    # the person has (1), the merged records and who merged them (2), the access log's write
    # (3), the session's (1), and the test's savepoints around the two writes (4). The person
    # has no other kind of row, so no section reads a list (tests/test_person_page_rows.py):
    # every kind read, the page ran 33.
    with django_assert_max_num_queries(18):
        response = client.get(url)
    text = response.content.decode()
    assert text.count(colleague.get_full_name()) >= 5 * 2  # cases' staff and coordinators
    assert f"av {colleague.get_full_name()}" in text  # who merged each record, from the log


def test_start_page_queries_do_not_grow_with_the_number_of_open_cases(org, login, coordinator):
    client = login(coordinator)
    add_people(5, org["authority"], provider=org["north"], staff=coordinator)
    client.get("/")
    few = queries_for(client, "/")
    add_people(55, org["authority"], provider=org["north"], staff=coordinator)
    many = queries_for(client, "/")
    assert_same_queries(few, many)
    page = client.get("/")
    assert len(page.context["open_cases"]) == 10
    # The list says that it is cut short, and links to the rest.
    html = page.content.decode()
    assert "Visar de 10 äldsta av 60 öppna ärenden." in html
    assert 'href="/arbetslista/oppna-arenden/"' in html


def test_manager_start_page_queries_do_not_grow_with_reasons(org, login, manager, colleague):
    client = login(manager)
    people = add_people(40, org["authority"])
    for person in people[:3]:
        grant_reasoned_access(user=colleague, person=person, reason="Behöver se nätverket")
    client.get("/")
    few = queries_for(client, "/")
    for person in people[3:]:
        grant_reasoned_access(user=colleague, person=person, reason="Behöver se nätverket")
    many = queries_for(client, "/")
    assert_same_queries(few, many)


def test_log_review_queries_do_not_grow_with_the_number_of_entries(org, login, manager, officer):
    client = login(manager)
    people = add_people(150, org["authority"])

    def read(some):
        log_accesses(
            user=officer,
            accesses=[Access(p.pk, "person", p.pk, Action.READ) for p in some],
        )

    read(people[:3])
    client.get("/atkomstlogg/")
    few = queries_for(client, "/atkomstlogg/")
    read(people[3:])
    many = queries_for(client, "/atkomstlogg/")
    assert_same_queries(few, many)

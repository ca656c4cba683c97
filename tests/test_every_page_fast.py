"""Issue 17, every page under 100 ms: the faster ways of writing the start page's and the
reassignment page's queries show the same as before, in a constant number of queries; the
reassignment page asks whose cases first, and lists only theirs."""

from __future__ import annotations

import datetime

import pytest

from organisation.models import Role
from people import access
from people.models import Case, CaseStaff, CaseStaffRole
from provision.views import COORDINATORS_LISTED
from tests.factories import PersonFactory, UserFactory
from tests.test_queries import add_people, assert_same_queries, queries_for


@pytest.fixture
def few_is_many(monkeypatch):
    """Someone named on more than 3 cases counts as named on many (NAMED_MANY is 1,000)."""
    monkeypatch.setattr(access, "NAMED_MANY", 3)


def _own(user) -> set:
    return set(access.own_cases(user).values_list("pk", flat=True))


def test_someone_named_on_many_cases_has_the_same_cases_as_when_named_on_few(
    org, officer, monkeypatch
):
    mine = add_people(2, org["authority"])  # the officer's unit's
    elsewhere = add_people(5, org["other_authority"], staff=officer)  # named on these
    add_people(3, org["other_authority"])  # neither
    expected = {case.pk for person in mine + elsewhere for case in person.cases.all()}
    assert _own(officer) == expected  # named on 5: as an array
    monkeypatch.setattr(access, "NAMED_MANY", 3)
    officer._brygga_named_many = None  # decided again, as in a new request
    assert _own(officer) == expected  # tested case by case: the same cases


def test_the_start_page_shows_the_same_open_cases_for_someone_named_on_many(
    org, login, coordinator, few_is_many
):
    add_people(2, org["other_authority"], provider=org["south"], staff=coordinator)
    protected = PersonFactory(protected_identity=True)
    Case.objects.create(
        person=protected,
        authority_unit=org["authority"],
        provider_unit=org["north"],
        opened_on=datetime.date(2025, 1, 1),
    )
    client = login(coordinator)
    few = queries_for(client, "/")
    shown = client.get("/").context["open_cases"]
    # The protected person's case is in the coordinator's team but they are not named on it.
    assert protected.pk not in {case.person_id for case in shown}
    assert len(shown) == 2
    add_people(4, org["other_authority"], provider=org["south"], staff=coordinator)
    many = queries_for(client, "/")
    assert_same_queries(few, many)
    response = client.get("/")
    assert len(response.context["open_cases"]) == 6
    assert response.context["open_cases_total"].value == 6


def test_a_protected_person_named_is_on_the_start_page(org, login, coordinator, few_is_many):
    protected = PersonFactory(protected_identity=True)
    case = Case.objects.create(
        person=protected,
        authority_unit=org["authority"],
        provider_unit=org["north"],
        opened_on=datetime.date(2025, 1, 1),
    )
    CaseStaff.objects.create(case=case, user=coordinator, role=CaseStaffRole.COORDINATOR)
    add_people(4, org["other_authority"], provider=org["south"], staff=coordinator)
    response = login(coordinator).get("/")
    assert protected.pk in {c.person_id for c in response.context["open_cases"]}
    assert "Skyddad identitet" in response.content.decode()


def _coordinators(org, n: int, first: str = "Kim") -> list:
    return [
        UserFactory(
            username=f"k{i:03d}",
            first_name=first,
            last_name=f"Nummer{i:03d}",
            roles=[(org["north"], Role.COORDINATOR)],
        )
        for i in range(n)
    ]


def _options(response, name: str) -> list[str]:
    return [str(key) for key, _label in response.context["form"].fields[name].widget.choices]


def test_the_reassignment_page_lists_at_most_a_page_of_coordinators(org, login, manager):
    client = login(manager)
    leaver = _coordinators(org, 3)[0]
    few = queries_for(client, "/uppdrag/omfordela/")
    few_chosen = queries_for(client, f"/uppdrag/omfordela/?from_user={leaver.pk}")
    _coordinators_more = [
        UserFactory(username=f"m{i:03d}", roles=[(org["south"], Role.COORDINATOR)])
        for i in range(COORDINATORS_LISTED + 10)
    ]
    many = queries_for(client, "/uppdrag/omfordela/")
    assert_same_queries(few, many)
    assert_same_queries(
        few_chosen, queries_for(client, f"/uppdrag/omfordela/?from_user={leaver.pk}")
    )
    response = client.get("/uppdrag/omfordela/")
    assert len(_options(response, "from_user")) == COORDINATORS_LISTED + 1  # and "---------"
    html = response.content.decode()
    assert "Bara de första träffarna visas" in html
    assert '<label for="id_from_user_q">Sök på namn</label>' in html
    assert '<button type="submit" name="find" value="from_user">Sök</button>' in html
    chosen = client.get("/uppdrag/omfordela/", {"from_user": leaver.pk})
    assert _options(chosen, "from_user")[:2] == ["", str(leaver.pk)]  # the chosen one first
    assert len(_options(chosen, "to_user")) == COORDINATORS_LISTED + 1
    html = chosen.content.decode()
    assert '<label for="id_to_user_q">Sök på namn</label>' in html
    assert '<button type="submit" name="find" value="to_user">Sök</button>' in html


def test_a_search_lists_the_coordinators_whose_name_matches(org, login, manager):
    wanted = UserFactory(
        username="wanted",
        first_name="Saga",
        last_name="Lind",
        roles=[(org["south"], Role.COORDINATOR)],
    )
    leaver = _coordinators(org, COORDINATORS_LISTED + 5)[0]
    client = login(manager)
    # The leaver is asked for first: a search sends the address back with the matches.
    found = client.get("/uppdrag/omfordela/", {"from_user_q": "saga lind", "find": "from_user"})
    assert _options(found, "from_user") == ["", str(wanted.pk)]
    assert "to_user" not in found.context["form"].fields
    assert 'value="saga lind"' in found.content.decode()
    # A search with someone already chosen keeps them chosen, and still lists nobody's cases.
    again = client.get(
        "/uppdrag/omfordela/",
        {"from_user": leaver.pk, "from_user_q": "saga", "find": "from_user"},
    )
    assert _options(again, "from_user") == ["", str(leaver.pk), str(wanted.pk)]
    assert f'<option value="{leaver.pk}" selected>' in again.content.decode()
    assert list(again.context["form"].fields) == ["from_user"]
    response = client.get("/uppdrag/omfordela/", {"from_user": leaver.pk, "to_user_q": "saga lind"})
    assert _options(response, "to_user") == ["", str(wanted.pk)]
    assert len(_options(response, "from_user")) == COORDINATORS_LISTED + 1  # not searched
    assert 'value="saga lind"' in response.content.decode()


def test_searching_keeps_what_was_chosen_and_moves_nothing(org, login, manager, coordinator):
    people = add_people(2, org["authority"], provider=org["north"], staff=coordinator)
    case = people[0].cases.get()
    other = UserFactory(
        username="other", first_name="Oskar", roles=[(org["south"], Role.COORDINATOR)]
    )
    client = login(manager)
    response = client.post(
        "/uppdrag/omfordela/",
        {
            "from_user": coordinator.pk,
            "from_user_q": "zzz-nobody",
            "cases": [str(case.pk)],
            "to_user_q": "Oskar",
            "find": "to_user",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound and not form.errors
    assert _options(response, "from_user") == ["", str(coordinator.pk)]  # chosen, though unmatched
    assert _options(response, "to_user") == ["", str(other.pk)]
    html = response.content.decode()
    assert f'<option value="{coordinator.pk}" selected>' in html
    assert f'value="{case.pk}"' in html and "checked" in html
    assert "rows" not in response.context  # no preview
    assert CaseStaff.objects.get(case=case, role=CaseStaffRole.COORDINATOR).user == coordinator


def test_the_page_asks_for_the_leaver_first_and_then_lists_only_their_people(
    org, login, manager, coordinator, colleague
):
    theirs = add_people(2, org["authority"], provider=org["north"], staff=coordinator)
    add_people(3, org["authority"], provider=org["south"], staff=colleague)
    client = login(manager)
    first = client.get("/uppdrag/omfordela/")
    assert list(first.context["form"].fields) == ["from_user"]  # nobody listed, nothing to move
    html = first.content.decode()
    assert '<form method="get"' in html and 'name="cases"' not in html
    assert "Välj först vems ärenden som ska flyttas" in html
    assert '<label for="id_from_user">Flytta ärenden från' in html
    assert "Visa koordinatorns ärenden" in html
    # "Visa koordinatorns ärenden" sends the choice in the address.
    response = client.get("/uppdrag/omfordela/", {"from_user": coordinator.pk})
    listed = {key for key, _label in response.context["form"].fields["cases"].choices}
    assert listed == {str(p.cases.get().pk) for p in theirs}
    assert '<form method="post"' in response.content.decode()
    # Asking with nobody chosen says what is missing, and still lists nobody.
    nobody = client.get("/uppdrag/omfordela/", {"from_user": "", "from_user_q": ""})
    assert nobody.context["form"].errors["from_user"] == ["Detta fält måste fyllas i."]
    assert 'name="cases"' not in nobody.content.decode()


def test_a_leaver_without_open_cases_is_said_to_have_none(org, login, manager, colleague):
    add_people(3, org["authority"], provider=org["south"], staff=colleague)
    idle = UserFactory(username="idle", roles=[(org["north"], Role.COORDINATOR)])
    response = login(manager).get("/uppdrag/omfordela/", {"from_user": idle.pk})
    assert response.context["form"].fields["cases"].choices == []
    assert "Den valda koordinatorn har inga öppna ärenden i dina enheter." in (
        response.content.decode()
    )


def test_the_open_cases_of_a_provider_s_teams_have_their_own_index(db):
    """A manager's open cases include those whose provider unit is one of the manager's teams:
    `case_open_provider_idx` (people.0011) holds the open cases by provider unit, on both
    databases. Without it, at a million people, PostgreSQL read a manager of a few teams' cases
    by walking every open case: the start page took 75-83 ms, with it 36-44 (bench/README.md,
    "At a million people, fifth round"). Which index the planner takes depends on the tables'
    statistics, which a test database does not have, so the index itself is what is checked."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'case_open_provider_idx'"
            )
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index'"
                " AND name = 'case_open_provider_idx'"
            )
        (definition,) = cursor.fetchone()
    assert '"people_case"' in definition or "people_case " in definition
    assert '("provider_unit_id")' in definition or "(provider_unit_id)" in definition
    assert "WHERE" in definition and "'open'" in definition

"""The access-log review's staff filter (/atkomstlogg/): a manager over hundreds of staff gets at
most a page of them to choose from, with a search by name (core.widgets.SearchSelect, as the
reassignment page), and still only the staff of their own units."""

from __future__ import annotations

import pytest

from audit.events import log_access
from audit.models import Action
from core.widgets import SEARCH_LISTED
from organisation.models import Role
from tests.factories import UserFactory
from tests.test_queries import assert_same_queries, queries_for

MANY = SEARCH_LISTED + 15


def _staff(org, n: int, prefix: str = "k") -> list:
    return [
        UserFactory(
            username=f"{prefix}{i:03d}",
            first_name="Kim",
            last_name=f"Nummer{i:03d}",
            roles=[(org["north"], Role.COORDINATOR)],
        )
        for i in range(n)
    ]


def _options(response) -> list[str]:
    return [str(key) for key, _label in response.context["form"].fields["user"].widget.choices]


@pytest.fixture
def saga(org):
    # "Ö" sorts after every "Kim": not among the first page of staff.
    return UserFactory(
        username="saga", first_name="Saga", last_name="Öhman", roles=[(org["south"], Role.OFFICER)]
    )


def test_a_manager_over_many_staff_is_offered_at_most_a_page_and_a_search(
    org, login, manager, saga
):
    _staff(org, MANY)
    response = login(manager).get("/atkomstlogg/")
    assert response.status_code == 200
    assert len(_options(response)) == SEARCH_LISTED + 1  # and "---------"
    html = response.content.decode()
    select = html.split('<select name="user"')[1].split("</select>")[0]
    assert select.count("<option ") == SEARCH_LISTED + 1
    assert str(saga.pk) not in _options(response)
    assert "Bara de första träffarna visas" in html
    assert '<label for="id_user_q">Sök på namn</label>' in html
    assert '<button type="submit" name="find" value="user">Sök</button>' in html


def test_a_search_by_name_finds_the_staff_member(org, login, manager, saga):
    _staff(org, MANY)
    response = login(manager).get("/atkomstlogg/", {"user_q": "saga Öhman", "find": "user"})
    assert _options(response) == ["", str(saga.pk)]
    html = response.content.decode()
    assert 'value="saga Öhman"' in html
    assert "Bara de första träffarna visas" not in html


def test_the_filter_still_filters_by_a_staff_member_beyond_the_first_page(
    org, login, manager, saga, person
):
    others = _staff(org, MANY)
    log_access(user=saga, person=person, action=Action.READ)
    log_access(user=others[0], person=person, action=Action.READ)
    response = login(manager).get("/atkomstlogg/", {"user": saga.pk})
    assert [e.username for e in response.context["rows"]] == ["saga"]
    assert _options(response)[:2] == ["", str(saga.pk)]  # the one chosen stays listed, first
    assert len(_options(response)) == SEARCH_LISTED + 1
    assert f'<option value="{saga.pk}" selected>' in response.content.decode()


def test_staff_outside_the_managers_units_are_neither_listed_nor_found(
    org, login, manager, outsider_officer, person
):
    outsider_officer.first_name = "Utanför"
    outsider_officer.save()
    log_access(user=outsider_officer, person=person, action=Action.READ)
    client = login(manager)
    response = client.get("/atkomstlogg/", {"user_q": "Utanför"})
    assert _options(response) == [""]
    response = client.get("/atkomstlogg/", {"user": outsider_officer.pk, "user_q": "Utanför"})
    assert response.context["form"].errors["user"]
    assert list(response.context["rows"]) == []
    assert _options(response) == [""]  # sent, but not a choice this manager has


def test_the_review_runs_the_same_queries_with_a_few_or_many_staff(
    org, login, manager, django_assert_max_num_queries
):
    client = login(manager)
    _staff(org, 3)
    client.get("/atkomstlogg/")  # the chain's head is made on first use
    few = queries_for(client, "/atkomstlogg/", {"user_q": "Kim"})
    _staff(org, MANY, prefix="m")
    with django_assert_max_num_queries(20):
        many = queries_for(client, "/atkomstlogg/", {"user_q": "Kim"})
    assert_same_queries(few, many)

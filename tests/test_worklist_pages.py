"""Issue 17: the start page shows the most urgent rows of each list and links to the whole list,
a keyset page at a time; every row stays reachable, and every person shown is logged."""

from __future__ import annotations

import datetime
import re
from html import unescape

from django.db.models.functions import Coalesce
from django.test import RequestFactory
from django.utils import timezone

from core.pagination import keyset_page
from core.sections import START_ROWS
from delivery import actions
from people.models import Case
from tests.access_log import was_read
from tests.test_queries import add_people, assert_same_queries, queries_for

NEXT = re.compile(r'<a href="\?([^"]*)" rel="next">')


def _every_page(client, url) -> list:
    """The rows of the whole list, following the pager's next links."""
    rows, query = [], ""
    while True:
        response = client.get(f"{url}?{query}" if query else url)
        assert response.status_code == 200
        rows += response.context["page"].rows
        found = NEXT.search(response.content.decode())
        if not found:
            return rows
        query = unescape(found.group(1))


def test_the_start_page_shows_ten_open_cases_and_links_to_all_of_them(org, login, coordinator):
    people = add_people(60, org["authority"], provider=org["north"], staff=coordinator)
    client = login(coordinator)
    page = client.get("/")
    assert len(page.context["open_cases"]) == START_ROWS
    assert 'href="/arbetslista/oppna-arenden/"' in page.content.decode()
    assert "Visa alla" in page.content.decode()
    cases = _every_page(client, "/arbetslista/oppna-arenden/")
    assert sorted(str(c.person_id) for c in cases) == sorted(str(p.pk) for p in people)
    # The oldest first, as on the start page: its ten are the list's first ten.
    assert [c.pk for c in cases[:START_ROWS]] == [c.pk for c in page.context["open_cases"]]
    assert all(was_read(p, coordinator, record_type="case") for p in people)


def test_a_list_page_runs_the_same_queries_for_few_rows_or_many(org, login, coordinator):
    add_people(3, org["authority"], provider=org["north"], staff=coordinator)
    client = login(coordinator)
    client.get("/arbetslista/oppna-arenden/")
    few = queries_for(client, "/arbetslista/oppna-arenden/")
    add_people(80, org["authority"], provider=org["north"], staff=coordinator)
    many = queries_for(client, "/arbetslista/oppna-arenden/")
    assert_same_queries(few, many)


def test_a_short_list_has_no_link_to_more(org, login, coordinator):
    add_people(START_ROWS, org["authority"], provider=org["north"], staff=coordinator)
    page = login(coordinator).get("/").content.decode()
    assert "/arbetslista/" not in page


def test_past_visits_beyond_the_first_ten_are_reached_through_the_link(login, coordinator, person):
    now = timezone.now()
    visits = [
        actions.plan_visit(
            user=coordinator,
            person=person,
            planned_at=now - datetime.timedelta(days=2, hours=n),
            place="Hemma",
        )
        for n in range(START_ROWS + 3)
    ]
    client = login(coordinator)
    page = client.get("/")
    (section,) = [w for w in page.context["worklists"] if w["template"].startswith("delivery/")]
    assert len(section["unrecorded_visits"]) == START_ROWS
    assert 'href="/arbetslista/besok-utan-utfall/"' in page.content.decode()
    listed = _every_page(client, "/arbetslista/besok-utan-utfall/")
    assert [v.pk for v in listed] == [v.pk for v in reversed(visits)]  # the oldest first
    full = client.get("/arbetslista/besok-utan-utfall/").content.decode()
    assert "Tidigare besök där utfallet inte är registrerat" in full
    assert f"/genomforande/besok/{visits[0].pk}/andra/" in full


def test_a_list_is_only_for_the_roles_that_have_it(login, coordinator, officer, analyst):
    assert login(coordinator).get("/arbetslista/beslut-som-upphor/").status_code == 403
    assert login(officer).get("/arbetslista/beslut-som-upphor/").status_code == 200
    assert login(officer).get("/arbetslista/besok-utan-utfall/").status_code == 403
    assert login(analyst).get("/arbetslista/oppna-arenden/").status_code == 403
    assert login(officer).get("/arbetslista/finns-inte/").status_code == 404


def test_an_empty_list_says_so(login, officer):
    page = login(officer).get("/arbetslista/beslut-utan-brev/").content.decode()
    assert "Inget i listan just nu." in page


def test_keyset_pages_can_be_ordered_by_a_computed_key(org):
    add_people(25, org["authority"])
    Case.objects.filter(pk__in=Case.objects.values("pk")[:10]).update(
        closed_on=datetime.date(2024, 6, 1)
    )
    cases = Case.objects.annotate(ended=Coalesce("closed_on", "opened_on"))
    keys = ("ended", "id")
    seen, query = [], ""
    while True:
        page = keyset_page(RequestFactory().get(f"/?{query}"), cases, keys, 7)
        seen += page.rows
        if not page.next_query:
            break
        query = page.next_query
    assert [c.pk for c in seen] == [c.pk for c in cases.order_by(*keys)]


def test_every_list_page_shows_the_demo_users_whole_lists(db, client):
    """Every registered list, opened by each demo user whose roles have it, on the demo data."""
    from django.contrib.auth import get_user_model

    from core.sections import _full_lists
    from demo.data import load_demo
    from organisation.roles import roles_of

    load_demo()
    today = timezone.localdate()
    opened = set()
    for username in ("officer", "coordinator", "manager"):
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        for name, spec in _full_lists.items():
            response = client.get(f"/arbetslista/{name}/")
            if not spec.allowed(roles_of(user)):
                assert response.status_code == 403
                continue
            assert response.status_code == 200, (username, name)
            expected = spec.rows(user, today).order_by(*spec.keys)[:50]
            assert [r.pk for r in response.context["page"].rows] == [r.pk for r in expected]
            assert f'<h1 id="list-heading">{spec.title}</h1>' in response.content.decode()
            opened.add(name)
    assert opened == set(_full_lists)

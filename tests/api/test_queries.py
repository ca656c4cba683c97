"""API lists and the token page run the same number of queries whatever the number of rows."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import Scope
from api.tokens import create_token
from delivery import actions as delivery
from intake.models import Intake
from tests.test_queries import add_people, assert_same_queries


def _queries(get, *args):
    with CaptureQueriesContext(connection) as captured:
        response = get(*args)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries]


def test_search_and_inbox_queries_do_not_grow(api_as, officer, org):
    client = api_as(officer)
    add_people(2, org["authority"], last_name="Fiktiv")
    for _ in range(2):
        Intake.objects.create(unit=org["authority"], channel="phone", source="self")
    client.get("/people", {"q": "Fiktiv"})  # warm up the access-log chain
    few = (_queries(client.get, "/people", {"q": "Fiktiv"}), _queries(client.get, "/intakes"))
    add_people(10, org["authority"], last_name="Fiktiv")
    for _ in range(10):
        Intake.objects.create(unit=org["authority"], channel="phone", source="self")
    many = (_queries(client.get, "/people", {"q": "Fiktiv"}), _queries(client.get, "/intakes"))
    for a, b in zip(few, many, strict=True):
        assert_same_queries(a, b)


def test_journal_visits_and_plans_queries_do_not_grow(api_as, coordinator, person):
    client = api_as(coordinator)
    day = datetime.date(2026, 3, 2)
    when = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    paths = [f"/people/{person.pk}/{part}" for part in ("notes", "visits", "plans")]

    def add(n):
        for i in range(n):
            note = delivery.create_note(user=coordinator, person=person, happened_on=day, text="x")
            delivery.sign_note(user=coordinator, note=note)
            visit = delivery.plan_visit(
                user=coordinator, person=person, planned_at=when + datetime.timedelta(days=i)
            )
            delivery.give_homework(user=coordinator, visit=visit, text="Gå ut")
            delivery.create_plan(
                user=coordinator,
                person=person,
                visit_frequency="Varje vecka",
                agreed_on=day,
                agreed_how="Vid besök",
                next_follow_up=day,
            )

    add(1)
    client.get(paths[0])
    few = [_queries(client.get, p) for p in paths]
    add(4)
    many = [_queries(client.get, p) for p in paths]
    for a, b in zip(few, many, strict=True):
        assert_same_queries(a, b)


def test_token_page_queries_do_not_grow(login, coordinator):
    client = login(coordinator)
    create_token(user=coordinator, name="ett", scope=Scope.READ)
    client.get("/api-nycklar/")
    few = _queries(client.get, "/api-nycklar/")
    for i in range(10):
        create_token(user=coordinator, name=f"nyckel {i}", scope=Scope.READ_WRITE)
    assert_same_queries(few, _queries(client.get, "/api-nycklar/"))

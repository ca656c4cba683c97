"""List pages and registry functions run a constant number of queries, whatever the data."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import actions
from intake.models import Referral
from tests.factories import PersonFactory
from tests.intake.conftest import make_intake


def add_intakes(org, officer, service, count):
    for n in range(count):
        person = PersonFactory() if n % 2 else None
        make_intake(
            org["authority"],
            person=person,
            via_web_form=n % 3 == 0,
            triaged=n % 3 != 0,
            callback_due=datetime.date.today() if n % 4 == 0 else None,
        )
        if person:
            # A referral of a person the officer knows only through the intake: no action would
            # let them write it (the person's record is not theirs), so it is made directly.
            Referral.objects.create(
                person=person, origin="intake", service=service, created_by=officer
            )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_runs_the_same_queries_for_3_and_40_intakes(login, officer, org, service):
    client = login(officer)
    add_intakes(org, officer, service, 3)
    few = count_queries(client, "/aktualiseringar/")
    add_intakes(org, officer, service, 37)
    many = count_queries(client, "/aktualiseringar/")
    assert many == few


def test_the_start_page_worklist_is_constant(login, officer, org, service):
    client = login(officer)
    add_intakes(org, officer, service, 3)
    few = count_queries(client, "/")
    add_intakes(org, officer, service, 37)
    assert count_queries(client, "/") == few


def test_the_person_section_is_constant(login, officer, person, org, service, coordinator):
    client = login(officer)
    url = f"/personer/{person.pk}/"

    def add(count):
        for _ in range(count):
            make_intake(org["authority"], person=person)
            actions.create_referral(user=officer, person=person, origin="intake", service=service)
            actions.record_talk(
                user=officer,
                person=person,
                intake=None,
                data={"held_on": datetime.date(2025, 1, 1), "place": "home"},
                staff=[officer, coordinator],
            )

    add(1)
    few = count_queries(client, url)
    add(10)
    assert count_queries(client, url) == few


def test_the_inbox_stays_under_a_fixed_ceiling(
    login, officer, org, service, django_assert_max_num_queries
):
    add_intakes(org, officer, service, 40)
    client = login(officer)
    with django_assert_max_num_queries(15):
        client.get("/aktualiseringar/")

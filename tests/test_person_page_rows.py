"""Issue 17: the person page reads no list of a kind of row the person has none of (one query
asks which kinds they have, core/sections.py `person_rows`), and shows and logs the same as when
it read every list."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from audit.models import AccessLogEntry
from core.sections import PersonRows
from demo.data import load_demo
from people.models import Person
from tests.factories import AttachmentFactory, ContactFactory, MappingFactory
from tests.test_queries import assert_same_queries, queries_for

# What differs between two renders of the same page whatever it shows: the forms' one-time tokens.
TOKENS = re.compile(
    r'((?:name="(?:csrfmiddlewaretoken|submission_token)" value=|"X-CSRFToken": ))"[^"]*"'
)


def _page_and_log(client, url) -> tuple[str, list]:
    last = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200
    logged = AccessLogEntry.objects.filter(id__gt=last).values_list(
        "person_id", "record_type", "record_id", "action", "reason"
    )
    return TOKENS.sub(r"\1", response.content.decode()), sorted(logged)


@pytest.fixture
def every_list_read(monkeypatch):
    """The page as it was: every section's list read, whatever the person has."""

    def read_all() -> None:
        monkeypatch.setattr(PersonRows, "exist", lambda self, person: True)

    return read_all


@pytest.mark.parametrize("username", ["officer", "coordinator", "manager"])
def test_every_demo_person_is_shown_and_logged_as_when_every_list_was_read(
    db, client, username, every_list_read
):
    load_demo()
    client.force_login(
        get_user_model().objects.get(username=username),
        backend="organisation.auth.BryggaModelBackend",
    )
    urls = [f"/personer/{pk}/" for pk in Person.objects.current().values_list("pk", flat=True)]
    shown = {url: client.get(url).status_code for url in urls}
    urls = [url for url, status in shown.items() if status == 200]
    assert len(urls) >= 5, shown
    now = {url: _page_and_log(client, url) for url in urls}
    every_list_read()
    before = {url: _page_and_log(client, url) for url in urls}
    for url in urls:
        assert now[url][0] == before[url][0], url
        assert now[url][1] == before[url][1], url


def test_person_page_reads_a_list_only_of_kinds_the_person_has(login, coordinator, person):
    client = login(coordinator)
    url = f"/personer/{person.pk}/"
    client.get(url)
    nothing = queries_for(client, url)
    case = person.cases.get()
    ContactFactory(person=person)
    MappingFactory(person=person, case=case)
    AttachmentFactory(person=person, case=case)
    some = queries_for(client, url)
    # The network, the mappings and the documents are now read; nothing else changes.
    assert len(some) == len(nothing) + 3
    ContactFactory.create_batch(5, person=person)
    MappingFactory.create_batch(3, person=person, case=case)
    AttachmentFactory.create_batch(3, person=person, case=case)
    assert_same_queries(some, queries_for(client, url))

"""The person's timeline: every kind of record in order, the filter, links, and query counts."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLogEntry
from core import timeline
from tests.timeline.conftest import EXPECTED

d = datetime.date


def shown(entries):
    return [(entry.kind, entry.title, entry.day) for entry in entries]


def test_every_kind_of_record_appears_in_the_order_it_happened(person, whole_case):
    entries = timeline.entries_for(person)
    assert len(entries) == len(EXPECTED), shown(entries)
    for entry, (kind, fragment, day) in zip(entries, EXPECTED, strict=True):
        assert (entry.kind, entry.day) == (kind, day), shown(entries)
        assert fragment in entry.title, (entry.title, fragment)


def test_a_draft_note_is_not_on_the_timeline(person, whole_case):
    texts = [entry.detail for entry in timeline.entries_for(person, only=["notes"])]
    assert "Utkast." not in texts
    assert "Samtal om veckan." in texts and "Rättelse." in texts


def test_each_entry_says_when_it_was_registered_and_by_whom(person, coordinator, whole_case):
    note = next(
        e for e in timeline.entries_for(person, only=["notes"]) if e.title == "Journal note"
    )
    assert note.recorded_at == datetime.datetime(2026, 3, 11, 15, tzinfo=datetime.UTC)
    assert note.by == coordinator.get_full_name()


def test_every_kind_the_brief_names_is_registered(db):
    codes = {kind.code for kind in timeline.kinds()}
    assert codes >= {
        "intakes",
        "ratings",
        "talks",
        "mapping",
        "applications",
        "decisions",
        "letters",
        "appeals",
        "orders",
        "plans",
        "goal_reviews",
        "visits",
        "homework",
        "network",
        "notes",
        "groups",
        "referrals",
        "documents",
        "closure",
        "follow_ups",
    }


def test_filtering_by_kind_and_by_days(person, whole_case):
    entries = timeline.entries_for(person, only=["visits", "closure"])
    assert [(e.kind, e.day) for e in entries] == [
        ("visits", d(2026, 3, 10)),
        ("visits", d(2026, 3, 17)),
        ("closure", d(2026, 6, 30)),
    ]
    within = timeline.entries_for(person, start=d(2026, 3, 16), end=d(2026, 3, 18))
    assert [e.kind for e in within] == ["groups", "visits", "homework", "network"]


def test_the_page_filters_with_a_get_form(person, coordinator, whole_case, login):
    client = login(coordinator)
    url = reverse("timeline:person", args=[person.pk])
    html = client.get(url, {"kinds": ["appeals", "letters"]}).content.decode()
    assert "Letter for decision T-1 sent (by post)" in html
    assert "Appeal of decision T-1 received (in time)" in html
    assert "Intake received" not in html
    assert "2 entries" in html
    # The PDF link carries the same filter.
    assert "utskrift.pdf?kinds=appeals&amp;kinds=letters" in html


def test_a_bad_filter_gives_a_message_not_an_error(person, coordinator, whole_case, login):
    client = login(coordinator)
    url = reverse("timeline:person", args=[person.pk])
    response = client.get(url, {"start": "2026-05-01", "end": "2026-04-01", "kinds": ["nope"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date must not be before the start date." in html
    assert "Select a valid choice" in html
    response = client.get(url, {"start": "igår"})
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()
    pdf = client.get(reverse("timeline:pdf", args=[person.pk]), {"start": "igår"})
    assert pdf.status_code == 200 and pdf["Content-Type"].startswith("text/html")


def test_entries_link_to_where_the_record_is_shown(person, coordinator, whole_case, login):
    client = login(coordinator)
    for entry in timeline.entries_for(person):
        assert entry.url, entry.title
        path = entry.url.split("#")[0]
        assert client.get(path).status_code == 200, (entry.kind, entry.url)


def test_the_person_page_links_to_the_timeline(person, coordinator, login):
    html = login(coordinator).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("timeline:person", args=[person.pk]) in html


def test_reading_the_timeline_logs_each_record_shown(person, coordinator, whole_case, login):
    login(coordinator).get(reverse("timeline:person", args=[person.pk]), {"kinds": ["closure"]})
    logged = list(
        AccessLogEntry.objects.filter(
            user_id=coordinator.pk, record_type__in=["timeline", "closure"]
        ).values_list("record_type", "action")
    )
    assert sorted(logged) == [("closure", "read"), ("timeline", "read")]


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_each_source_runs_the_same_queries_for_few_or_many_records(person, whole_case):
    timeline.autodiscover()
    few = {
        code: count_queries(lambda c=code: timeline.entries_for(person, only=[c]))
        for code in [k.code for k in timeline.kinds()]
    }
    whole_case()
    whole_case()
    many = {
        code: count_queries(lambda c=code: timeline.entries_for(person, only=[c]))
        for code in [k.code for k in timeline.kinds()]
    }
    assert len(timeline.entries_for(person)) == 3 * len(EXPECTED)
    assert few == many


def test_the_page_runs_the_same_queries_for_few_or_many_records(
    person, coordinator, whole_case, login
):
    client = login(coordinator)
    url = reverse("timeline:person", args=[person.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    whole_case()
    many = count_queries(lambda: client.get(url))
    assert few == many


def test_every_reader_gets_only_links_they_may_follow(
    person, officer, manager, colleague, whole_case, login
):
    from people.access import grant_reasoned_access

    grant_reasoned_access(user=colleague, person=person, reason="Vikarierar")
    url = reverse("timeline:person", args=[person.pk])
    for user in (officer, manager, colleague):
        client = login(user)
        html = client.get(url).content.decode()
        links = set(re.findall(r'<td><a href="([^"]+)"', html))
        assert len(links) > 15
        for link in links:
            assert client.get(link.split("#")[0]).status_code == 200, (user.username, link)
    # The officer is not in the group's unit: the group entries are shown, without a link.
    html = login(officer).get(url, {"kinds": ["groups"]}).content.decode()
    assert "Took part in Tisdagsgruppen" in html and "/grupper/" not in html

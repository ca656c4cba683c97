"""A list page writes one access-log entry naming everyone it shows (issue 17): the register
extract and the manager's review still find the read, tampering with the names shows, culling the
log takes the names with their entries, and the page's queries do not grow with the people."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection
from django.utils import timezone, translation

from audit.events import log_list, verify_chain
from audit.models import AccessLogEntry, AccessLogSubject, Action
from intake.models import Intake, IntakeStatus
from people.models import ReasonedAccess
from retention import actions
from retention.extract import build
from tests.access_log import reads_of, was_read
from tests.test_queries import add_people, assert_same_queries, queries_for


def test_the_caseload_page_is_one_entry_naming_everyone_shown(org, login, coordinator, colleague):
    people = add_people(30, org["authority"], provider=org["north"], staff=coordinator)
    last = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    login(coordinator).get("/personer/")
    entry = AccessLogEntry.objects.get(id__gt=last)
    assert (entry.action, entry.record_type, entry.person_id) == (Action.SEARCH, "person", None)
    assert set(entry.people) == {str(p.pk) for p in people}
    assert all(was_read(p, coordinator, action=Action.SEARCH) for p in people)
    assert not was_read(people[0], colleague)


def test_the_start_page_logs_the_open_cases_and_the_reasons_it_shows(
    org, login, coordinator, colleague, manager
):
    people = add_people(3, org["authority"], provider=org["north"], staff=coordinator)
    login(coordinator).get("/")
    shown = AccessLogEntry.objects.get(user=coordinator, record_type="case")
    assert set(shown.people) == {str(p.pk) for p in people}
    assert all(was_read(p, coordinator, action=Action.SEARCH) for p in people)
    # The manager's list of reasons given names the person each reason was given for.
    ReasonedAccess.objects.create(
        user=colleague,
        person=people[0],
        reason="Vikarierar",
        expires_at=timezone.now() + datetime.timedelta(hours=8),
    )
    page = login(manager).get("/")
    assert "Vikarierar" in page.content.decode()
    reasons = AccessLogEntry.objects.get(user=manager, record_type="access_log")
    assert (reasons.action, set(reasons.people)) == (Action.READ, {str(people[0].pk)})
    assert was_read(people[1], manager, action=Action.SEARCH)  # the manager's open cases


def test_the_register_extract_names_a_list_read(login, coordinator, person):
    login(coordinator).get("/personer/")
    with translation.override("en"):
        data = build(person)
    found = [row for row in data["access_log"] if row["action"] == "Found in search"]
    assert [(row["who"], row["record"]) for row in found] == [
        (coordinator.get_full_name() or coordinator.username, "Personal details")
    ]
    assert "Personal details: found in search" in [row["what"] for row in data["access_summary"]]


def test_the_log_review_filtered_by_person_shows_the_list_that_named_them(
    org, login, coordinator, manager, person
):
    others = add_people(3, org["authority"], provider=org["north"], staff=coordinator)
    login(coordinator).get("/personer/")
    listed = reads_of(person, coordinator, action=Action.SEARCH).get()
    rows = login(manager).get("/atkomstlogg/", {"person": str(person.pk)}).context["rows"]
    shown = {e.pk: e for e in rows}
    assert listed.pk in shown
    assert shown[listed.pk].person == person  # shown as the person filtered by
    everyone = login(manager).get("/atkomstlogg/")
    assert listed.pk in {e.pk for e in everyone.context["rows"]}
    assert f"En lista med {len(others) + 1} personer" in everyone.content.decode()


def test_tampering_with_the_people_a_list_named_breaks_the_chain(db):
    shown = [uuid.uuid4() for _ in range(3)]
    entry = log_list(user=None, record_type="person", people=shown)[0]
    log_list(user=None, record_type="person", people=[uuid.uuid4()])
    assert verify_chain() is None
    cases = [
        (
            "DELETE FROM audit_accesslogsubject WHERE entry_id = %s AND person_id = %s",
            [entry.pk, shown[0]],
        ),
        (
            "INSERT INTO audit_accesslogsubject (entry_id, person_id) VALUES (%s, %s)",
            [entry.pk, uuid.uuid4()],
        ),
        (
            "UPDATE audit_accesslogsubject SET person_id = %s"
            " WHERE entry_id = %s AND person_id = %s",
            [uuid.uuid4(), entry.pk, shown[1]],
        ),
    ]
    for sql, params in cases:
        with connection.cursor() as cursor:
            cursor.execute(sql, [_db_value(p) for p in params])
        broken = verify_chain()
        assert broken is not None and broken.pk == entry.pk, sql
        _restore(entry, shown)
        assert verify_chain() is None


def _db_value(value):
    return value.hex if isinstance(value, uuid.UUID) and connection.vendor == "sqlite" else value


def _restore(entry, people):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslogsubject WHERE entry_id = %s", [entry.pk])
    AccessLogSubject.objects.bulk_create(AccessLogSubject(entry=entry, person_id=p) for p in people)


def test_culling_the_log_takes_the_names_with_their_entries(db, monkeypatch):
    day = datetime.datetime(2019, 1, 10, 9, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: day)
    old = log_list(user=None, record_type="person", people=[uuid.uuid4(), uuid.uuid4()])[0]
    monkeypatch.undo()
    kept = log_list(user=None, record_type="person", people=[uuid.uuid4()])[0]
    actions.cull_access_log(datetime.date(2026, 6, 1))
    assert not AccessLogSubject.objects.filter(entry_id=old.pk).exists()
    assert AccessLogSubject.objects.filter(entry_id=kept.pk).count() == 1
    assert verify_chain() is None


def _intakes_of_distinct_people(count, unit):
    """`count` open intakes, each of its own person: half waiting in the inbox's first list, half
    due for a callback (received later, so not on the first list): 2 × 50 people shown."""
    people = add_people(count, unit)
    first, second = people[: count // 2], people[count // 2 :]
    start = datetime.date(2025, 1, 1)
    Intake.objects.bulk_create(
        [
            Intake(
                unit=unit,
                person=p,
                received_on=start,
                channel="phone",
                source="self",
                status=IntakeStatus.OPEN,
            )
            for p in first
        ]
        + [
            Intake(
                unit=unit,
                person=p,
                received_on=start + datetime.timedelta(days=200),
                channel="phone",
                source="self",
                status=IntakeStatus.OPEN,
                callback_due=start,
            )
            for p in second
        ]
    )


def test_a_page_showing_100_people_runs_the_queries_of_one_showing_5(org, login, officer):
    client = login(officer)
    _intakes_of_distinct_people(5, org["authority"])
    client.get("/aktualiseringar/")
    few = queries_for(client, "/aktualiseringar/")
    _intakes_of_distinct_people(120, org["authority"])
    many = queries_for(client, "/aktualiseringar/")
    assert_same_queries(few, many)
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert len(entry.people) == 100

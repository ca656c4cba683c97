"""API reads land in the same access log as the pages', with the reason when one was needed."""

from __future__ import annotations

from audit.models import AccessLogEntry
from tests.access_log import reads_of


def _entries(user, person_id=None, **filters):
    found = reads_of(person_id, user) if person_id else AccessLogEntry.objects.filter(user=user)
    return list(
        found.filter(**filters).order_by("id").values_list("record_type", "action", "reason")
    )


def test_reading_a_person_is_logged(api_as, coordinator, person):
    api_as(coordinator).get(f"/people/{person.pk}")
    assert _entries(coordinator, person_id=person.pk) == [("person", "read", "")]


def test_a_search_logs_every_hit(api_as, coordinator, person):
    hits = api_as(coordinator).get("/people", {"q": "Fiktiv"}).json()
    assert [hit["id"] for hit in hits] == [str(person.pk)]
    assert _entries(coordinator, person_id=person.pk) == [("person", "search", "")]


def test_a_read_outside_ones_cases_is_logged_with_the_reason(api_as, colleague, person):
    client = api_as(colleague)
    refused = client.get(f"/people/{person.pk}")
    assert refused.status_code == 403
    assert refused.json()["reason_required"] is True
    assert _entries(colleague) == []
    reason = "Vikarierar för kollegan i team Norr"
    opened = client.post(f"/people/{person.pk}/reason", {"reason": reason})
    assert opened.json()["access"] == "read"
    assert client.get(f"/people/{person.pk}").status_code == 200
    assert _entries(colleague, person_id=person.pk) == [
        ("person", "reason", reason),
        ("person", "read", reason),
    ]


def test_an_analyst_never_reads_a_person_and_leaves_no_trace(api_as, analyst, person):
    response = api_as(analyst).get(f"/people/{person.pk}")
    assert response.status_code == 403  # as on the page
    assert _entries(analyst) == []


def test_a_protected_person_is_404_to_all_but_the_named_staff(api_as, officer, person):
    person.protected_identity = True
    person.save()
    response = api_as(officer).get(f"/people/{person.pk}")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]
    assert api_as(officer).get("/people", {"q": "Elin Fiktiv"}).json() == []
    assert _entries(officer) == []


def test_outside_ones_cases_the_search_must_name_someone(api_as, colleague, person):
    """As on the page: one word searches only one's own cases; first and last name finds."""
    client = api_as(colleague)
    assert client.get("/people", {"q": "Fiktiv"}).json() == []
    hits = client.get("/people", {"q": "Elin Fiktiv"}).json()
    assert [(hit["id"], hit["access"]) for hit in hits] == [(str(person.pk), "reason_required")]
    assert _entries(colleague, person_id=person.pk) == [("person", "search", "")]


def test_reading_the_journal_logs_each_note(api_as, coordinator, person):
    import datetime

    from delivery.actions import create_note, sign_note

    note = sign_note(
        user=coordinator,
        note=create_note(
            user=coordinator, person=person, happened_on=datetime.date(2026, 3, 2), text="Besök"
        ),
    )
    before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    api_as(coordinator).get(f"/people/{person.pk}/notes")
    assert sorted(
        AccessLogEntry.objects.filter(id__gt=before).values_list("record_type", "record_id")
    ) == [("journal", str(person.pk)), ("journal_note", str(note.pk))]


def test_an_expired_reason_opens_nothing_and_is_never_logged_again(api_as, colleague, person):
    """The reason lasts a few hours: after that the API asks for a new one, as the page does."""
    from django.utils import timezone

    from people.models import ReasonedAccess

    client = api_as(colleague)
    client.post(f"/people/{person.pk}/reason", {"reason": "Gammal anledning"})
    ReasonedAccess.objects.filter(user=colleague).update(expires_at=timezone.now())
    refused = client.get(f"/people/{person.pk}")
    assert refused.status_code == 403
    assert refused.json()["reason_required"] is True
    client.post(f"/people/{person.pk}/reason", {"reason": "Ny anledning"})
    assert client.get(f"/people/{person.pk}").status_code == 200
    assert _entries(colleague, person_id=person.pk, action="read") == [
        ("person", "read", "Ny anledning")
    ]


def test_an_intake_read_with_a_reason_is_logged_with_it(api_as, officer, colleague, person, org):
    """As every read outside one's own cases: the intake's log entry carries the reason in force
    (before, the API logged it without one)."""
    from intake.actions import create_intake
    from intake.models import Channel, Source

    intake = create_intake(
        user=officer,
        unit=org["authority"],
        data={"person": person, "channel": Channel.PHONE, "source": Source.SELF},
    )
    client = api_as(colleague)
    assert client.get(f"/intakes/{intake.pk}").status_code == 403
    client.post(f"/people/{person.pk}/reason", {"reason": "Vikarierar"})
    assert client.get(f"/intakes/{intake.pk}").status_code == 200
    assert _entries(colleague, record_type="intake") == [("intake", "read", "Vikarierar")]

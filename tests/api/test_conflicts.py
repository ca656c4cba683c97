"""Optimistic locking: an update based on a stale version is refused with 409, nothing changes."""

from __future__ import annotations

import datetime

from delivery.actions import create_note, update_note
from delivery.models import Note
from intake.actions import update_intake
from intake.models import Intake, IntakeStatus
from tests.editing import client_of, posted_as_shown


def test_closing_an_intake_with_a_stale_version_is_refused(api_as, officer, org):
    client = api_as(officer)
    created = client.post(
        "/intakes", {"channel": "phone", "source": "relative", "person_description": "Kim, 24"}
    ).json()
    # Someone else changes the intake after our read.
    intake = Intake.objects.get(pk=created["id"])
    update_intake(user=officer, intake=intake, data={"residence": "Uppsala"}, changed=[])
    response = client.post(
        f"/intakes/{created['id']}/close",
        {"version": created["version"], "outcome": "no_action", "reason": "Ingen kontakt"},
    )
    assert response.status_code == 409
    assert response.json()["field"] == "version"
    intake = Intake.objects.get(pk=created["id"])
    assert intake.status == IntakeStatus.OPEN
    assert intake.outcome_reason == ""


def test_closing_with_the_current_version_works_once(api_as, officer, org):
    client = api_as(officer)
    created = client.post(
        "/intakes", {"channel": "phone", "source": "self", "person_description": "Kim, 24"}
    ).json()
    current = client.get(f"/intakes/{created['id']}").json()["version"]
    body = {"version": current, "outcome": "declined", "reason": "Vill inte ha kontakt"}
    closed = client.post(f"/intakes/{created['id']}/close", body)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["version"] != current
    # The same request again is based on the version before the close.
    assert client.post(f"/intakes/{created['id']}/close", body).status_code == 409


def _draft(user, person):
    return create_note(
        user=user, person=person, happened_on=datetime.date(2026, 3, 2), text="Första texten"
    )


def test_two_edits_of_the_same_draft_the_second_is_refused(api_as, coordinator, person):
    client = api_as(coordinator)
    note = _draft(coordinator, person)
    read = client.get(f"/notes/{note.pk}").json()
    first = client.put(
        f"/notes/{note.pk}",
        {"version": read["version"], "happened_on": "2026-03-02", "text": "Från fliken ett"},
    )
    assert first.status_code == 200
    second = client.put(
        f"/notes/{note.pk}",
        {"version": read["version"], "happened_on": "2026-03-02", "text": "Från fliken två"},
    )
    assert second.status_code == 409
    assert Note.objects.get(pk=note.pk).text == "Från fliken ett"


def test_signing_a_draft_changed_since_it_was_read_is_refused(api_as, coordinator, person):
    client = api_as(coordinator)
    note = _draft(coordinator, person)
    read = client.get(f"/notes/{note.pk}").json()
    update_note(user=coordinator, note=note, happened_on=note.happened_on, text="Annan flik")
    response = client.post(f"/notes/{note.pk}/sign", {"version": read["version"]})
    assert response.status_code == 409
    assert Note.objects.get(pk=note.pk).signed_at is None


def test_a_signed_note_is_never_changed_through_the_api(api_as, coordinator, person):
    client = api_as(coordinator)
    note = _draft(coordinator, person)
    version = client.get(f"/notes/{note.pk}").json()["version"]
    signed = client.post(f"/notes/{note.pk}/sign", {"version": version}).json()
    assert signed["signed"] is True
    edit = client.put(
        f"/notes/{note.pk}",
        {"version": signed["version"], "happened_on": "2026-03-02", "text": "Efteråt"},
    )
    assert edit.status_code == 409
    assert "en rättelse är en ny anteckning" in str(edit.json())
    assert Note.objects.get(pk=note.pk).text == "Första texten"


def test_a_save_on_the_pages_makes_the_apis_version_stale(api_as, officer, org):
    client = api_as(officer)
    created = client.post(
        "/intakes", {"channel": "phone", "source": "self", "person_description": "Kim, 24"}
    ).json()
    page_url = f"/aktualiseringar/{created['id']}/andra/"
    browser = client_of(officer)
    browser.post(page_url, posted_as_shown(browser.get(page_url), residence="Uppsala"))
    assert Intake.objects.get(pk=created["id"]).residence == "Uppsala"

    body = {"version": created["version"], "outcome": "no_action", "reason": "Ingen kontakt"}
    assert client.post(f"/intakes/{created['id']}/close", body).status_code == 409
    current = client.get(f"/intakes/{created['id']}").json()["version"]
    body["version"] = current
    assert client.post(f"/intakes/{created['id']}/close", body).status_code == 200


def test_an_api_edit_makes_the_open_draft_form_stale(api_as, coordinator, person):
    note = _draft(coordinator, person)
    page_url = f"/genomforande/anteckning/{note.pk}/andra/"
    browser = client_of(coordinator)
    page = browser.get(page_url)
    client = api_as(coordinator)
    version = client.get(f"/notes/{note.pk}").json()["version"]
    body = {"version": version, "happened_on": "2026-03-02", "text": "Via API:t"}
    assert client.put(f"/notes/{note.pk}", body).status_code == 200

    refused = browser.post(page_url, posted_as_shown(page, text="Via sidan"))
    assert refused.status_code == 200
    assert "Text: Via API:t" in refused.content.decode()
    assert Note.objects.get(pk=note.pk).text == "Via API:t"

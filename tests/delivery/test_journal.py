"""Journal notes: drafts by their author, then signed and never altered; corrections and
objections sit beside the note they concern."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AccessLogEntry
from delivery import actions
from delivery.models import Note, Objection, SignedNoteError
from tests.delivery.conftest import MONDAY
from tests.resent import assert_answered_with_the_first, send_twice, token_on


def test_a_signed_note_refuses_save_and_delete(signed):
    signed.text = "Ändrad"
    with pytest.raises(SignedNoteError):
        signed.save()
    with pytest.raises(SignedNoteError):
        signed.delete()
    # Even a stale copy loaded before signing cannot overwrite it.
    assert Note.objects.get(pk=signed.pk).text == "Vi pratade om veckan."


def test_a_stale_unsigned_copy_cannot_overwrite_a_signed_note(draft, coordinator):
    stale = Note.objects.get(pk=draft.pk)
    actions.sign_note(user=coordinator, note=draft)
    stale.text = "Ändrad i smyg"
    with pytest.raises(SignedNoteError):
        stale.save()
    with pytest.raises(SignedNoteError):
        stale.delete()


def test_querysets_holding_a_signed_note_refuse_update_and_delete(signed):
    with pytest.raises(SignedNoteError):
        Note.objects.filter(pk=signed.pk).update(text="Ändrad")
    with pytest.raises(SignedNoteError):
        Note.objects.all().delete()
    with pytest.raises(SignedNoteError):
        Note._base_manager.filter(pk=signed.pk).update(text="Ändrad")
    assert Note.objects.get(pk=signed.pk).text == "Vi pratade om veckan."


def test_changing_a_signed_note_explains_that_it_is_corrected_with_correct(
    signed, coordinator, login
):
    """Not a 403 page blaming the user's role: back to the note, told to use "Correct"."""
    client = login(coordinator)
    data = {"happened_on": "2026-03-02", "text": "Ändrad"}
    back = f"/genomforande/person/{signed.person_id}/journal/#note-{signed.pk}-heading"
    for response in (
        client.get(f"/genomforande/anteckning/{signed.pk}/andra/"),
        client.post(f"/genomforande/anteckning/{signed.pk}/andra/", data),
        client.post(f"/genomforande/anteckning/{signed.pk}/ta-bort/"),
        client.post(f"/genomforande/anteckning/{signed.pk}/signera/", {"confirm": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == back
    page = client.get(back).content.decode()
    assert "Anteckningen är signerad och kan inte längre ändras" in page
    assert "Välj ”Rätta”" in page
    assert "fråga din enhetschef" not in page
    signed.refresh_from_db()
    assert signed.text == "Vi pratade om veckan."


def test_signing_asks_first_and_says_a_signed_note_cannot_be_changed(draft, coordinator, login):
    client = login(coordinator)
    url = f"/genomforande/anteckning/{draft.pk}/signera/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "En signerad anteckning kan aldrig ändras" in confirm.content.decode()
    assert 'name="confirm"' in confirm.content.decode()
    assert client.post(url).status_code == 200  # without the confirmation nothing is signed
    draft.refresh_from_db()
    assert not draft.is_signed

    assert client.post(url, {"confirm": "1"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed


def test_correcting_a_draft_or_objecting_to_it_says_what_to_do_instead(draft, coordinator, login):
    client = login(coordinator)
    for suffix, told in (
        ("rattelse/", "ett utkast ändras direkt"),
        ("invandning/", "signera utkastet"),
    ):
        response = client.get(f"/genomforande/anteckning/{draft.pk}/{suffix}", follow=True)
        assert response.status_code == 200
        assert told in response.content.decode()


def test_the_author_writes_edits_and_signs_a_draft(person, coordinator, login):
    client = login(coordinator)
    response = client.post(
        f"/genomforande/person/{person.pk}/journal/ny/",
        {"happened_on": "2026-03-02", "text": "Första"},
    )
    assert response.status_code == 302
    note = Note.objects.get(person=person)
    assert not note.is_signed
    client.post(
        f"/genomforande/anteckning/{note.pk}/andra/",
        {"happened_on": "2026-03-03", "text": "Andra", "version": note.version},
    )
    client.post(f"/genomforande/anteckning/{note.pk}/signera/", {"confirm": "1"})
    note.refresh_from_db()
    assert note.text == "Andra" and note.signed_by == coordinator and note.signed_at


def test_only_the_author_edits_signs_or_removes_a_draft(draft, teammate, login):
    client = login(teammate)
    data = {"happened_on": "2026-03-02", "text": "Någon annans"}
    assert client.post(f"/genomforande/anteckning/{draft.pk}/andra/", data).status_code == 403
    assert (
        client.post(f"/genomforande/anteckning/{draft.pk}/signera/", {"confirm": "1"}).status_code
        == 403
    )
    refused = client.post(f"/genomforande/anteckning/{draft.pk}/ta-bort/")
    assert refused.status_code == 403
    # The refusal says why (the note is another's draft), not that the role lacks access.
    assert "Bara den som skrivit ett utkast kan ändra det" in refused.content.decode()
    with pytest.raises(PermissionDenied):
        actions.update_note(user=teammate, note=draft, happened_on=MONDAY, text="x")
    draft.refresh_from_db()
    assert draft.text == "Vi pratade om veckan." and not draft.is_signed


def test_the_author_removes_a_draft(draft, coordinator, login):
    response = login(coordinator).post(f"/genomforande/anteckning/{draft.pk}/ta-bort/")
    assert response.status_code == 302
    assert not Note.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_not_shown_to_others(draft, teammate, login):
    response = login(teammate).get(f"/genomforande/person/{draft.person_id}/journal/")
    assert response.status_code == 200
    assert "Vi pratade om veckan." not in response.content.decode()


def test_a_correction_is_a_new_note_and_both_are_shown_linked(signed, coordinator, login):
    client = login(coordinator)
    response = client.post(
        f"/genomforande/anteckning/{signed.pk}/rattelse/", {"text": "Rätt: vi pratade om månaden."}
    )
    assert response.status_code == 302
    correction = Note.objects.get(corrects=signed)
    actions.sign_note(user=coordinator, note=correction)
    page = client.get(f"/genomforande/person/{signed.person_id}/journal/").content.decode()
    assert "Vi pratade om veckan." in page and "Rätt: vi pratade om månaden." in page
    assert f'href="#note-{signed.pk}-heading"' in page
    assert f'href="#note-{correction.pk}-heading"' in page
    signed.refresh_from_db()
    assert signed.text == "Vi pratade om veckan."


def test_the_persons_objection_is_attached_and_shown(signed, coordinator, login):
    client = login(coordinator)
    response = client.post(
        f"/genomforande/anteckning/{signed.pk}/invandning/",
        {"given_on": "2026-03-05", "text": "Jag håller inte med."},
    )
    assert response.status_code == 302
    objection = Objection.objects.get(note=signed)
    assert objection.recorded_by == coordinator
    page = client.get(f"/genomforande/person/{signed.person_id}/journal/").content.decode()
    assert "Jag håller inte med." in page


def test_writing_signing_and_reading_are_logged(person, coordinator, login):
    client = login(coordinator)
    client.post(
        f"/genomforande/person/{person.pk}/journal/ny/",
        {"happened_on": "2026-03-02", "text": "Loggad"},
    )
    note = Note.objects.get(person=person)
    client.post(f"/genomforande/anteckning/{note.pk}/signera/", {"confirm": "1"})
    client.get(f"/genomforande/person/{person.pk}/journal/")
    entries = AccessLogEntry.objects.filter(
        person_id=person.pk, record_type="journal_note", record_id=str(note.pk)
    )
    assert set(entries.values_list("action", flat=True)) >= {"create", "update", "read"}
    assert all(e.user_id == coordinator.pk for e in entries)


def test_signing_sent_twice_signs_once_and_the_second_is_shown_the_result(
    draft, coordinator, login
):
    client = login(coordinator)
    url = f"/genomforande/anteckning/{draft.pk}/signera/"
    confirm = client.get(url)  # signing is confirmed on a page of its own
    first, second = send_twice(client, url, {"confirm": "1"}, token_on(confirm))
    draft.refresh_from_db()
    assert draft.signed_by == coordinator
    # Not the 403 a signed note gives: the same page the signing led to, saying it was done.
    assert_answered_with_the_first(client, first, second)
    signed = AccessLogEntry.objects.filter(record_id=str(draft.pk), action="update")
    assert signed.count() == 1

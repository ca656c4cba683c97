"""Staff intake pages: inbox, registering, detail, notes, callback, linking, closing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from intake.models import Intake, IntakeNote, Referral
from tests.access_log import reads_of
from tests.factories import PersonFactory, UserFactory
from tests.intake.conftest import make_intake
from tests.resent import assert_answered_with_the_first, send_twice, token_on

TODAY = datetime.date.today


def log_entries(user, record_id, action=None):
    entries = AccessLogEntry.objects.filter(user=user, record_id=str(record_id))
    return entries.filter(action=action) if action else entries


# The inbox


def test_officer_sees_open_intakes_oldest_first_with_age(login, officer, org):
    make_intake(org["authority"], person_description="Nyare", received_on=TODAY())
    make_intake(
        org["authority"],
        person_description="Äldre",
        received_on=TODAY() - datetime.timedelta(days=12),
    )
    page = login(officer).get("/aktualiseringar/").content.decode()
    assert page.index("Äldre") < page.index("Nyare")
    assert "<td>12</td>" in page


def test_inbox_shows_only_the_units_open_intakes(login, officer, org, intake):
    make_intake(org["other_authority"], person_description="Annan enhet")
    closed = make_intake(org["authority"], person_description="Avslutad")
    Intake.objects.filter(pk=closed.pk).update(
        status="closed", outcome="no_action", outcome_reason="Inget behov"
    )
    page = login(officer).get("/aktualiseringar/").content.decode()
    assert "Son, 24 år" in page
    assert "Annan enhet" not in page
    assert "Avslutad" not in page


def test_inbox_lists_callbacks_due(login, officer, org):
    make_intake(org["authority"], person_description="Ring mig", callback_due=TODAY())
    make_intake(
        org["authority"],
        person_description="Senare",
        callback_due=TODAY() + datetime.timedelta(days=3),
    )
    response = login(officer).get("/aktualiseringar/")
    assert [i.person_description for i in response.context["callbacks_due"]] == ["Ring mig"]


def test_listing_the_inbox_is_logged(login, officer, person_intake, intake):
    login(officer).get("/aktualiseringar/")
    found = reads_of(person_intake.person_id, officer, action="search", record_type="intake")
    assert found.count() == 1
    # One entry for the list, naming the identified person; nobody to name for the other.
    assert found.get().people == (str(person_intake.person_id),)


@pytest.mark.parametrize("who", ["coordinator", "analyst", "meeting_staff", "administrator"])
def test_roles_outside_the_authority_side_may_not_open_the_inbox(login, who, request):
    user = request.getfixturevalue(who)
    assert login(user).get("/aktualiseringar/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/aktualiseringar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_manager_sees_the_inbox(login, manager, intake):
    assert "Son, 24 år" in login(manager).get("/aktualiseringar/").content.decode()


def test_officers_navigation_has_intakes(login, officer, coordinator):
    assert 'href="/aktualiseringar/"' in login(officer).get("/").content.decode()
    assert 'href="/aktualiseringar/"' not in login(coordinator).get("/").content.decode()


# Registering an intake

FORM = {
    "received_on": "2025-03-01",
    "channel": "phone",
    "source": "psychiatry",
    "notifier_name": "Dr Ek",
    "notifier_contact": "018-00 00 00",
    "notifier_relation": "läkare",
    "person_number": "",
    "person_description": "Man, 30 år",
    "age": "30",
    "residence": "Exempelby",
    "isolation_duration": "tre år",
    "social_anxiety": "yes",
    "psychosis_signs": "no",
    "substance_use": "unknown",
    "person_knows": "yes",
    "person_agrees": "yes",
    "description": "Går inte ut.",
    "check_adult": "yes",
    "check_resident": "yes",
    "check_isolated": "yes",
    "check_no_psychosis": "yes",
    "callback_due": "2025-03-03",
}


def test_officer_registers_an_intake_about_someone_unknown(login, officer, org):
    response = login(officer).post("/aktualiseringar/ny/", FORM)
    intake = Intake.objects.get()
    assert response["Location"] == f"/aktualiseringar/{intake.pk}/"
    assert intake.unit == org["authority"]
    assert intake.person is None
    assert intake.source == "psychiatry"
    assert intake.meets_target_group is True
    assert intake.created_by == officer
    assert log_entries(officer, intake.pk, "create").count() == 1


def test_registering_with_the_number_of_a_visible_person_links_them(login, officer, person):
    data = {**FORM, "person_number": person.display_number, "person_description": ""}
    login(officer).post("/aktualiseringar/ny/", data)
    intake = Intake.objects.get()
    assert intake.person == person
    assert intake.case.person == person


def test_a_person_outside_the_users_cases_cannot_be_chosen(login, outsider_officer, person):
    data = {**FORM, "person_number": person.display_number}
    response = login(outsider_officer).post("/aktualiseringar/ny/", data)
    assert response.status_code == 200
    assert "Nobody with that number" in response.content.decode()
    assert not Intake.objects.exists()


def test_the_person_must_be_given_or_described(login, officer):
    data = {**FORM, "person_description": ""}
    response = login(officer).post("/aktualiseringar/ny/", data)
    assert "person_description" in response.context["form"].errors
    assert 'value="Dr Ek"' in response.content.decode(), "what was typed is kept"


def test_only_the_authority_side_registers_intakes(login, coordinator):
    assert login(coordinator).get("/aktualiseringar/ny/").status_code == 403


# The detail page


def test_detail_shows_the_target_group_answers_and_verdict(login, officer, org):
    intake = make_intake(org["authority"], check_adult="yes", check_resident="no")
    page = login(officer).get(f"/aktualiseringar/{intake.pk}/").content.decode()
    assert "18 years or older" in page or "18 år" in page
    assert intake.meets_target_group is False
    assert log_entries(officer, intake.pk, "read").count() == 1


def test_outsider_officer_gets_404_on_an_intake(login, outsider_officer, intake):
    assert login(outsider_officer).get(f"/aktualiseringar/{intake.pk}/").status_code == 404


def test_coordinator_of_the_person_may_read_but_not_change(login, coordinator, person_intake):
    client = login(coordinator)
    assert client.get(f"/aktualiseringar/{person_intake.pk}/").status_code == 200
    assert client.get(f"/aktualiseringar/{person_intake.pk}/andra/").status_code == 403


def test_colleague_in_another_team_gives_a_reason_and_then_reads_the_intake(
    login, colleague, person_intake
):
    client = login(colleague)
    url = f"/aktualiseringar/{person_intake.pk}/"
    response = client.get(url)
    reason_url = f"/personer/{person_intake.person_id}/skal/"
    assert response["Location"] == f"{reason_url}?next={url.replace('/', '%2F')}"
    form = client.get(response["Location"])
    assert f'name="next" value="{url}"' in form.content.decode()
    back = client.post(reason_url, {"reason": "Vikarierar för Kim i veckan.", "next": url})
    assert back["Location"] == url
    assert client.get(url).status_code == 200
    assert client.get(f"{url}andra/").status_code == 403


def test_the_reason_form_never_sends_the_user_to_another_site(login, colleague, person_intake):
    reason_url = f"/personer/{person_intake.person_id}/skal/"
    response = login(colleague).post(
        reason_url, {"reason": "Vikarierar för Kim i veckan.", "next": "https://example.org/"}
    )
    assert response["Location"] == f"/personer/{person_intake.person_id}/"


def test_an_outsider_still_gets_404_for_an_intake(login, meeting_staff, person_intake):
    # Meeting-place staff are no case workers at all: 403 before the intake is even looked up.
    assert login(meeting_staff).get(f"/aktualiseringar/{person_intake.pk}/").status_code == 403


def test_web_intake_loses_its_new_mark_when_handled(login, officer, org):
    intake = make_intake(org["authority"], via_web_form=True, triaged=False, channel="web")
    login(officer).post(f"/aktualiseringar/{intake.pk}/aterringd/")
    intake.refresh_from_db()
    assert intake.triaged
    assert intake.callback_done_at is not None
    assert log_entries(officer, intake.pk, "update").count() == 1


# Editing


def test_officer_changes_an_open_intake(login, officer, intake):
    data = {**FORM, "person_description": "Son, 25 år", "version": intake.version}
    response = login(officer).post(f"/aktualiseringar/{intake.pk}/andra/", data)
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.person_description == "Son, 25 år"
    entry = log_entries(officer, intake.pk, "update").get()
    assert "person_description" in entry.detail


def test_a_closed_intake_cannot_be_changed(login, officer, intake):
    Intake.objects.filter(pk=intake.pk).update(
        status="closed", outcome="no_action", outcome_reason="Inget behov"
    )
    response = login(officer).post(f"/aktualiseringar/{intake.pk}/andra/", FORM)
    assert response["Location"] == f"/aktualiseringar/{intake.pk}/"
    intake.refresh_from_db()
    assert intake.person_description == "Son, 24 år"


def test_edit_page_read_is_logged(login, officer, intake):
    login(officer).get(f"/aktualiseringar/{intake.pk}/andra/")
    assert log_entries(officer, intake.pk, "read").count() == 1


# Linking a person


def test_officer_links_a_registered_person(login, officer, intake, person):
    url = f"/aktualiseringar/{intake.pk}/koppla-person/"
    login(officer).post(url, {"number": person.personal_number})
    intake.refresh_from_db()
    assert intake.person == person


def test_linking_refuses_a_person_the_user_may_not_see(login, officer, intake):
    stranger = PersonFactory()
    url = f"/aktualiseringar/{intake.pk}/koppla-person/"
    response = login(officer).post(url, {"number": stranger.personal_number})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    intake.refresh_from_db()
    assert intake.person is None


# Notes (FL 27 §)


def test_officer_documents_a_call_with_when_and_by_whom(login, officer, intake):
    url = f"/aktualiseringar/{intake.pk}/anteckning/"
    response = login(officer).post(
        url, {"happened_at": "2025-03-01T10:15", "channel": "phone", "text": "Mamman ringde."}
    )
    assert response.status_code == 302
    note = IntakeNote.objects.get()
    assert note.written_by == officer
    assert timezone.localtime(note.happened_at).strftime("%H:%M") == "10:15"
    page = login(officer).get(f"/aktualiseringar/{intake.pk}/").content.decode()
    assert "Mamman ringde." in page
    assert "Test Användare" in page
    assert log_entries(officer, note.pk, "create").count() == 1


def test_a_note_cannot_be_dated_in_the_future(login, officer, intake):
    later = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(officer).post(
        f"/aktualiseringar/{intake.pk}/anteckning/",
        {"happened_at": later, "channel": "phone", "text": "x"},
    )
    assert response.context["form"].errors["happened_at"]
    assert not IntakeNote.objects.exists()


# Closing


def test_closing_without_outcome_or_reason_is_refused_and_keeps_input(login, officer, intake):
    url = f"/aktualiseringar/{intake.pk}/avsluta/"
    client = login(officer)
    response = client.post(url, {"outcome": "", "reason": "Ingen kontakt"})
    assert response.context["form"].errors["outcome"] == ["Choose the outcome of the intake."]
    assert "Ingen kontakt</textarea>" in response.content.decode()
    response = client.post(url, {"outcome": "no_action", "reason": " "})
    assert response.context["form"].errors["reason"][0].startswith("Give the reason")
    assert re.search(r'value="no_action"[^>]*checked', response.content.decode())
    intake.refresh_from_db()
    assert intake.status == "open"


def test_referral_requires_a_service_and_creates_a_referral(login, officer, intake, service):
    url = f"/aktualiseringar/{intake.pk}/avsluta/"
    client = login(officer)
    response = client.post(url, {"outcome": "referred", "reason": "Social ångest"})
    assert "referred_to" in response.context["form"].errors
    assert not Referral.objects.exists()
    response = client.post(
        url, {"outcome": "referred", "reason": "Social ångest", "referred_to": service.pk}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.service, referral.intake, referral.origin) == (service, intake, "intake")
    intake.refresh_from_db()
    assert (intake.status, intake.outcome, intake.closed_by) == ("closed", "referred", officer)
    assert log_entries(officer, referral.pk, "create").count() == 1


def test_closing_is_logged(login, officer, intake):
    login(officer).post(
        f"/aktualiseringar/{intake.pk}/avsluta/",
        {"outcome": "not_target_group", "reason": "Under 18 år"},
    )
    entry = log_entries(officer, intake.pk, "update").get()
    # "closed" is a system detail, not a reason a person gave for opening a record.
    assert (entry.detail, entry.reason) == ("closed", "")


def test_closing_is_not_listed_among_the_reasons_the_manager_reviews(
    login, officer, manager, intake
):
    login(officer).post(
        f"/aktualiseringar/{intake.pk}/avsluta/",
        {"outcome": "not_target_group", "reason": "Under 18 år"},
    )
    response = login(manager).get("/atkomstlogg/", {"only_reasons": "on"})
    assert list(response.context["rows"]) == []
    response = login(manager).get("/atkomstlogg/")
    assert ">closed<" not in response.content.decode()


def test_coordinator_may_not_close(login, coordinator, person_intake):
    url = f"/aktualiseringar/{person_intake.pk}/avsluta/"
    response = login(coordinator).post(url, {"outcome": "no_action", "reason": "x"})
    assert response.status_code == 403


def test_officer_of_another_unit_may_not_close(login, outsider_officer, intake):
    url = f"/aktualiseringar/{intake.pk}/avsluta/"
    response = login(outsider_officer).post(url, {"outcome": "no_action", "reason": "x"})
    assert response.status_code == 404


def test_a_protected_persons_intake_is_hidden_from_staff_not_named(login, officer, org):
    hidden = PersonFactory(protected_identity=True)
    make_intake(org["authority"], person=hidden, person_description="Skyddad")
    other = UserFactory(roles=[(org["authority"], "officer")])
    assert "Skyddad" not in login(other).get("/aktualiseringar/").content.decode()


def test_an_intake_form_sent_twice_registers_one_intake(login, officer):
    client = login(officer)
    form_page = client.get("/aktualiseringar/ny/")
    first, second = send_twice(client, "/aktualiseringar/ny/", FORM, token_on(form_page))
    intake = Intake.objects.get()
    assert first["Location"] == f"/aktualiseringar/{intake.pk}/"
    assert_answered_with_the_first(client, first, second)
    assert log_entries(officer, intake.pk, "create").count() == 1

"""Two staff open the same edit form; one saves; the other's save from the stale form is refused
with a Swedish message naming what changed, keeps what they typed, and succeeds when repeated.

Each story: both open the page, the first saves, the second is refused (the first change is
kept, the second user's typing is still in the form), the second saves again and both changes
stand. A single edit is tried alongside each, so the check never gets in a normal edit's way.
"""

from __future__ import annotations

import datetime

import pytest

from decisions import actions as decision_actions
from delivery import actions as delivery
from delivery.models import Homework, Note, Visit, VisitStatus
from groups.models import MeetingPlace
from intake import actions as intake_actions
from intake.models import Intake, Referral
from mapping import actions as mapping_actions
from organisation.models import LifeArea, Role, Service
from people.models import Contact, Person
from tests.editing import client_of, posted_as_shown, posted_from, shown_value
from tests.factories import ContactFactory, MappingFactory, SupportKindFactory, UserFactory

STALE = "Någon annan sparade ändringar efter att du öppnade formuläret"
MONDAY = datetime.date(2026, 3, 2)


def _two_open(url, first_user, second_user):
    first, second = client_of(first_user), client_of(second_user)
    first_page, second_page = first.get(url), second.get(url)
    assert first_page.status_code == second_page.status_code == 200
    return (first, first_page), (second, second_page)


def _refused(response, *named: str) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page
    for text in named:
        assert text in page
    return page


@pytest.fixture
def teammate(org):
    """A second coordinator in team North: reaches `person` through the team."""
    return UserFactory(username="teammate", roles=[(org["north"], Role.COORDINATOR)])


# The person's details: /personer/<id>/andra/


def _person_url(person) -> str:
    return f"/personer/{person.pk}/andra/"


def test_a_save_from_a_stale_person_form_is_refused_and_keeps_the_typing(person, officer, manager):
    url = _person_url(person)
    (first, first_page), (second, second_page) = _two_open(url, officer, manager)
    saved = first.post(url, posted_as_shown(first_page, phone="070-111 22 33"))
    assert saved.status_code == 302

    refused = second.post(url, posted_as_shown(second_page, city="Uppsala"))
    _refused(refused, "Telefon: 070-111 22 33")
    person.refresh_from_db()
    assert person.phone == "070-111 22 33" and person.city != "Uppsala"
    # What the second user typed is kept; the field they did not touch shows the saved value.
    assert shown_value(refused, "city") == "Uppsala"
    assert shown_value(refused, "phone") == "070-111 22 33"

    again = second.post(url, posted_as_shown(refused))
    assert again.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.city) == ("070-111 22 33", "Uppsala")


def test_when_both_change_the_same_field_the_second_user_decides(person, officer, manager):
    url = _person_url(person)
    (first, first_page), (second, second_page) = _two_open(url, officer, manager)
    first.post(url, posted_as_shown(first_page, phone="070-111 22 33"))
    refused = second.post(url, posted_as_shown(second_page, phone="070-999 88 77"))
    _refused(refused, "Telefon: 070-111 22 33")
    assert shown_value(refused, "phone") == "070-999 88 77"
    assert Person.objects.get(pk=person.pk).phone == "070-111 22 33"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "070-999 88 77"


def test_a_single_person_edit_saves_and_takes_the_next_version(person, officer):
    client = client_of(officer)
    page = client.get(_person_url(person))
    version = person.version
    assert client.post(_person_url(person), posted_as_shown(page, city="Umeå")).status_code == 302
    person.refresh_from_db()
    assert person.city == "Umeå" and person.version == version + 1


def test_a_post_without_the_version_is_refused_not_saved(person, officer):
    client = client_of(officer)
    data = posted_as_shown(client.get(_person_url(person)), city="Umeå", version=None)
    _refused(client.post(_person_url(person), data))
    assert Person.objects.get(pk=person.pk).city != "Umeå"


def test_a_tampered_form_is_refused_not_a_server_error(person, officer):
    client = client_of(officer)
    page = client.get(_person_url(person))
    for version, seen in [("x", ""), ("0", "no_such_field:1,phone:zz,:,garbage")]:
        data = posted_as_shown(page, city="Umeå", version=version, seen=seen)
        refused = client.post(_person_url(person), data)
        assert refused.status_code == 200
        assert Person.objects.get(pk=person.pk).city != "Umeå"
    assert STALE in refused.content.decode()


# A network contact


def test_a_stale_network_contact_edit_is_refused(person, coordinator, teammate):
    contact = ContactFactory(person=person, phone="070-000 00 01")
    url = f"/personer/{person.pk}/natverk/{contact.pk}/"
    (first, first_page), (second, second_page) = _two_open(url, coordinator, teammate)
    assert first.post(url, posted_as_shown(first_page, phone="070-222")).status_code == 302

    refused = second.post(url, posted_as_shown(second_page, relation="morbror"))
    _refused(refused, "Telefon: 070-222")
    contact.refresh_from_db()
    assert contact.phone == "070-222" and contact.relation != "morbror"
    assert shown_value(refused, "relation") == "morbror"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.relation) == ("070-222", "morbror")


def test_a_single_contact_edit_and_a_new_contact_save(person, coordinator):
    contact = ContactFactory(person=person)
    client = client_of(coordinator)
    url = f"/personer/{person.pk}/natverk/{contact.pk}/"
    assert client.post(url, posted_as_shown(client.get(url), name="Ny")).status_code == 302
    assert Contact.objects.get(pk=contact.pk).name == "Ny"
    new_url = f"/personer/{person.pk}/natverk/ny/"
    data = posted_as_shown(client.get(new_url), kind="relative", name="Ida")
    assert client.post(new_url, data).status_code == 302
    assert person.contacts.filter(name="Ida").exists()


# An intake: /aktualiseringar/<id>/andra/


@pytest.fixture
def intake(org):
    return Intake.objects.create(
        unit=org["authority"],
        channel="phone",
        source="relative",
        notifier_name="Eva Anhörig",
        person_description="Son, 24 år",
    )


def test_a_stale_intake_edit_is_refused(intake, officer, manager):
    url = f"/aktualiseringar/{intake.pk}/andra/"
    (first, first_page), (second, second_page) = _two_open(url, officer, manager)
    saved = first.post(url, posted_as_shown(first_page, notifier_contact="070-333 44 55"))
    assert saved.status_code == 302

    refused = second.post(url, posted_as_shown(second_page, description="Har inte gått ut"))
    _refused(refused, "070-333 44 55")
    intake.refresh_from_db()
    assert intake.notifier_contact == "070-333 44 55" and intake.description == ""
    assert shown_value(refused, "description") == "Har inte gått ut"
    assert shown_value(refused, "notifier_contact") == "070-333 44 55"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    intake.refresh_from_db()
    assert intake.notifier_contact == "070-333 44 55"
    assert intake.description == "Har inte gått ut"


def test_a_single_intake_edit_saves(intake, officer):
    client = client_of(officer)
    url = f"/aktualiseringar/{intake.pk}/andra/"
    data = posted_as_shown(client.get(url), residence="Uppsala")
    assert client.post(url, data).status_code == 302
    assert Intake.objects.get(pk=intake.pk).residence == "Uppsala"


# A visit: /genomforande/besok/<id>/andra/


def _visit(person, user, day=MONDAY):
    when = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    return delivery.plan_visit(user=user, person=person, planned_at=when, place="Hemma")


def test_a_stale_visit_edit_is_refused(person, coordinator, teammate):
    visit = _visit(person, coordinator)
    url = f"/genomforande/besok/{visit.pk}/andra/"
    (first, first_page), (second, second_page) = _two_open(url, coordinator, teammate)
    assert first.post(url, posted_as_shown(first_page, place="Biblioteket")).status_code == 302

    refused = second.post(url, posted_as_shown(second_page, time="14:30"))
    _refused(refused, "Plats: Biblioteket")
    visit.refresh_from_db()
    assert visit.place == "Biblioteket" and visit.planned_at.hour == 10
    assert shown_value(refused, "time") == "14:30"
    assert shown_value(refused, "place") == "Biblioteket"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    visit.refresh_from_db()
    assert visit.place == "Biblioteket"
    assert visit.planned_at.astimezone(datetime.UTC).hour == 13  # 14:30 in Stockholm, winter


def test_a_single_visit_edit_saves(person, coordinator):
    visit = _visit(person, coordinator)
    client = client_of(coordinator)
    url = f"/genomforande/besok/{visit.pk}/andra/"
    data = posted_as_shown(client.get(url), status=VisitStatus.HELD)
    assert client.post(url, data).status_code == 302
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.HELD


# A draft journal note, open in two tabs of its author


def test_a_draft_saved_from_a_stale_tab_is_refused(person, coordinator):
    draft = delivery.create_note(user=coordinator, person=person, happened_on=MONDAY, text="Ett")
    url = f"/genomforande/anteckning/{draft.pk}/andra/"
    (first, first_page), (second, second_page) = _two_open(url, coordinator, coordinator)
    assert first.post(url, posted_as_shown(first_page, text="Från flik ett")).status_code == 302

    refused = second.post(url, posted_as_shown(second_page, text="Från flik två"))
    _refused(refused, "Text: Från flik ett")
    assert Note.objects.get(pk=draft.pk).text == "Från flik ett"
    assert shown_value(refused, "text") == "Från flik två"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    assert Note.objects.get(pk=draft.pk).text == "Från flik två"


def test_a_single_draft_edit_saves(person, coordinator):
    draft = delivery.create_note(user=coordinator, person=person, happened_on=MONDAY, text="Ett")
    client = client_of(coordinator)
    url = f"/genomforande/anteckning/{draft.pk}/andra/"
    assert client.post(url, posted_as_shown(client.get(url), text="Två")).status_code == 302
    assert Note.objects.get(pk=draft.pk).text == "Två"


# Following up homework


@pytest.fixture
def homework(person, coordinator):
    first = _visit(person, coordinator)
    delivery.update_visit(user=coordinator, visit=first, status=VisitStatus.HELD)
    _visit(person, coordinator, MONDAY + datetime.timedelta(days=7))
    return delivery.give_homework(user=coordinator, visit=first, text="Handla själv")


def test_a_stale_homework_follow_up_is_refused(homework, coordinator, teammate):
    url = f"/genomforande/hemuppgift/{homework.pk}/uppfoljning/"
    (first, first_page), (second, second_page) = _two_open(url, coordinator, teammate)
    data = posted_as_shown(first_page, result="partly", comment="Halvvägs")
    assert first.post(url, data).status_code == 302

    data = posted_as_shown(second_page, result="done", comment="Klart")
    refused = second.post(url, data)
    _refused(refused, "Resultat: Delvis gjord", "Kommentar: Halvvägs")
    homework.refresh_from_db()
    assert (homework.result, homework.comment) == ("partly", "Halvvägs")
    assert shown_value(refused, "comment") == "Klart"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    homework.refresh_from_db()
    assert (homework.result, homework.comment) == ("done", "Klart")


def test_a_single_follow_up_saves(homework, coordinator):
    client = client_of(coordinator)
    url = f"/genomforande/hemuppgift/{homework.pk}/uppfoljning/"
    data = posted_as_shown(client.get(url), result="done")
    assert client.post(url, data).status_code == 302
    assert Homework.objects.get(pk=homework.pk).result == "done"


# Referrals: what came of one


@pytest.fixture
def referral(person, officer):
    service, _ = Service.objects.get_or_create(
        name="KBT via nätet", defaults={"organisation": "region"}
    )
    return intake_actions.create_referral(
        user=officer, person=person, origin="intake", service=service
    )


def test_a_stale_referral_result_is_refused(referral, officer, coordinator):
    url = f"/aktualiseringar/hanvisningar/{referral.pk}/resultat/"
    (first, first_page), (second, second_page) = _two_open(url, officer, coordinator)
    assert first.post(url, posted_as_shown(first_page, result="started")).status_code == 302

    refused = second.post(url, posted_as_shown(second_page, result="not_started"))
    _refused(refused, "Personen tog kontakt eller började")
    assert Referral.objects.get(pk=referral.pk).result == "started"
    assert shown_value(refused, "result") == "not_started"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    assert Referral.objects.get(pk=referral.pk).result == "not_started"


# Communication before a decision (FL 25 §)


@pytest.fixture
def application(officer, person):
    return decision_actions.create_application(
        user=officer,
        person=person,
        case=person.cases.get(),
        support_kind=SupportKindFactory(),
        applied_on=MONDAY,
        form="written",
        what="Stöd för att komma ut.",
    )


def test_a_stale_communication_record_is_refused(application, officer, manager):
    url = f"/beslut/ansokan/{application.pk}/kommunicering/"
    (first, first_page), (second, second_page) = _two_open(url, officer, manager)
    data = posted_as_shown(first_page, communicated_on="2026-03-03", communication_method="Brev")
    assert first.post(url, data).status_code == 302

    data = posted_as_shown(
        second_page,
        communicated_on="2026-03-04",
        communication_method="Telefon",
        communication_response="Inget svar",
    )
    refused = second.post(url, data)
    _refused(refused, "Hur underlaget kommunicerades: Brev")
    application.refresh_from_db()
    assert application.communication_method == "Brev"
    assert application.communication_response == ""
    assert shown_value(refused, "communication_method") == "Telefon"
    assert shown_value(refused, "communication_response") == "Inget svar"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    application.refresh_from_db()
    assert (application.communication_method, application.communication_response) == (
        "Telefon",
        "Inget svar",
    )


# Needs per life area in a mapping: one form per area on one page


@pytest.fixture
def life_areas(db):
    return [
        LifeArea.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "active": True}
        )[0]
        for code, name, position in [("hemliv", "Hemliv", 6), ("relationer", "Relationer", 7)]
    ]


def _need_forms(response) -> dict:
    return {area.code: form for area, form in response.context["pairs"]}


def test_a_stale_need_is_refused_on_its_own_area(person, coordinator, teammate, life_areas):
    home, relations = life_areas
    mapping = MappingFactory(person=person, created_by=coordinator, started_on=MONDAY)
    mapping_actions.save_need(
        user=coordinator, mapping=mapping, life_area=home, extent=2, description="Ok."
    )
    url = f"/kartlaggning/{mapping.pk}/behov/"
    (first, first_page), (second, second_page) = _two_open(url, coordinator, teammate)
    changes = {f"area-{home.pk}-extent": "3", f"area-{home.pk}-description": "Sällan ute."}
    data = posted_from(_need_forms(first_page).values(), **changes)
    assert first.post(url, data).status_code == 302

    # The second user fills in another area; the one the first user changed is stale on
    # their page: nothing is saved, and the area they did not touch shows the saved need.
    changes = {f"area-{relations.pk}-extent": "1"}
    refused = second.post(url, posted_from(_need_forms(second_page).values(), **changes))
    _refused(refused, "Beskrivning: Sällan ute.")
    assert {n.life_area_id: n.extent for n in mapping.needs.all()} == {home.pk: 3}
    forms_shown = _need_forms(refused)
    assert shown_value(refused, "description", forms_shown["hemliv"]) == "Sällan ute."
    assert shown_value(refused, "extent", forms_shown["relationer"]) == "1"

    assert second.post(url, posted_from(forms_shown.values())).status_code == 302
    saved = {n.life_area_id: (n.extent, n.description) for n in mapping.needs.all()}
    assert saved == {home.pk: (3, "Sällan ute."), relations.pk: (1, "")}


# The board's decision for a meeting place


def test_a_stale_board_decision_is_refused(org):
    place = MeetingPlace.objects.create(name="Träffpunkten", unit=org["meeting_place"])
    boss, deputy = (
        UserFactory(username=name, roles=[(org["meeting_place"], Role.MANAGER)])
        for name in ("boss1", "boss2")
    )
    url = f"/traffpunkter/{place.pk}/namndbeslut/"
    (first, first_page), (second, second_page) = _two_open(url, boss, deputy)
    data = posted_as_shown(
        first_page, board_decision_reference="SN 2026/7", board_decision_date="2026-01-15"
    )
    assert first.post(url, data).status_code == 302

    data = posted_as_shown(
        second_page, board_decision_reference="SN 2026/9", board_decision_date="2026-01-15"
    )
    refused = second.post(url, data)
    _refused(refused, "SN 2026/7")
    assert MeetingPlace.objects.get(pk=place.pk).board_decision_reference == "SN 2026/7"
    assert shown_value(refused, "board_decision_reference") == "SN 2026/9"

    assert second.post(url, posted_as_shown(refused)).status_code == 302
    assert MeetingPlace.objects.get(pk=place.pk).board_decision_reference == "SN 2026/9"

"""The person register: registering, duplicates, reserve numbers, merging, network and search.

Personal numbers come from Skatteverket's test series (birth number 980–999) only.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from audit.models import AccessLogEntry, Action
from demo.data import test_number as make_test_number
from people import actions
from people.access import grant_reasoned_access
from people.identity import COORDINATION, MESSAGES, PERSONAL, RESERVE
from people.models import Case, CaseStaff, CaseStaffRole, Contact, Person
from tests.access_log import was_read
from tests.factories import CaseFactory, CaseStaffFactory, ContactFactory, PersonFactory

SAGA_BIRTH = datetime.date(1996, 5, 17)
SAGA = make_test_number(SAGA_BIRTH, 984)  # 12 digits


def registration(**overrides) -> dict:
    data = {
        "identity": "number",
        "number": f"{SAGA[2:8]}-{SAGA[8:]}",
        "birth_date": "",
        "first_name": "Saga",
        "last_name": "Testdotter",
        "sex": "",
        "phone": "",
        "email": "",
        "address": "Provgatan 1",
        "postal_code": "123 45",
        "city": "Exempelby",
        "municipality": "Exempelby",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("stated", ["X", "M"])
def test_the_sex_the_person_states_stands_over_the_number(login, officer, org, stated):
    # SAGA's sex digit is even (F); "X" is "not stated" by the person's own choice.
    login(officer).post("/personer/ny/", registration(sex=stated))
    assert Person.objects.get(personal_number=SAGA).sex == stated


def codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def person_url(person: Person, name: str = "detail", **kwargs) -> str:
    return reverse(f"people:{name}", kwargs={"pk": person.pk, **kwargs})


# Registering


def test_officer_registers_a_person_and_a_case_is_opened_in_their_unit_naming_them(
    login, officer, org
):
    response = login(officer).post("/personer/ny/", registration())

    saga = Person.objects.get(personal_number=SAGA)
    assert response.status_code == 302
    assert response["Location"] == person_url(saga)
    assert saga.number_kind == PERSONAL
    assert saga.birth_date == SAGA_BIRTH
    assert saga.sex == "F"  # from the number when not stated
    assert (saga.first_name, saga.last_name, saga.city) == ("Saga", "Testdotter", "Exempelby")
    case = Case.objects.get(person=saga)
    assert case.authority_unit == org["authority"]
    assert case.status == "open"
    assert CaseStaff.objects.filter(case=case, user=officer, role=CaseStaffRole.OFFICER).exists()
    page = login(officer).get(response["Location"]).content.decode()
    assert "Saga Testdotter" in page
    assert f"{SAGA[:8]}-{SAGA[8:]}" in page


@pytest.mark.parametrize(
    "typed", [SAGA, f"{SAGA[:8]}-{SAGA[8:]}", SAGA[2:], f"{SAGA[2:8]}-{SAGA[8:]}"]
)
def test_registration_accepts_every_format_and_stores_twelve_digits(login, officer, typed):
    login(officer).post("/personer/ny/", registration(number=typed))
    assert Person.objects.get(first_name="Saga").personal_number == SAGA


def test_a_coordination_number_is_registered_as_one(login, officer):
    from stdnum import luhn

    nine = "960577985"  # 17 May 1996, day + 60
    login(officer).post("/personer/ny/", registration(number=nine + luhn.calc_check_digit(nine)))
    saga = Person.objects.get(first_name="Saga")
    assert saga.number_kind == COORDINATION
    assert saga.personal_number.startswith("19960577")
    assert saga.birth_date == SAGA_BIRTH


BAD_NUMBERS = {
    "empty": "",
    "characters": "9605l7-9846",
    "length": SAGA[:-1],
    "date": f"961317-{SAGA[8:]}",
    "future": make_test_number(datetime.date.today() + datetime.timedelta(days=400), 990),
    "century": f"{SAGA[:8]}+{SAGA[8:]}",
    "checksum": SAGA[:-1] + str((int(SAGA[-1]) + 1) % 10),
}


@pytest.mark.parametrize("code", BAD_NUMBERS)
def test_a_bad_number_shows_the_form_again_with_its_message_and_keeps_what_was_typed(
    login, officer, code
):
    typed = BAD_NUMBERS[code]
    response = login(officer).post("/personer/ny/", registration(number=typed))

    assert response.status_code == 200
    assert codes(response, "number") == [code]
    page = response.content.decode()
    assert 'value="Saga"' in page
    assert 'value="Testdotter"' in page
    assert 'value="Provgatan 1"' in page
    if typed:
        assert f'value="{typed}"' in page
    assert escape(str(MESSAGES[code])) in page
    assert 'class="field-error"' in page
    assert not Person.objects.exists()
    assert not Case.objects.exists()


def test_the_same_number_cannot_be_registered_twice(login, officer):
    client = login(officer)
    client.post("/personer/ny/", registration())
    response = client.post(
        "/personer/ny/", registration(number=SAGA, first_name="Annan", last_name="Person")
    )

    assert response.status_code == 200
    assert codes(response, "number") == ["duplicate"]
    assert Person.objects.filter(personal_number=SAGA).count() == 1
    assert Case.objects.count() == 1


def test_the_database_refuses_a_second_record_with_the_same_number(db):
    PersonFactory(personal_number=SAGA)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(personal_number=SAGA)


def test_registering_a_number_taken_meanwhile_raises_duplicate_and_saves_nothing(officer, org):
    PersonFactory(personal_number=SAGA)
    data = {
        "personal_number": SAGA,
        "number_kind": PERSONAL,
        "birth_date": SAGA_BIRTH,
        "first_name": "Saga",
        "last_name": "Testdotter",
    }
    with pytest.raises(actions.DuplicateNumber):
        actions.register_person(user=officer, unit=org["authority"], data=data)
    assert Person.objects.count() == 1
    assert not Case.objects.exists()


def _another_number(person: Person) -> str:
    """A test number with the same birth date as `person`'s."""
    serial = 999 if person.personal_number[8:11] != "999" else 998
    return make_test_number(person.birth_date, serial)


def test_a_similar_name_with_the_same_birth_date_shows_the_match_and_saves_nothing(
    login, officer, person
):
    number = _another_number(person)
    client = login(officer)
    response = client.post(
        "/personer/ny/", registration(number=number, first_name="Elin", last_name="Fiktív")
    )

    assert response.status_code == 200
    assert response.context["matches"] == [person]
    assert "Elin Fiktiv" in response.content.decode()
    assert Person.objects.count() == 1
    assert was_read(person, officer, action=Action.SEARCH)

    response = client.post(
        "/personer/ny/",
        registration(number=number, first_name="Elin", last_name="Fiktív", confirm_new="on"),
    )
    assert response.status_code == 302
    assert Person.objects.filter(personal_number=number).exists()


def test_a_different_name_with_the_same_birth_date_is_not_a_match(login, officer, person):
    number = _another_number(person)
    response = login(officer).post(
        "/personer/ny/", registration(number=number, first_name="Karl", last_name="Annorlunda")
    )
    assert response.status_code == 302


def test_a_possible_match_outside_ones_cases_is_shown_with_a_link_to_give_a_reason(
    login, outsider_officer, person
):
    number = _another_number(person)
    response = login(outsider_officer).post(
        "/personer/ny/", registration(number=number, first_name="Elin", last_name="Fiktiv")
    )
    assert response.status_code == 200
    assert response.context["matches"] == [person]
    assert not Person.objects.filter(personal_number=number).exists()


def test_a_person_with_protected_identity_is_never_shown_as_a_possible_match(
    login, outsider_officer, person
):
    person.protected_identity = True
    person.save()
    number = _another_number(person)
    response = login(outsider_officer).post(
        "/personer/ny/", registration(number=number, first_name="Elin", last_name="Fiktiv")
    )
    assert "Fiktiv," not in response.content.decode()
    assert person.personal_number not in response.content.decode()
    assert response.status_code == 302  # nothing to confirm: no match that may be shown


def test_a_reserve_number_needs_a_birth_date(login, officer):
    response = login(officer).post(
        "/personer/ny/", registration(identity=RESERVE, number="", birth_date="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]
    assert 'value="Saga"' in response.content.decode()
    assert not Person.objects.exists()


def test_a_reserve_number_birth_date_cannot_lie_in_the_future(login, officer):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = login(officer).post(
        "/personer/ny/",
        registration(identity=RESERVE, number="", birth_date=tomorrow.isoformat()),
    )
    assert codes(response, "birth_date") == ["future"]
    assert not Person.objects.exists()


def test_a_person_without_a_known_number_is_registered_with_a_reserve_number(login, officer):
    response = login(officer).post(
        "/personer/ny/",
        registration(identity=RESERVE, number="", birth_date="1996-05-17", sex="F"),
    )
    saga = Person.objects.get(first_name="Saga")
    assert response["Location"] == person_url(saga)
    assert saga.number_kind == RESERVE
    assert saga.personal_number is None
    assert saga.reserve_number.startswith("R19960517-")
    assert saga.birth_date == SAGA_BIRTH
    assert saga.display_number == saga.reserve_number
    assert Case.objects.filter(person=saga).exists()


def test_two_reserve_numbers_for_the_same_birth_date_differ(officer, org):
    data = {"number_kind": RESERVE, "birth_date": SAGA_BIRTH, "first_name": "A", "last_name": "B"}
    one = actions.register_person(user=officer, unit=org["authority"], data=dict(data))
    two = actions.register_person(user=officer, unit=org["authority"], data=dict(data))
    assert one.reserve_number != two.reserve_number


def test_a_person_registered_with_protected_identity_is_seen_only_by_the_registering_officer(
    login, officer, org
):
    from organisation.models import Role
    from tests.factories import UserFactory

    other_officer = UserFactory(roles=[(org["authority"], Role.OFFICER)])
    response = login(officer).post("/personer/ny/", registration(protected_identity="on"))
    saga = Person.objects.get(personal_number=SAGA)
    assert saga.protected_identity
    assert login(officer).get(response["Location"]).status_code == 200
    assert login(other_officer).get(person_url(saga)).status_code == 404
    assert search(login(other_officer), "Saga") == ([], [])


def test_a_manager_registers_in_their_authority_unit(login, manager, org):
    response = login(manager).post("/personer/ny/", registration())
    assert response.status_code == 302
    case = Case.objects.get(person__personal_number=SAGA)
    assert case.authority_unit == org["authority"]
    assert case.staff_links.get().user == manager


@pytest.mark.parametrize("who", ["coordinator", "colleague", "analyst", "meeting_staff"])
def test_only_officers_and_managers_may_register(login, request, who):
    response = login(request.getfixturevalue(who)).get("/personer/ny/")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, person):
    for url in ["/personer/", "/personer/ny/", person_url(person), person_url(person, "edit")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# Who may open a person


def test_each_standard_user_gets_what_the_design_says_on_the_person_page(
    login, person, coordinator, colleague, officer, outsider_officer, manager, analyst
):
    assert login(coordinator).get(person_url(person)).status_code == 200
    assert login(officer).get(person_url(person)).status_code == 200
    assert login(manager).get(person_url(person)).status_code == 200
    for outsider in [colleague, outsider_officer]:
        response = login(outsider).get(person_url(person))
        assert response["Location"].split("?")[0] == person_url(person, "reason")
    assert login(analyst).get(person_url(person)).status_code == 403


def test_protected_identity_is_unknown_to_everyone_not_named_on_the_case(
    login, person, coordinator, colleague, officer
):
    person.protected_identity = True
    person.save()
    assert login(coordinator).get(person_url(person)).status_code == 200
    assert login(colleague).get(person_url(person)).status_code == 404
    assert login(colleague).get(person_url(person, "reason")).status_code == 404
    assert login(officer).get(person_url(person)).status_code == 404


def test_a_reason_opens_the_person_read_only(login, person, colleague):
    client = login(colleague)
    response = client.post(person_url(person, "reason"), {"reason": "Vikarierar för Kim i dag."})
    assert response["Location"] == person_url(person)
    page = client.get(person_url(person)).content.decode()
    assert "Elin Fiktiv" in page
    assert person_url(person, "edit") not in page
    assert client.get(person_url(person, "edit")).status_code == 403
    assert client.post(person_url(person, "edit"), {"first_name": "X"}).status_code == 403


def test_a_short_reason_is_refused(login, person, colleague):
    response = login(colleague).post(person_url(person, "reason"), {"reason": "för att"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert login(colleague).get(person_url(person))["Location"].split("?")[0] == person_url(
        person, "reason"
    )


def test_an_unknown_person_is_not_found(login, officer):
    import uuid

    assert login(officer).get(f"/personer/{uuid.uuid4()}/").status_code == 404


# Changing personal details


def test_officer_changes_personal_details(login, officer, person):
    data = {
        "first_name": "Elin",
        "last_name": "Fiktiv",
        "sex": "F",
        "phone": "070-000 00 99",
        "email": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "municipality": "Exempelby",
        "version": person.version,
    }
    response = login(officer).post(person_url(person, "edit"), data)
    assert response["Location"] == person_url(person)
    person.refresh_from_db()
    assert person.phone == "070-000 00 99"
    assert person.version == 2


# Merging


def _reserve_record(officer, org, **fields) -> Person:
    data = {
        "number_kind": RESERVE,
        "birth_date": None,
        "first_name": "Elin",
        "last_name": "Fiktiv",
        **fields,
    }
    return actions.register_person(user=officer, unit=org["authority"], data=data)


def _merge(client, person, number, **choices):
    """The merge page's two steps: the other record's number, then the choices confirmed."""
    url = person_url(person, "merge")
    compared = client.post(url, {"other_number": number})
    assert compared.status_code == 200 and compared.context["choices"] is not None
    data = {"other_number": number, "step": "merge", "opened": compared.context["opened"]}
    return client.post(url, {**data, "confirm": "on", **choices})


def test_merging_a_reserve_record_into_the_real_one_moves_everything(
    login, officer, colleague, org, person
):
    reserve = _reserve_record(officer, org, phone="070-000 00 42", city="Exempelby")
    ContactFactory(person=reserve, name="Eva Fiktiv", may_contact=True)
    grant = grant_reasoned_access(user=colleague, person=reserve, reason="Vikarierar i dag.")
    reserve_case = Case.objects.get(person=reserve)
    person.city = "Provstad"
    person.save()

    response = _merge(login(officer), person, reserve.reserve_number)

    assert response["Location"] == person_url(person)
    person.refresh_from_db()
    reserve.refresh_from_db()
    assert reserve.merged_into == person
    # Both had an open case in the same unit: they became one, the earlier opened.
    assert person.cases.count() == 1
    assert not reserve.cases.exists()
    assert not Case.objects.filter(pk=reserve_case.pk).exists()
    assert [c.name for c in person.contacts.all()] == ["Eva Fiktiv"]
    assert not reserve.contacts.exists()
    grant.refresh_from_db()
    assert grant.person == person
    for relation in Person._meta.related_objects:  # everything, also of apps added later
        if relation.related_model is not Person and not relation.many_to_many:
            manager = relation.related_model._base_manager
            assert not manager.filter(**{relation.field.name: reserve}).exists(), relation
    assert person.phone == "070-000 00 42"  # a blank is filled
    assert person.city == "Provstad"  # what was there is kept
    assert person.personal_number  # the real number stays
    for pk, kept_or_merged in [(person.pk, "merged from"), (reserve.pk, "merged into")]:
        entry = AccessLogEntry.objects.get(person_id=pk, action=Action.MERGE, record_type="person")
        assert entry.user == officer
        assert entry.detail.startswith(kept_or_merged)


def test_opening_a_merged_record_leads_to_the_kept_one(login, officer, coordinator, org, person):
    reserve = _reserve_record(officer, org)
    actions.merge_people(user=officer, keep=person, other=reserve)

    for user in [officer, coordinator]:
        response = login(user).get(person_url(reserve))
        assert response.status_code == 302
        assert response["Location"] == person_url(person)
    assert login(officer).get(person_url(reserve, "edit"))["Location"] == person_url(person)


def test_a_merged_record_stays_unknown_to_those_who_may_not_know_the_kept_one(
    login, officer, colleague, org, person
):
    person.protected_identity = True
    person.save()
    CaseStaffFactory(case=person.cases.get(), user=officer, role=CaseStaffRole.OFFICER)
    reserve = _reserve_record(officer, org)
    actions.merge_people(user=officer, keep=person, other=reserve)
    assert login(colleague).get(person_url(reserve)).status_code == 404


def test_merging_the_real_number_into_the_reserve_record_moves_the_number(
    login, officer, org, person
):
    number = person.personal_number
    reserve = _reserve_record(officer, org, birth_date=datetime.date(1900, 1, 1))
    reserve_number = reserve.reserve_number

    response = _merge(login(officer), reserve, f"{number[2:8]}-{number[8:]}")

    assert response["Location"] == person_url(reserve)
    reserve.refresh_from_db()
    person.refresh_from_db()
    assert reserve.personal_number == number
    assert reserve.number_kind == PERSONAL
    assert reserve.sex == "F"  # "not stated" is a blank filled from the other record
    assert reserve.reserve_number == reserve_number  # kept as the earlier reserve number
    assert reserve.birth_date == datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    assert person.personal_number is None
    assert person.number_kind == RESERVE
    assert person.reserve_number
    assert person.merged_into == reserve
    assert reserve.cases.count() == 1  # the two open cases in one unit became one
    assert login(officer).get(person_url(person))["Location"] == person_url(reserve)
    page = login(officer).get(person_url(reserve)).content.decode()
    assert f"{number[:8]}-{number[8:]}" in page


def test_merging_needs_a_confirmation(login, officer, org, person):
    reserve = _reserve_record(officer, org)
    data = {"other_number": reserve.reserve_number, "step": "merge", "opened": "1:1"}
    response = login(officer).post(person_url(person, "merge"), data)
    assert response.status_code == 200
    assert response.context["choices"].errors["confirm"]
    reserve.refresh_from_db()
    assert reserve.merged_into is None


def test_a_record_the_user_may_not_change_cannot_be_merged_in(login, officer, org, person):
    elsewhere = CaseFactory(authority_unit=org["other_authority"]).person
    response = login(officer).post(
        person_url(person, "merge"), {"other_number": elsewhere.personal_number, "confirm": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["other_number"]
    elsewhere.refresh_from_db()
    assert elsewhere.merged_into is None


def test_a_record_cannot_be_merged_with_itself(login, officer, person):
    response = login(officer).post(
        person_url(person, "merge"), {"other_number": person.personal_number, "confirm": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["other_number"]


def test_a_coordinator_who_may_only_read_cannot_merge(login, colleague, person):
    client = login(colleague)
    client.post(person_url(person, "reason"), {"reason": "Vikarierar för Kim i dag."})
    assert client.get(person_url(person, "merge")).status_code == 403


def test_records_merged_earlier_follow_along_to_the_new_kept_record(officer, org, person):
    first = _reserve_record(officer, org)
    second = _reserve_record(officer, org)
    actions.merge_people(user=officer, keep=second, other=first)
    actions.merge_people(user=officer, keep=person, other=second)
    first.refresh_from_db()
    assert first.merged_into == person
    assert person.cases.count() == 1  # three open cases in one unit became one


# The network


def contact_data(**overrides) -> dict:
    data = {
        "kind": "relative",
        "name": "Eva Fiktiv",
        "relation": "mamma",
        "organisation": "",
        "phone": "070-000 00 01",
        "email": "",
        "may_contact": "on",
        "consent_note": "Samtycke muntligt",
    }
    data.update(overrides)
    return data


def test_a_network_contact_is_added_with_consent(login, coordinator, person):
    response = login(coordinator).post(person_url(person, "contact_create"), contact_data())
    assert response["Location"] == person_url(person)
    contact = person.contacts.get()
    assert (contact.name, contact.relation, contact.may_contact) == ("Eva Fiktiv", "mamma", True)
    page = login(coordinator).get(person_url(person)).content.decode()
    assert "Eva Fiktiv" in page
    assert "Samtycke muntligt" in page


def test_a_network_contact_is_changed_and_consent_withdrawn(login, coordinator, person):
    contact = ContactFactory(person=person, may_contact=True)
    url = person_url(person, "contact_edit", contact_pk=contact.pk)
    assert login(coordinator).get(url).status_code == 200
    response = login(coordinator).post(
        url,
        contact_data(
            name="Eva Fiktiv-Ny", may_contact="", consent_note="Återkallat", version=contact.version
        ),
    )
    assert response["Location"] == person_url(person)
    contact.refresh_from_db()
    assert contact.name == "Eva Fiktiv-Ny"
    assert contact.may_contact is False
    assert contact.consent_note == "Återkallat"
    assert person.contacts.count() == 1


def test_a_network_contact_is_removed(login, coordinator, person):
    contact = ContactFactory(person=person)
    url = person_url(person, "contact_delete", contact_pk=contact.pk)
    assert login(coordinator).get(url).status_code == 405
    response = login(coordinator).post(url)
    assert response["Location"] == person_url(person)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_contact_is_only_reached_through_its_own_person(login, coordinator, person):
    other = ContactFactory()
    url = person_url(person, "contact_edit", contact_pk=other.pk)
    assert login(coordinator).get(url).status_code == 404
    url = person_url(person, "contact_delete", contact_pk=other.pk)
    assert login(coordinator).post(url).status_code == 404
    assert Contact.objects.filter(pk=other.pk).exists()


def test_a_coordinator_who_may_only_read_cannot_change_the_network(login, colleague, person):
    contact = ContactFactory(person=person)
    client = login(colleague)
    client.post(person_url(person, "reason"), {"reason": "Vikarierar för Kim i dag."})
    assert "Eva Anhörig" in client.get(person_url(person)).content.decode()

    assert client.get(person_url(person, "contact_create")).status_code == 403
    assert client.post(person_url(person, "contact_create"), contact_data()).status_code == 403
    edit = person_url(person, "contact_edit", contact_pk=contact.pk)
    assert client.get(edit).status_code == 403
    assert client.post(edit, contact_data(name="Ändrad")).status_code == 403
    delete = person_url(person, "contact_delete", contact_pk=contact.pk)
    assert client.post(delete).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "Eva Anhörig"
    assert person.contacts.count() == 1


def test_a_coordinator_without_a_reason_is_asked_for_one_before_the_network(
    login, colleague, person
):
    response = login(colleague).get(person_url(person, "contact_create"))
    assert response["Location"].split("?")[0] == person_url(person, "reason")


# Search


def search(client, q):
    response = client.get("/personer/", {"q": q})
    assert response.status_code == 200
    return list(response.context["page"].object_list), response.context["outside"]


@pytest.mark.parametrize("q", ["Elin", "eli", "fikt", "Elin Fiktiv", "fik el", "ELIN FIKTIV"])
def test_search_by_name_in_part_and_in_several_words(login, coordinator, person, q):
    PersonFactory(first_name="Elsa", last_name="Annan")
    mine, _ = search(login(coordinator), q)
    assert mine == [person]


@pytest.mark.parametrize("q", ["Åsa", "åsa", "ÅSA", "öberg", "ÖBERG", "åsa öb", "Åsa-Li"])
def test_search_finds_swedish_names_whatever_the_case(login, coordinator, person, q):
    person.first_name, person.last_name = "Åsa-Lisa", "Öberg"
    person.save()
    mine, _ = search(login(coordinator), q)
    assert mine == [person]


@pytest.mark.parametrize("q", ["Elin Annan", "Elin Elsa", "Fikt Fiktivsson", "El_n Fik", "Elin %"])
def test_search_needs_every_word_to_match(login, coordinator, person, q):
    mine, _ = search(login(coordinator), q)
    assert mine == []


@pytest.mark.parametrize("q", ["Elin Eli", "eli ELIN", "Fiktiv Fik", "fik fikt"])
def test_search_finds_two_words_that_both_start_one_name(login, coordinator, person, q):
    mine, _ = search(login(coordinator), q)
    assert mine == [person]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("Öhrström Åsa", True),  # the last name first
        ("öhrström åsa", True),
        ("ÖHRSTRÖM ÅSA", True),  # a letter beyond ASCII inside a word, in either case
        ("åsa öhrSTRÖM", True),
        ("Åsa Å", True),  # both words start the first name
        ("Öh Ö", True),  # both words start the last name
        ("Åsa Öhr Ö", True),  # three words, each the start of a name
        ("Åsa Öhr Ä", False),  # the third word must match too
        ("Björk Öhrström", False),  # "Björk" starts neither name (a second first name)
        ("Åsa Björkman", False),
    ],
)
def test_search_by_full_name_in_any_order_and_case(login, coordinator, person, q, found):
    person.first_name, person.last_name = "Åsa Björk", "Öhrström"
    person.save()
    PersonFactory(first_name="Åsa", last_name="Björkman")  # nobody's case: never listed
    mine, _ = search(login(coordinator), q)
    assert mine == ([person] if found else [])


@pytest.mark.parametrize("q", ["åsa öhrström", "ÖHRSTRÖM åsa", "Åsa Ö", "björk"])
def test_search_by_spellings_where_the_database_upper_cases_only_ascii(
    login, coordinator, person, monkeypatch, q
):
    """A PostgreSQL database created with `LC_CTYPE=C` upper-cases only ASCII letters, as
    SQLite compares them: the usual spellings of a word are asked instead of one."""
    monkeypatch.setattr("people.search._upper_beyond_ascii", lambda alias: False)
    person.first_name, person.last_name = "Åsa Björk", "Öhrström"
    person.save()
    mine, _ = search(login(coordinator), q)
    assert mine == ([] if q == "björk" else [person])


def test_search_outside_own_cases_finds_a_full_name_in_any_order(login, colleague, person):
    person.first_name, person.last_name = "Åsa", "Öberg"
    person.save()
    other = PersonFactory(first_name="Öberg", last_name="Åsa")  # the same words the other way
    neither = PersonFactory(first_name="Åsa", last_name="Åberg")
    for q in ["Åsa Öberg", "öberg åsa", "ÖBERG Å"]:
        assert set(search(login(colleague), q)[1]) == {person, other}, q
    assert search(login(colleague), "åsa åb")[1] == [neither]


def test_search_by_full_number_in_every_accepted_format(login, coordinator, person):
    n = person.personal_number
    client = login(coordinator)
    for q in [n, f"{n[:8]}-{n[8:]}", n[2:], f"{n[2:8]}-{n[8:]}", f" {n[2:8]} {n[8:]} "]:
        assert search(client, q)[0] == [person], q


def test_search_by_part_of_the_number(login, coordinator, person):
    n = person.personal_number
    client = login(coordinator)
    assert search(client, n[:8])[0] == [person]
    assert search(client, n[2:8])[0] == [person]
    assert search(client, f"{n[2:8]}-{n[8:10]}")[0] == [person]


def test_search_by_reserve_number(login, officer, org):
    reserve = _reserve_record(officer, org, birth_date=SAGA_BIRTH, first_name="Saga")
    client = login(officer)
    assert search(client, reserve.reserve_number)[0] == [reserve]
    assert search(client, reserve.reserve_number.lower())[0] == [reserve]
    assert search(client, "R19960517")[0] == [reserve]
    assert search(client, "R19960518")[0] == []


def test_search_shows_only_people_in_ones_own_cases_as_openable(
    login, coordinator, colleague, person
):
    mine, outside = search(login(colleague), "Elin Fiktiv")
    assert person not in mine
    assert outside == [person]
    page = login(colleague).get("/personer/", {"q": "Elin Fiktiv"}).content.decode()
    assert person_url(person, "reason") in page
    assert f'href="{person_url(person)}"' not in page

    mine, outside = search(login(coordinator), "Elin")
    assert mine == [person]
    assert outside == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Elin", False),  # one word: only one's own cases
        ("fik", False),
        ("Elin Fiktiv", True),
        ("fik el", True),  # two words, each the start of a name, in any order
        ("Elin Annan", False),  # every word must match
    ],
)
def test_outside_own_cases_a_search_must_name_someone(login, colleague, person, query, found):
    """One word would list everyone in the register whose name starts with it: browsing,
    which need-to-know rules out. A number or first and last name finds someone."""
    response = login(colleague).get("/personer/", {"q": query})
    assert response.context["outside"] == ([person] if found else [])
    hint = "sök på personnummer eller på för- och efternamn"
    assert (hint in response.content.decode()) is (len(query.split()) == 1)


def test_outside_own_cases_a_number_alone_is_enough(login, colleague, person):
    assert search(login(colleague), person.personal_number)[1] == [person]
    # Part of a number (here the birth date) would list everyone born that day.
    assert search(login(colleague), person.personal_number[:8])[1] == []
    assert search(login(colleague), person.personal_number[:8])[0] == []


def test_the_person_list_without_a_search_shows_only_ones_own_cases(
    login, coordinator, colleague, person
):
    PersonFactory(first_name="Okänd", last_name="Utanför")
    response = login(coordinator).get("/personer/")
    assert list(response.context["page"].object_list) == [person]
    response = login(colleague).get("/personer/")
    assert list(response.context["page"].object_list) == []


def test_search_never_finds_a_person_with_protected_identity_outside_ones_cases(
    login, colleague, coordinator, person
):
    person.protected_identity = True
    person.save()
    mine, outside = search(login(colleague), "Elin")
    assert (mine, outside) == ([], [])
    mine, outside = search(login(colleague), person.personal_number)
    assert (mine, outside) == ([], [])
    assert search(login(coordinator), "Elin")[0] == [person]


def test_search_does_not_list_merged_records(login, officer, org, person):
    reserve = _reserve_record(officer, org)
    actions.merge_people(user=officer, keep=person, other=reserve)
    mine, outside = search(login(officer), "Elin Fiktiv")
    assert mine == [person]
    assert outside == []


def test_the_person_list_query_count_does_not_grow_with_the_number_of_people(
    login, coordinator, org, django_assert_max_num_queries
):
    client = login(coordinator)
    for _ in range(3):
        case = CaseFactory(authority_unit=org["authority"], provider_unit=org["north"])
        CaseStaffFactory(case=case, user=coordinator)
    client.get("/personer/")
    with django_assert_max_num_queries(15):
        small = client.get("/personer/", {"q": "Förnamn"})
    for _ in range(20):
        case = CaseFactory(authority_unit=org["authority"], provider_unit=org["north"])
        CaseStaffFactory(case=case, user=coordinator)
    with django_assert_max_num_queries(15):
        large = client.get("/personer/", {"q": "Förnamn"})
    assert len(large.context["page"].object_list) == len(small.context["page"].object_list) + 20

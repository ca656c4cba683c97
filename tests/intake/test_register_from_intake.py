"""Registering the person an intake is about: the form starts from what the intake knows, the
intake is linked to the new person, and a number typed while linking is never asked for again."""

from __future__ import annotations

import datetime

from demo.data import test_number as make_test_number
from intake.models import Intake
from people.models import Case, Contact, Person
from tests.intake.conftest import make_intake

NUMBER = make_test_number(datetime.date(2001, 4, 2), 982)


def register_url(intake):
    return f"/personer/ny/?aktualisering={intake.pk}"


def registration(**overrides):
    return {
        "identity": "number",
        "number": NUMBER,
        "birth_date": "",
        "first_name": "Kalle",
        "last_name": "Son",
        "sex": "X",
        "phone": "",
        "email": "",
        "address": "",
        "postal_code": "",
        "city": "",
        **overrides,
    }


def test_the_intake_offers_to_register_the_person_from_it(login, officer, intake):
    page = login(officer).get(f"/aktualiseringar/{intake.pk}/").content.decode()

    assert register_url(intake) in page


def test_the_form_starts_from_what_a_persons_own_intake_tells(login, officer, org):
    own = make_intake(
        org["authority"],
        source="self",
        notifier_name="Kim Andersson",
        notifier_contact="070-123 45 67 / kim@example.se",
        person_description="Kim Andersson",
        residence="Exempelby",
    )

    form = login(officer).get(register_url(own)).context["form"]

    assert form["first_name"].value() == "Kim"
    assert form["last_name"].value() == "Andersson"
    assert form["phone"].value() == "070-123 45 67"
    assert form["email"].value() == "kim@example.se"
    assert form["city"].value() == "Exempelby"


def test_registering_links_the_intake_and_keeps_the_relative_as_a_contact(
    login, officer, org, intake
):
    Intake.objects.filter(pk=intake.pk).update(
        person_description="Kalle, 24 år",
        notifier_contact="070-765 43 21",
        notifier_relation="mamma",
    )
    client = login(officer)
    assert client.get(register_url(intake)).context["form"]["first_name"].value() == "Kalle"

    response = client.post(register_url(intake), registration())

    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(first_name="Kalle")
    intake.refresh_from_db()
    assert intake.person == person
    assert intake.case == Case.objects.get(person=person)
    contact = Contact.objects.get(person=person)
    assert (contact.name, contact.relation, contact.phone) == (
        "Eva Anhörig",
        "mamma",
        "070-765 43 21",
    )
    page = client.get(f"/aktualiseringar/{intake.pk}/").content.decode()
    assert register_url(intake) not in page


def test_a_number_typed_while_linking_is_carried_into_the_registration(login, officer, intake):
    client = login(officer)
    link = f"/aktualiseringar/{intake.pk}/koppla-person/"
    refused = client.post(link, {"number": NUMBER})
    assert 'name="register"' in refused.content.decode()

    response = client.post(link, {"number": NUMBER, "register": "1"})

    assert response["Location"] == register_url(intake)
    page = client.get(response["Location"])
    assert page.context["form"]["number"].value() == NUMBER
    assert NUMBER not in response["Location"]


def test_an_intake_of_another_unit_cannot_be_registered_from(login, outsider_officer, intake):
    assert login(outsider_officer).get(register_url(intake)).status_code == 404

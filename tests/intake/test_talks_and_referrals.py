"""Assessment talks, their outcome, referrals and the person-page section."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AccessLogEntry
from intake import actions
from intake.models import AssessmentTalk, Referral
from tests.factories import SupportKindFactory, UserFactory
from tests.test_required_fields import read as read_forms


def talk_form(*staff, **extra):
    return {
        "held_on": "2025-03-10",
        "place": "premises",
        "staff": [user.pk for user in staff],
        "companions": "mamma",
        "notes": "Första mötet.",
        "reflection_until": "2025-03-14",
        **extra,
    }


@pytest.fixture
def talk(person, officer, coordinator):
    return actions.record_talk(
        user=officer,
        person=person,
        intake=None,
        data={"held_on": datetime.date(2025, 3, 10), "place": "premises"},
        staff=[officer, coordinator],
    )


def test_two_staff_are_required_for_a_talk(login, officer, person_intake):
    url = f"/aktualiseringar/{person_intake.pk}/bedomningssamtal/"
    response = login(officer).post(url, talk_form(officer))
    assert response.context["form"].errors["staff"] == [
        "Two staff members lead an assessment talk: choose at least two."
    ]
    assert "Första mötet.</textarea>" in response.content.decode(), "what was typed is kept"
    assert not AssessmentTalk.objects.exists()


def test_the_action_refuses_fewer_than_two_staff(officer, person):
    with pytest.raises(ValidationError):
        actions.record_talk(
            user=officer,
            person=person,
            intake=None,
            data={"held_on": datetime.date(2025, 3, 10), "place": "home"},
            staff=[officer, officer],
        )


def test_officer_records_a_talk_from_the_intake(login, officer, coordinator, person_intake):
    url = f"/aktualiseringar/{person_intake.pk}/bedomningssamtal/"
    response = login(officer).post(url, talk_form(officer, coordinator))
    talk = AssessmentTalk.objects.get()
    assert response["Location"] == f"/aktualiseringar/samtal/{talk.pk}/"
    assert set(talk.staff.all()) == {officer, coordinator}
    assert talk.intake == person_intake
    assert talk.reflection_until == datetime.date(2025, 3, 14)
    assert AccessLogEntry.objects.filter(record_id=str(talk.pk), action="create").exists()


def test_staff_are_chosen_among_the_relevant_units(login, officer, coordinator, person, org):
    stranger = UserFactory(roles=[(org["other_authority"], "officer")])
    response = login(officer).get(f"/aktualiseringar/personer/{person.pk}/bedomningssamtal/")
    choices = set(response.context["form"].fields["staff"].queryset)
    assert {officer, coordinator} <= choices
    assert stranger not in choices
    response = login(officer).post(
        f"/aktualiseringar/personer/{person.pk}/bedomningssamtal/", talk_form(officer, stranger)
    )
    assert "staff" in response.context["form"].errors


def test_before_any_provider_the_officer_is_offered_the_delivering_coordinators(
    login, officer, coordinator, person, org
):
    """A new person's case has no provider unit yet; two staff still lead the talk, so the
    coordinators of the units that deliver support are offered, named with role and unit."""
    person.cases.update(provider_unit=None)
    SupportKindFactory().provider_units.add(org["provider"])
    response = login(officer).get(f"/aktualiseringar/personer/{person.pk}/bedomningssamtal/")
    field = response.context["form"].fields["staff"]
    assert {officer, coordinator} <= set(field.queryset)
    labels = [label for _value, label in field.choices]
    assert f"{coordinator.get_full_name() or coordinator.username} (Coordinator, Team Norr)" in (
        labels
    )


def test_a_talk_needs_a_known_person(login, officer, intake):
    response = login(officer).get(f"/aktualiseringar/{intake.pk}/bedomningssamtal/")
    assert response["Location"] == f"/aktualiseringar/{intake.pk}/"


def test_talk_page_read_is_logged(login, coordinator, talk):
    response = login(coordinator).get(f"/aktualiseringar/samtal/{talk.pk}/")
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=coordinator, record_id=str(talk.pk), action="read"
    ).exists()


def test_outsiders_do_not_see_a_talk(login, outsider_officer, analyst, talk):
    response = login(outsider_officer).get(f"/aktualiseringar/samtal/{talk.pk}/")
    assert response["Location"].split("?")[0].endswith("/skal/"), "a reason is required first"
    assert login(analyst).get(f"/aktualiseringar/samtal/{talk.pk}/").status_code == 403


def test_concluding_with_a_referral_needs_a_service_and_creates_one(login, officer, talk, service):
    url = f"/aktualiseringar/samtal/{talk.pk}/utfall/"
    client = login(officer)
    response = client.post(url, {"outcome": "referred", "outcome_reason": "Passar bättre"})
    assert "referred_to" in response.context["form"].errors
    response = client.post(
        url, {"outcome": "referred", "outcome_reason": "Passar bättre", "referred_to": service.pk}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.origin, referral.service, referral.person) == ("talk", service, talk.person)
    talk.refresh_from_db()
    assert talk.outcome == "referred"


def test_ending_a_talk_needs_a_reason(login, officer, talk):
    url = f"/aktualiseringar/samtal/{talk.pk}/utfall/"
    response = login(officer).post(url, {"outcome": "ended", "outcome_reason": ""})
    assert response.context["form"].errors["outcome_reason"] == ["Give the reason."]


def test_offering_mapping_concludes_the_talk_once(login, officer, talk):
    url = f"/aktualiseringar/samtal/{talk.pk}/utfall/"
    client = login(officer)
    assert client.post(url, {"outcome": "offer_mapping"}).status_code == 302
    talk.refresh_from_db()
    assert talk.outcome == "offer_mapping"
    with pytest.raises(ValidationError):
        actions.conclude_talk(user=officer, talk=talk, outcome="ended", reason="x")


def test_the_outcome_of_a_talk_is_no_reason_in_the_managers_access_log(
    login, officer, manager, talk
):
    url = f"/aktualiseringar/samtal/{talk.pk}/utfall/"
    assert login(officer).post(url, {"outcome": "offer_mapping"}).status_code == 302
    entry = AccessLogEntry.objects.get(record_id=str(talk.pk), action="update")
    assert (entry.detail, entry.reason) == ("offer_mapping", "")
    page = login(manager).get("/atkomstlogg/").content.decode()
    assert "offer_mapping" not in page


def test_person_page_lists_intakes_talks_and_referrals(
    login, coordinator, person, person_intake, talk, service, officer
):
    actions.create_referral(user=officer, person=person, origin="talk", service=service)
    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()
    assert f"/aktualiseringar/{person_intake.pk}/" in page
    assert f"/aktualiseringar/samtal/{talk.pk}/" in page
    assert service.name in page
    assert f"/aktualiseringar/personer/{person.pk}/bedomningssamtal/" in page


def test_a_referrals_result_is_recorded(login, coordinator, person, officer, service):
    referral = actions.create_referral(
        user=officer, person=person, origin="intake", service=service
    )
    Referral.objects.filter(pk=referral.pk).update(
        referred_on=datetime.date.today() - datetime.timedelta(days=10)
    )
    url = f"/aktualiseringar/hanvisningar/{referral.pk}/resultat/"
    client = login(coordinator)
    assert client.get(url).status_code == 200
    page = client.get(url).content.decode()
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in page  # the date proposed is today
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "result": "started",
            "result_noted_on": yesterday.isoformat(),
            "result_note": "Började i gruppen på tisdagar.",
            "version": referral.version,
        },
    )
    assert response["Location"].split("?")[0] == f"/personer/{person.pk}/"
    referral.refresh_from_db()
    assert referral.result == "started"
    assert referral.result_noted_on == yesterday
    assert referral.result_note == "Började i gruppen på tisdagar."
    person_page = client.get(f"/personer/{person.pk}/").content.decode()
    assert f"{yesterday:%Y-%m-%d}" in person_page
    assert "Började i gruppen på tisdagar." in person_page
    assert AccessLogEntry.objects.filter(
        user=coordinator, record_id=str(referral.pk), action="update"
    ).exists()


def test_a_referral_of_an_unknown_person_follows_its_intake(
    login, officer, outsider_officer, intake, service
):
    actions.close_intake(
        user=officer, intake=intake, outcome="referred", reason="KBT", referred_to=service
    )
    referral = Referral.objects.get()
    url = f"/aktualiseringar/hanvisningar/{referral.pk}/resultat/"
    assert login(outsider_officer).get(url).status_code == 404
    response = login(officer).post(
        url,
        {
            "result": "not_started",
            "result_noted_on": datetime.date.today().isoformat(),
            "result_note": "Ville inte ringa.",
            "version": referral.version,
        },
    )
    assert response["Location"] == f"/aktualiseringar/{intake.pk}/"
    assert "Ville inte ringa." in login(officer).get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("noted_on", "message"),
    [
        (datetime.date.today() + datetime.timedelta(days=1), "in the future"),
        (datetime.date(2020, 1, 1), "before the referral"),
        (None, "Give the date you learned"),
    ],
)
def test_a_referrals_result_needs_a_sensible_date(
    login, coordinator, person, officer, service, noted_on, message
):
    referral = actions.create_referral(
        user=officer, person=person, origin="intake", service=service
    )
    url = f"/aktualiseringar/hanvisningar/{referral.pk}/resultat/"
    response = login(coordinator).post(
        url,
        {
            "result": "started",
            "result_noted_on": noted_on.isoformat() if noted_on else "",
            "version": referral.version,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.result == "unknown"


def test_the_referral_form_marks_to_as_required(login, coordinator, person, service):
    url = f"/aktualiseringar/personer/{person.pk}/hanvisning/"
    html = login(coordinator).get(url).content.decode()
    form = next(form for form in read_forms(html).forms if "service" in form.controls)
    assert form.has_marker("service") and form.has_required_attribute("service")
    refused = login(coordinator).post(url, {"origin": "intake", "service": ""})
    assert "Choose the service the person was referred to." in refused.content.decode()


def test_officer_refers_a_person_to_a_service(login, officer, person, service):
    url = f"/aktualiseringar/personer/{person.pk}/hanvisning/"
    client = login(officer)
    response = client.post(url, {"origin": "intake", "service": ""})
    assert response.context["form"].errors["service"]
    client.post(url, {"origin": "intake", "service": service.pk, "note": "Egenanmälan"})
    assert Referral.objects.get().service == service


def test_the_service_directory_lists_services(login, officer, analyst, service):
    assert service.name in login(officer).get("/aktualiseringar/tjanster/").content.decode()
    assert login(analyst).get("/aktualiseringar/tjanster/").status_code == 403


def test_the_outcome_hint_names_the_choices_as_shown(login, officer, talk):
    page = login(officer).get(f"/aktualiseringar/samtal/{talk.pk}/utfall/").content.decode()
    assert "Required when “Refer elsewhere” or “End” is chosen." in page

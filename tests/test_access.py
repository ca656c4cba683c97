"""Need-to-know: who sees whom, protected identity, opening a record with a reason, search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from organisation.models import Role
from people import access
from people.models import CaseStaffRole, Person, ReasonedAccess
from tests.factories import (
    CaseFactory,
    CaseStaffFactory,
    ContactFactory,
    PersonFactory,
    UserFactory,
)

A_GOOD_REASON = "Ringer om gemensamt möte med boendestödet"


def open_case(person, authority, provider=None, staff=()):
    case = CaseFactory(person=person, authority_unit=authority, provider_unit=provider)
    for user, role in staff:
        CaseStaffFactory(case=case, user=user, role=role)
    return case


@pytest.fixture
def protected(org, coordinator):
    """A person with protected identity, in the same unit and team as `person`."""
    person = PersonFactory(first_name="Elin", last_name="Skyddad", protected_identity=True)
    open_case(
        person, org["authority"], org["north"], staff=[(coordinator, CaseStaffRole.COORDINATOR)]
    )
    return person


def detail_url(person, suffix=""):
    return f"/personer/{person.pk}/{suffix}"


# --- visible_people per role ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "sees"),
    [
        ("coordinator", True),  # assigned
        ("colleague", False),  # another team
        ("officer", True),  # the case's authority unit
        ("outsider_officer", False),  # another authority unit
        ("manager", True),  # manages the authority and the provider
        ("analyst", False),
        ("meeting_staff", False),
        ("administrator", False),
    ],
)
def test_visible_people_follow_the_role(request, person, user_fixture, sees):
    user = request.getfixturevalue(user_fixture)
    assert (person in access.visible_people(user)) is sees
    expected = access.Level.WRITE if sees else None
    if expected:
        assert access.access_level(user, person) == expected


@pytest.mark.parametrize("user_fixture", ["analyst", "meeting_staff", "administrator"])
def test_roles_without_cases_never_find_anybody(request, person, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert not access.findable_outside_own_cases(user).exists()
    assert not access.own_cases(user).exists()
    assert access.access_level(user, person) == access.Level.NONE


def test_a_coordinator_sees_the_people_of_their_whole_team(org, person):
    teammate = UserFactory(roles=[(org["north"], Role.COORDINATOR)])
    assert list(access.visible_people(teammate)) == [person]


def test_the_provider_manager_sees_cases_of_every_team_below(org):
    provider_manager = UserFactory(roles=[(org["provider"], Role.MANAGER)])
    elsewhere = PersonFactory()
    open_case(elsewhere, org["other_authority"], org["south"])
    assert list(access.visible_people(provider_manager)) == [elsewhere]


def test_an_officer_does_not_see_another_authority_s_case_delivered_by_a_team(org, officer):
    other = PersonFactory()
    open_case(other, org["other_authority"], org["north"])
    assert other not in access.visible_people(officer)
    assert access.access_level(officer, other) == access.Level.REASON_REQUIRED


def test_staff_named_on_a_case_see_the_person_whatever_their_unit(org, outsider_officer, person):
    open_case(person, org["authority"], staff=[(outsider_officer, CaseStaffRole.OTHER)])
    assert person in access.visible_people(outsider_officer)
    assert access.access_level(outsider_officer, person) == access.Level.WRITE


def test_a_case_with_several_named_staff_appears_once(org, officer, coordinator, colleague):
    person = PersonFactory()
    open_case(
        person,
        org["authority"],
        org["north"],
        staff=[
            (coordinator, CaseStaffRole.COORDINATOR),
            (colleague, CaseStaffRole.SECOND_COORDINATOR),
            (officer, CaseStaffRole.OFFICER),
        ],
    )
    assert access.own_cases(officer).count() == 1
    assert access.visible_people(officer).count() == 1


def test_start_page_lists_each_open_case_once(org, login, officer, coordinator, colleague):
    person = PersonFactory()
    open_case(
        person,
        org["authority"],
        org["north"],
        staff=[(coordinator, CaseStaffRole.COORDINATOR), (colleague, CaseStaffRole.OTHER)],
    )
    response = login(officer).get("/")
    assert response.content.decode().count(detail_url(person)) == 1


# --- protected identity ---------------------------------------------------------------------


@pytest.mark.parametrize("user_fixture", ["officer", "manager", "colleague", "outsider_officer"])
def test_protected_identity_does_not_exist_for_staff_not_named(
    request, login, protected, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    client = login(user)
    assert protected not in access.visible_people(user)
    assert protected not in access.findable_outside_own_cases(user)
    for suffix in ["", "andra/", "skal/", "sammanfoga/", "natverk/ny/"]:
        assert client.get(detail_url(protected, suffix)).status_code == 404, suffix
    assert client.post(detail_url(protected, "skal/"), {"reason": A_GOOD_REASON}).status_code == 404
    assert not ReasonedAccess.objects.filter(person=protected).exists()
    for page in [client.get("/personer/"), client.get("/personer/", {"q": "Elin"})]:
        content = page.content.decode()
        assert str(protected.pk) not in content
        assert "Skyddad" not in content


def test_protected_identity_is_hidden_from_a_teammate_not_named(org, login, protected):
    teammate = UserFactory(roles=[(org["north"], Role.COORDINATOR)])
    assert login(teammate).get(detail_url(protected)).status_code == 404


def test_protected_identity_is_left_off_the_start_page_of_staff_not_named(
    login, officer, protected, person
):
    content = login(officer).get("/").content.decode()
    assert detail_url(person) in content
    assert str(protected.pk) not in content


def test_named_staff_see_a_protected_person(login, coordinator, protected):
    client = login(coordinator)
    assert protected in access.visible_people(coordinator)
    assert client.get(detail_url(protected)).status_code == 200
    assert detail_url(protected) in client.get("/personer/", {"q": "Skyddad"}).content.decode()
    assert detail_url(protected) in client.get("/").content.decode()


def test_a_reason_given_before_the_identity_was_protected_opens_nothing(login, colleague, person):
    access.grant_reasoned_access(user=colleague, person=person, reason=A_GOOD_REASON)
    Person.objects.filter(pk=person.pk).update(protected_identity=True)
    assert login(colleague).get(detail_url(person)).status_code == 404


def test_the_access_log_does_not_name_a_protected_person_to_the_manager(
    login, manager, coordinator, protected
):
    login(coordinator).get(detail_url(protected))
    content = login(manager).get("/atkomstlogg/").content.decode()
    assert AccessLogEntry.objects.filter(person_id=protected.pk, action=Action.READ).exists()
    assert "Skyddad" not in content


# --- opening a record with a reason -----------------------------------------------------------


def test_outside_own_cases_the_record_asks_for_a_reason_first(login, colleague, person):
    client = login(colleague)
    response = client.get(detail_url(person))
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == detail_url(person, "skal/")
    form = client.get(detail_url(person, "skal/"))
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    assert not AccessLogEntry.objects.filter(person_id=person.pk, action=Action.READ).exists()


@pytest.mark.parametrize("reason", ["", "   ", "för kort", "   123456789   "])
def test_a_reason_needs_at_least_ten_characters(login, colleague, person, reason):
    response = login(colleague).post(detail_url(person, "skal/"), {"reason": reason})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not ReasonedAccess.objects.exists()
    assert not AccessLogEntry.objects.filter(action=Action.REASON).exists()


def test_a_reason_is_logged_and_opens_the_record_read_only(login, colleague, person, settings):
    client = login(colleague)
    before = timezone.now()
    response = client.post(detail_url(person, "skal/"), {"reason": A_GOOD_REASON})
    assert response.status_code == 302
    assert response["Location"] == detail_url(person)

    entry = AccessLogEntry.objects.get(action=Action.REASON)
    assert (entry.user, entry.person_id, entry.reason) == (colleague, person.pk, A_GOOD_REASON)
    grant = ReasonedAccess.objects.get(user=colleague, person=person)
    hours = timedelta(hours=settings.REASONED_ACCESS_HOURS)
    assert before + hours <= grant.expires_at <= timezone.now() + hours

    page = client.get(detail_url(person))
    assert page.status_code == 200
    assert page.context["may_write"] is False
    assert detail_url(person, "andra/") not in page.content.decode()
    assert AccessLogEntry.objects.filter(action=Action.READ, user=colleague).count() == 1

    contact = ContactFactory(person=person)
    assert client.get(detail_url(person, "andra/")).status_code == 403
    assert client.post(detail_url(person, "andra/"), {"first_name": "Ändrad"}).status_code == 403
    assert client.get(detail_url(person, "sammanfoga/")).status_code == 403
    assert client.get(detail_url(person, "natverk/ny/")).status_code == 403
    assert client.get(detail_url(person, f"natverk/{contact.pk}/")).status_code == 403
    assert client.post(detail_url(person, f"natverk/{contact.pk}/ta-bort/")).status_code == 403
    person.refresh_from_db()
    assert person.first_name == "Elin"
    assert person.contacts.filter(pk=contact.pk).exists()
    # With access, the reason form sends straight on to the record.
    assert client.get(detail_url(person, "skal/"))["Location"] == detail_url(person)


def test_access_with_a_reason_expires(login, colleague, person):
    client = login(colleague)
    client.post(detail_url(person, "skal/"), {"reason": A_GOOD_REASON})
    assert client.get(detail_url(person)).status_code == 200
    ReasonedAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(detail_url(person))
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == detail_url(person, "skal/")


def test_access_with_a_reason_lasts_the_configured_hours(colleague, person, settings, monkeypatch):
    access.grant_reasoned_access(user=colleague, person=person, reason=A_GOOD_REASON)
    start = timezone.now()
    hours = settings.REASONED_ACCESS_HOURS
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=hours, minutes=-1))
    assert access.access_level(colleague, person) == access.Level.READ
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=hours, minutes=1))
    assert access.access_level(colleague, person) == access.Level.REASON_REQUIRED


def test_the_manager_s_start_page_lists_reasons_given_by_their_staff(org, login, manager, person):
    # An officer of the manager's unit opens someone in another unit's case.
    staff = UserFactory(
        first_name="Stina", last_name="Personal", roles=[(org["authority"], Role.OFFICER)]
    )
    elsewhere = PersonFactory()
    open_case(elsewhere, org["other_authority"])
    login(staff).post(detail_url(elsewhere, "skal/"), {"reason": A_GOOD_REASON})
    content = login(manager).get("/").content.decode()
    assert A_GOOD_REASON in content
    assert "Stina Personal" in content
    assert f"/atkomstlogg/?person={elsewhere.pk}" in content


def test_the_manager_s_start_page_lists_reasons_given_about_their_cases(
    login, manager, outsider_officer, person
):
    login(outsider_officer).post(detail_url(person, "skal/"), {"reason": A_GOOD_REASON})
    assert A_GOOD_REASON in login(manager).get("/").content.decode()


def test_a_manager_does_not_see_reasons_unrelated_to_their_units(login, manager, outsider_officer):
    # Given by staff of another unit, about a person with no case in the manager's units.
    access.grant_reasoned_access(
        user=outsider_officer, person=PersonFactory(), reason="Helt utanför chefens enheter"
    )
    assert "Helt utanför chefens enheter" not in login(manager).get("/").content.decode()


# --- search -------------------------------------------------------------------------------


def test_search_outside_own_cases_offers_the_reason_form_but_never_a_protected_person(
    login, colleague, person, protected
):
    response = login(colleague).get("/personer/", {"q": "Elin Fiktiv"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert response.context["outside"] == [person]
    content = response.content.decode()
    assert detail_url(person, "skal/") in content
    assert str(protected.pk) not in content
    assert "Skyddad" not in content
    found = AccessLogEntry.objects.filter(action=Action.SEARCH, user=colleague)
    assert [e.people for e in found] == [(str(person.pk),)]
    named = login(colleague).get("/personer/", {"q": "Elin Skyddad"})
    assert named.context["outside"] == []
    assert str(protected.pk) not in named.content.decode()


def test_search_lists_own_people_first_and_only_others_outside(org, login, coordinator, person):
    stranger = PersonFactory(first_name="Elin", last_name="Fiktivsson")
    open_case(stranger, org["other_authority"])
    response = login(coordinator).get("/personer/", {"q": "Elin Fiktiv"})
    assert list(response.context["page"].object_list) == [person]
    assert response.context["outside"] == [stranger]


def test_search_by_personal_number(login, colleague, person):
    response = login(colleague).get("/personer/", {"q": person.display_number})
    assert response.context["outside"] == [person]


def test_merged_records_never_appear_in_search(org, login, coordinator, colleague, person):
    old = PersonFactory(first_name="Elin", last_name="Fiktiv", merged_into=person)
    # Even a merged record that still had a case of its own is left out.
    open_case(old, org["authority"], org["north"], staff=[(coordinator, CaseStaffRole.OTHER)])
    for user in (coordinator, colleague):
        response = login(user).get("/personer/", {"q": "Elin"})
        listed = [*response.context["page"].object_list, *response.context["outside"]]
        assert old not in listed
        assert str(old.pk) not in response.content.decode()
    assert old not in access.visible_people(coordinator)
    assert old not in access.findable_outside_own_cases(colleague)


def test_a_merged_record_s_address_leads_to_the_record_it_was_merged_into(
    login, coordinator, colleague, person
):
    old = PersonFactory(merged_into=person)
    response = login(coordinator).get(detail_url(old))
    assert response["Location"] == detail_url(person)
    # Someone outside gives the reason for the current record, not for the pointer.
    response = login(colleague).get(detail_url(old))
    assert response["Location"].split("?")[0] == detail_url(person, "skal/")
    response = login(colleague).get(detail_url(old, "skal/"))
    assert response["Location"].split("?")[0] == detail_url(person, "skal/")


def test_a_record_merged_into_a_protected_person_does_not_exist_for_others(
    login, colleague, protected
):
    old = PersonFactory(merged_into=protected)
    assert login(colleague).get(detail_url(old)).status_code == 404
    assert login(colleague).get(detail_url(old, "skal/")).status_code == 404


@pytest.mark.parametrize("user_fixture", ["analyst", "meeting_staff", "administrator"])
def test_roles_without_cases_cannot_search(request, login, person, user_fixture):
    client = login(request.getfixturevalue(user_fixture))
    assert client.get("/personer/", {"q": person.personal_number}).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_access_levels_for_many_people_agree_with_one_at_a_time(org, role_users, person):
    """`access_levels` (the history import's batches) gives each user what `access_level` does:
    named on the case, own unit, protected, a reason given, a merged record, nobody's case."""
    protected = PersonFactory(protected_identity=True)
    open_case(protected, org["authority"], org["north"])
    reasoned = PersonFactory()
    open_case(reasoned, org["authority"])
    stranger = PersonFactory()
    merged = PersonFactory(merged_into=person)
    people = [person, protected, reasoned, stranger, merged]
    colleague = role_users["colleague"]
    ReasonedAccess.objects.create(
        user=colleague,
        person=reasoned,
        reason=A_GOOD_REASON,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    for user in role_users.values():
        many = access.access_levels(user, people)
        assert many == {p.pk: access.access_level(user, p) for p in people}, user.username

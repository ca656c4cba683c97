"""Mapping pages: who may use them, what they refuse, what they log, and what they cost."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry, Action
from instruments import actions as instrument_actions
from intake.models import AssessmentTalk, TalkPlace
from mapping import actions
from mapping.models import Mapping, MappingSession, MappingStatus, Need
from organisation.models import LifeArea
from people.models import CaseStaffRole, CaseStatus
from tests.factories import CaseStaffFactory, MappingFactory, SupportKindFactory

DAY = "2025-03-10"


def url(mapping, suffix=""):
    return f"/kartlaggning/{mapping.pk}/{suffix}"


def start_url(person):
    return f"/kartlaggning/{person.pk}/ny/"


def hold_sessions(mapping, user, staff, count):
    for n in range(count):
        actions.add_session(
            user=user,
            mapping=mapping,
            held_on=datetime.date(2025, 3, 10 + n),
            staff=staff,
            notes=f"Tillfälle {n + 1}",
        )


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


# Starting


def test_the_unit_officer_starts_a_mapping_on_the_persons_open_case(login, officer, person):
    case = person.cases.get()
    response = login(officer).post(start_url(person), {"case": case.pk, "started_on": DAY})

    mapping = Mapping.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == url(mapping)
    assert (mapping.case, mapping.started_on, mapping.created_by) == (
        case,
        datetime.date(2025, 3, 10),
        officer,
    )
    assert AccessLogEntry.objects.filter(
        action=Action.CREATE, record_type="mapping", record_id=str(mapping.pk)
    ).exists()


def test_a_mapping_may_follow_from_the_persons_assessment_talk(login, coordinator, person):
    talk = AssessmentTalk.objects.create(
        person=person,
        held_on=datetime.date(2025, 2, 20),
        place=TalkPlace.HOME,
        created_by=coordinator,
    )
    login(coordinator).post(
        start_url(person), {"case": person.cases.get().pk, "started_on": DAY, "talk": talk.pk}
    )

    assert Mapping.objects.get(person=person).talk == talk


def test_only_the_persons_own_open_cases_and_talks_can_be_chosen(login, coordinator, person):
    response = login(coordinator).get(start_url(person))

    form = response.context["form"]
    assert list(form.fields["case"].queryset) == list(person.cases.all())
    assert form.fields["case"].empty_label is None  # one open case: nothing to choose


def test_a_person_without_an_open_case_cannot_get_a_mapping(login, coordinator, person):
    person.cases.update(status=CaseStatus.CLOSED)
    client = login(coordinator)

    page = client.get(start_url(person))
    assert "has no open case" in page.content.decode()
    response = client.post(start_url(person), {"started_on": DAY})
    assert response.status_code == 200
    assert form_errors(response)
    assert not Mapping.objects.exists()


def test_a_second_ongoing_mapping_is_refused_with_the_reason(login, coordinator, mapping, person):
    response = login(coordinator).post(
        start_url(person), {"case": mapping.case.pk, "started_on": DAY}
    )

    assert response.status_code == 200
    assert "already has an ongoing mapping" in response.content.decode()
    assert Mapping.objects.count() == 1


# Sessions


def test_a_session_needs_two_staff_and_the_page_says_so(login, coordinator, mapping):
    response = login(coordinator).post(
        url(mapping, "tillfalle/ny/"), {"held_on": DAY, "staff": [coordinator.pk], "notes": "x"}
    )

    assert response.status_code == 200
    assert "Two staff members lead each mapping session." in form_errors(response)
    assert 'class="field-error"' in response.content.decode()
    assert not MappingSession.objects.exists()


def test_a_session_without_staff_is_refused_with_the_same_message(login, coordinator, mapping):
    response = login(coordinator).post(url(mapping, "tillfalle/ny/"), {"held_on": DAY})

    assert form_errors(response) == ["Two staff members lead each mapping session."]


def test_a_session_led_by_two_staff_is_recorded(login, coordinator, teammate, mapping):
    response = login(coordinator).post(
        url(mapping, "tillfalle/ny/"),
        {"held_on": DAY, "staff": [coordinator.pk, teammate.pk], "notes": "Första träffen."},
    )

    assert response.status_code == 302
    session = mapping.sessions.get()
    assert set(session.staff.all()) == {coordinator, teammate}
    assert session.notes == "Första träffen."


def test_the_sixth_session_is_refused(login, coordinator, teammate, mapping):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 5)
    client = login(coordinator)

    page = client.get(url(mapping, "tillfalle/ny/"))
    assert "at most 5 sessions" in page.content.decode()
    response = client.post(
        url(mapping, "tillfalle/ny/"), {"held_on": DAY, "staff": [coordinator.pk, teammate.pk]}
    )
    assert response.status_code == 200
    assert "at most 5 sessions" in response.content.decode()
    assert mapping.sessions.count() == 5


def test_staff_to_choose_from_are_officers_and_coordinators_never_analysts_or_admins(
    login, coordinator, teammate, officer, analyst, administrator, meeting_staff, mapping
):
    response = login(coordinator).get(url(mapping, "tillfalle/ny/"))

    choices = set(response.context["form"].fields["staff"].queryset)
    assert {coordinator, teammate, officer} <= choices
    assert not {analyst, administrator, meeting_staff} & choices


def test_an_officer_is_offered_the_colleagues_who_may_lead_a_session_with_them(
    login, org, officer, coordinator, teammate, manager, analyst, person
):
    """Before any decision the case has no provider unit; the officer must still find a second
    leader among the coordinators of the units that deliver support, each named with their unit
    and role."""
    case = person.cases.get()
    case.provider_unit = None
    case.save()
    CaseStaffFactory(case=case, user=officer, role=CaseStaffRole.OFFICER)
    SupportKindFactory().provider_units.add(org["provider"])
    mapping = MappingFactory(person=person, case=case, created_by=officer)

    response = login(officer).get(url(mapping, "tillfalle/ny/"))

    field = response.context["form"].fields["staff"]
    choices = set(field.queryset)
    assert {officer, coordinator, teammate} <= choices
    assert not {manager, analyst} & choices
    labels = dict((value.value, label) for value, label in field.choices)
    assert labels[teammate.pk] == "Tove Tvåa (Coordinator, Team Norr)"
    assert "Tove Tvåa (Coordinator, Team Norr)" in response.content.decode()

    response = login(officer).post(
        url(mapping, "tillfalle/ny/"), {"held_on": DAY, "staff": [officer.pk, teammate.pk]}
    )
    assert response.status_code == 302
    assert set(mapping.sessions.get().staff.all()) == {officer, teammate}


def test_an_analyst_cannot_be_named_to_lead_a_session(login, coordinator, analyst, mapping):
    response = login(coordinator).post(
        url(mapping, "tillfalle/ny/"), {"held_on": DAY, "staff": [coordinator.pk, analyst.pk]}
    )

    assert response.status_code == 200
    assert not MappingSession.objects.exists()


def test_sessions_are_shown_as_n_of_3_to_5(login, coordinator, teammate, mapping):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 2)

    page = login(coordinator).get(url(mapping)).content.decode()

    assert "Session 1 of 3–5" in page
    assert "Session 2 of 3–5" in page
    assert "Tove Tvåa" in page


# Needs per life area


def test_the_needs_form_lists_every_active_life_area(login, coordinator, mapping, life_areas):
    LifeArea.objects.filter(code="trygghet").update(active=False)

    response = login(coordinator).get(url(mapping, "behov/"))

    listed = [area for area, _form in response.context["pairs"]]
    assert listed == list(LifeArea.objects.filter(active=True).order_by("position", "name"))
    assert all(area.code != "trygghet" for area in listed)
    page = response.content.decode()
    assert "<legend>Hemliv</legend>" in page
    for value in ("0", "1", "2", "3", "4", "8", "9"):
        assert f'<option value="{value}"' in page


def test_only_the_life_areas_filled_in_are_saved(login, coordinator, mapping, life_areas):
    home, relations, safety = life_areas
    data = {
        f"area-{home.pk}-extent": "3",
        f"area-{home.pk}-description": "Lämnar sällan lägenheten.",
        f"area-{relations.pk}-extent": "9",
        f"area-{safety.pk}-extent": "",
    }

    response = login(coordinator).post(url(mapping, "behov/"), data)

    assert response.status_code == 302
    saved = {need.life_area: (need.extent, need.description) for need in mapping.needs.all()}
    assert saved == {home: (3, "Lämnar sällan lägenheten."), relations: (9, "")}


def test_saving_unchanged_needs_changes_and_logs_nothing(login, coordinator, mapping, life_areas):
    home = life_areas[0]
    actions.save_need(
        user=coordinator, mapping=mapping, life_area=home, extent=2, description="Ok."
    )
    before = AccessLogEntry.objects.filter(record_type="need").count()

    login(coordinator).post(
        url(mapping, "behov/"),
        {f"area-{home.pk}-extent": "2", f"area-{home.pk}-description": "Ok."},
    )

    assert AccessLogEntry.objects.filter(record_type="need").count() == before


@pytest.mark.parametrize("extent", ["5", "7", "10", "x"])
def test_an_extent_outside_the_icf_scale_is_refused(
    login, coordinator, mapping, life_areas, extent
):
    home, relations, _ = life_areas
    response = login(coordinator).post(
        url(mapping, "behov/"),
        {f"area-{home.pk}-extent": extent, f"area-{relations.pk}-extent": "2"},
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Need.objects.exists(), "nothing is saved while any life area is wrong"


def test_a_description_without_an_extent_is_refused(login, coordinator, mapping, life_areas):
    home = life_areas[0]
    response = login(coordinator).post(
        url(mapping, "behov/"), {f"area-{home.pk}-description": "Något."}
    )

    assert response.status_code == 200
    assert "Choose the extent" in response.content.decode()
    assert not Need.objects.exists()


# Interrupting and completing


def test_interrupting_needs_who_and_why(login, coordinator, mapping):
    response = login(coordinator).post(url(mapping, "avbryt/"), {})

    assert set(form_errors(response)) == {
        "Say who chose to interrupt the mapping.",
        "Say why the mapping was interrupted.",
    }
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ONGOING


def test_the_mapping_is_interrupted_with_who_and_why(login, coordinator, mapping):
    response = login(coordinator).post(
        url(mapping, "avbryt/"),
        {"interrupted_by": "person", "interruption_reason": "Orkar inte just nu."},
    )

    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.INTERRUPTED
    assert mapping.interruption_reason == "Orkar inte just nu."
    assert AccessLogEntry.objects.filter(
        action=Action.UPDATE, record_id=str(mapping.pk), detail="interrupted"
    ).exists()


def test_completing_needs_an_account_and_a_recommendation(login, coordinator, teammate, mapping):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 3)

    response = login(coordinator).post(url(mapping, "avsluta/"), {"needs_account": "Behov."})

    assert form_errors(response) == ["Write the recommendation."]
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ONGOING


def test_completing_without_a_session_is_refused_on_the_form(login, coordinator, mapping):
    response = login(coordinator).post(
        url(mapping, "avsluta/"), {"needs_account": "Behov.", "recommendation": "Ansök."}
    )

    assert response.status_code == 200
    assert "Record at least one mapping session first." in form_errors(response)


def test_the_mapping_is_completed(login, coordinator, teammate, mapping):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 3)

    response = login(coordinator).post(
        url(mapping, "avsluta/"),
        {"needs_account": "Behov i hemliv.", "recommendation": "Ansök om stöd."},
    )

    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.COMPLETED
    page = login(coordinator).get(url(mapping)).content.decode()
    assert "Behov i hemliv." in page and "Ansök om stöd." in page


# An ended mapping is read-only


@pytest.fixture
def ended(mapping, coordinator, teammate):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 1)
    return actions.complete_mapping(
        user=coordinator, mapping=mapping, needs_account="Behov.", recommendation="Ansök."
    )


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        ("tillfalle/ny/", {"held_on": DAY, "staff": []}),
        ("behov/", {}),
        ("avbryt/", {"interrupted_by": "person", "interruption_reason": "x"}),
        ("avsluta/", {"needs_account": "Annat.", "recommendation": "Annat."}),
    ],
)
def test_an_ended_mapping_refuses_every_change(
    login, coordinator, teammate, ended, life_areas, suffix, data
):
    if suffix == "tillfalle/ny/":
        data["staff"] = [coordinator.pk, teammate.pk]
    if suffix == "behov/":
        data[f"area-{life_areas[0].pk}-extent"] = "1"
    client = login(coordinator)

    assert client.get(url(ended, suffix))["Location"] == url(ended)
    response = client.post(url(ended, suffix), data, follow=True)

    assert response.redirect_chain == [(url(ended), 302)]
    assert "has ended and cannot be changed" in response.content.decode()
    ended.refresh_from_db()
    assert (ended.status, ended.needs_account) == (MappingStatus.COMPLETED, "Behov.")
    assert ended.sessions.count() == 1
    assert not ended.needs.exists()


def test_an_ended_mapping_offers_no_changes(login, coordinator, ended):
    page = login(coordinator).get(url(ended)).content.decode()

    assert "can no longer be changed" in page
    for suffix in ("tillfalle/ny/", "behov/", "avbryt/", "avsluta/"):
        assert url(ended, suffix) not in page


def _madrs(person, user, day, **link):
    response = instrument_actions.start_response(
        user=user, person=person, code="madrs-s", occasion="start", administered_on=day, **link
    )
    answers = {str(i): 1 for i in range(1, 10)}
    return instrument_actions.save_answers(
        user=user, response=response, answers=answers, complete=True
    )


def test_the_mapping_links_the_instruments_and_shows_ratings_given_during_it(
    login, coordinator, teammate, mapping, person
):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 2)
    second = mapping.sessions.order_by("held_on")[1]
    at_session = _madrs(person, coordinator, second.held_on, mapping_session=second)
    in_period = _madrs(person, coordinator, datetime.date(2025, 3, 5))
    before = _madrs(person, coordinator, datetime.date(2025, 2, 1))

    page = login(coordinator).get(url(mapping)).content.decode()

    assert "once the instrument engine exists" not in page
    assert f"/skattningar/{at_session.pk}/" in page
    assert f"/skattningar/{in_period.pk}/" in page
    assert f"/skattningar/{before.pk}/" not in page
    assert "Session 2 of 3–5" in page.split("instruments-heading")[-1]
    assert f"/skattningar/person/{person.pk}/ny/?tillfalle={second.pk}" in page
    assert f"/skattningar/person/{person.pk}/hemlank/?tillfalle={second.pk}" in page
    reads = AccessLogEntry.objects.filter(record_type="instrument_response", action="read")
    assert {e.record_id for e in reads} == {str(at_session.pk), str(in_period.pk)}


def test_a_rating_started_from_the_mapping_is_given_at_its_session(
    login, coordinator, teammate, mapping, person
):
    hold_sessions(mapping, coordinator, [coordinator, teammate], 1)
    session = mapping.sessions.get()

    form = (
        login(coordinator)
        .get(f"/skattningar/person/{person.pk}/ny/?tillfalle={session.pk}")
        .context["form"]
    )

    assert form["link"].value() == f"session:{session.pk}"
    assert form["occasion"].value() == "start"


def test_sessions_held_on_the_same_day_are_told_apart_where_a_rating_is_tied_to_one(
    login, coordinator, teammate, mapping, person
):
    for n in range(3):
        actions.add_session(
            user=coordinator,
            mapping=mapping,
            held_on=datetime.date(2025, 3, 10),
            staff=[coordinator, teammate],
            notes=f"Tillfälle {n + 1}",
        )

    for path in ("ny", "hemlank"):
        form = login(coordinator).get(f"/skattningar/person/{person.pk}/{path}/").context["form"]
        labels = [label for value, label in form.fields["link"].choices if value.startswith("s")]
        assert len(set(labels)) == 3, labels
        assert [label.split(",")[0] for label in sorted(labels)] == [
            "Mapping session 1",
            "Mapping session 2",
            "Mapping session 3",
        ]


# Who may do what


ROUTES = ["", "tillfalle/ny/", "behov/", "avbryt/", "avsluta/"]


@pytest.mark.parametrize("suffix", ROUTES)
@pytest.mark.parametrize("user", ["coordinator", "officer", "manager"])
def test_the_assigned_coordinator_and_the_units_staff_may_work_on_the_mapping(
    request, login, mapping, user, suffix
):
    response = login(request.getfixturevalue(user)).get(url(mapping, suffix))

    assert response.status_code == 200


@pytest.mark.parametrize("suffix", ROUTES)
@pytest.mark.parametrize("user", ["colleague", "outsider_officer"])
def test_staff_outside_the_case_must_first_give_a_reason(
    request, login, mapping, person, user, suffix
):
    response = login(request.getfixturevalue(user)).get(url(mapping, suffix))

    assert response.status_code == 302
    assert response["Location"].split("?")[0] == f"/personer/{person.pk}/skal/"


@pytest.mark.parametrize("user", ["colleague", "outsider_officer"])
def test_staff_outside_the_case_cannot_start_a_mapping(request, login, person, user):
    response = login(request.getfixturevalue(user)).post(start_url(person), {"started_on": DAY})

    assert response["Location"].split("?")[0] == f"/personer/{person.pk}/skal/"
    assert not Mapping.objects.exists()


@pytest.mark.parametrize("suffix", ROUTES)
@pytest.mark.parametrize("user", ["colleague", "outsider_officer"])
def test_a_protected_persons_mapping_does_not_exist_for_staff_outside_the_case(
    request, login, mapping, person, user, suffix
):
    person.protected_identity = True
    person.save()

    response = login(request.getfixturevalue(user)).get(url(mapping, suffix))

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ROUTES)
@pytest.mark.parametrize("user", ["analyst", "meeting_staff", "administrator"])
def test_roles_without_case_work_are_refused(request, login, mapping, user, suffix):
    response = login(request.getfixturevalue(user)).get(url(mapping, suffix))

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, mapping, person):
    for target in [url(mapping), url(mapping, "behov/"), start_url(person)]:
        assert client.get(target)["Location"].startswith("/accounts/login/?next=")


def test_an_unknown_mapping_is_not_found(login, coordinator):
    response = login(coordinator).get("/kartlaggning/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


def test_a_reader_with_a_reason_may_read_but_not_change(login, colleague, mapping, person):
    client = login(colleague)
    client.post(f"/personer/{person.pk}/skal/", {"reason": "Vikarierar för Kim."})

    page = client.get(url(mapping))
    assert page.status_code == 200
    assert url(mapping, "behov/") not in page.content.decode()
    assert client.get(url(mapping, "behov/")).status_code == 403
    assert client.post(url(mapping, "avbryt/"), {"interrupted_by": "person"}).status_code == 403


def test_reading_a_mapping_is_logged(login, officer, mapping, person):
    login(officer).get(url(mapping))

    entry = AccessLogEntry.objects.filter(record_type="mapping", action=Action.READ).get()
    assert (entry.user, entry.person_id, entry.record_id) == (officer, person.pk, str(mapping.pk))


# The person page


def test_the_person_page_lists_mappings_with_status_and_links(login, coordinator, mapping, person):
    MappingFactory(
        person=person,
        status=MappingStatus.INTERRUPTED,
        started_on=datetime.date(2024, 1, 5),
        ended_on=datetime.date(2024, 2, 1),
    )

    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()

    assert url(mapping) in page
    assert "Ongoing" in page and "Interrupted" in page and "2024-02-01" in page
    assert start_url(person) in page


def test_a_reader_with_a_reason_is_not_offered_to_start_a_mapping(login, colleague, person):
    client = login(colleague)
    client.post(f"/personer/{person.pk}/skal/", {"reason": "Vikarierar för Kim."})

    page = client.get(f"/personer/{person.pk}/").content.decode()

    assert "No mapping has been started." in page
    assert start_url(person) not in page


def person_page_queries(client, person) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/personer/{person.pk}/").status_code == 200
    return len(captured)


def test_the_person_page_runs_as_many_queries_for_20_mappings_as_for_1(
    login, coordinator, teammate, person
):
    client = login(coordinator)
    first = MappingFactory(person=person, status=MappingStatus.COMPLETED)
    hold_sessions_for_count = MappingSession.objects.create(
        mapping=first, held_on=datetime.date(2025, 1, 1), created_by=coordinator
    )
    hold_sessions_for_count.staff.set([coordinator, teammate])
    one = person_page_queries(client, person)

    for _ in range(19):
        MappingFactory(person=person, status=MappingStatus.COMPLETED)
    twenty = person_page_queries(client, person)

    assert twenty == one

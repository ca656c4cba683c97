"""Group activities: sessions, two staff, participants with a decision in force, attendance."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry
from groups import actions
from groups.models import Attendance, Group, GroupParticipant, GroupSession
from organisation.models import Role
from tests.factories import UserFactory


def _sessions(group, coordinator, start, weeks=1):
    return actions.generate_sessions(
        user=coordinator, group=group, start=start, end=start + datetime.timedelta(weeks * 7 - 1)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sessions_are_generated_on_the_groups_weekdays_only_once(group, coordinator):
    monday = datetime.date(2026, 3, 2)
    made = _sessions(group, coordinator, monday, weeks=2)
    assert [s.date.weekday() for s in made] == [0, 2, 3, 0, 2, 3]
    assert all(s.start_time == datetime.time(14) and s.duration_minutes == 60 for s in made)
    assert _sessions(group, coordinator, monday, weeks=2) == []
    assert GroupSession.objects.filter(group=group).count() == 6


def test_fewer_than_two_staff_shows_a_warning_that_two_remove(
    group, coordinator, org, login, today
):
    session = GroupSession.objects.create(
        group=group, date=today, start_time=datetime.time(14), duration_minutes=60
    )
    second = UserFactory(roles=[(org["north"], Role.COORDINATOR)])
    client = login(coordinator)
    url = f"/grupper/tillfalle/{session.pk}/"

    assert "staff-warning" in client.get(url).content.decode()
    client.post(url, {"form": "staff", "staff": [coordinator.pk]})
    assert "staff-warning" in client.get(url).content.decode()
    assert "staff-warning" in client.get(f"/grupper/{group.pk}/").content.decode()

    client.post(url, {"form": "staff", "staff": [coordinator.pk, second.pk]})
    assert set(session.staff.all()) == {coordinator, second}
    assert "staff-warning" not in client.get(url).content.decode()
    assert "staff-warning" not in client.get(f"/grupper/{group.pk}/").content.decode()


def test_staff_are_chosen_among_the_groups_coordinators_and_managers(
    group, coordinator, colleague, manager, login, today
):
    session = GroupSession.objects.create(
        group=group, date=today, start_time=datetime.time(14), duration_minutes=60
    )
    response = login(coordinator).post(
        f"/grupper/tillfalle/{session.pk}/", {"form": "staff", "staff": [colleague.pk]}
    )
    assert response.status_code == 200  # the form refuses a coordinator of another team
    assert not session.staff.exists()
    login(coordinator).post(
        f"/grupper/tillfalle/{session.pk}/", {"form": "staff", "staff": [manager.pk]}
    )
    assert list(session.staff.all()) == [manager]


def test_only_people_with_a_decision_in_force_can_take_part(
    group, coordinator, person, north_person, decide, login
):
    decide(person, "grant")
    partly = north_person("Delvis")
    decide(partly, "partial")
    rejected = north_person("Avslag")
    decide(rejected, "rejection")
    ended = north_person("Slut")
    decide(ended, "grant", starts=-400, ends=-10)
    future = north_person("Sedan")
    decide(future, "grant", starts=10, ends=300)
    north_person("Ingen")
    client = login(coordinator)
    url = f"/grupper/{group.pk}/deltagare/"

    offered = client.get(url).context["form"].fields["person"].queryset
    assert set(offered) == {person, partly, future}
    for candidate in (rejected, ended):
        client.post(url, {"person": candidate.pk})
    assert not GroupParticipant.objects.exists()
    client.post(url, {"person": person.pk})
    client.post(url, {"person": partly.pk})
    assert {p.person for p in group.participants.all()} == {person, partly}


def test_a_person_whose_decision_starts_tomorrow_can_join_ahead(
    group, coordinator, north_person, decide, login
):
    """Groups are planned ahead: a decision starting later is enough to take part."""
    starts_tomorrow = north_person("Imorgon")
    decide(starts_tomorrow, "grant", starts=1, ends=180)
    client = login(coordinator)
    url = f"/grupper/{group.pk}/deltagare/"

    assert starts_tomorrow in client.get(url).context["form"].fields["person"].queryset
    assert client.post(url, {"person": starts_tomorrow.pk}).status_code == 302
    assert group.participants.get().person == starts_tomorrow


def test_attendance_is_not_recorded_for_a_session_that_has_not_happened(
    group, coordinator, person, decide, login, today
):
    decide(person, "grant")
    actions.add_participant(user=coordinator, group=group, person=person)
    tomorrow = GroupSession.objects.create(
        group=group,
        date=today + datetime.timedelta(days=1),
        start_time=datetime.time(14),
        duration_minutes=60,
    )
    client = login(coordinator)
    url = f"/grupper/tillfalle/{tomorrow.pk}/"

    page = client.get(url).content.decode()
    assert "Attendance is recorded once the session has taken place." in page
    assert 'value="attendance"' not in page
    response = client.post(url, {"form": "attendance", f"p_{person.pk}": "1"})

    assert response.status_code == 200
    assert "not before" in response.content.decode()
    assert not Attendance.objects.exists()


def test_people_outside_the_users_cases_cannot_be_added(
    group, colleague, person, decide, org, login
):
    """A decision in force is not enough: the user must also work with the person's case."""
    decide(person, "grant")
    group.unit = org["south"]
    group.save()
    client = login(colleague)
    assert (
        person
        not in client.get(f"/grupper/{group.pk}/deltagare/")
        .context["form"]
        .fields["person"]
        .queryset
    )
    client.post(f"/grupper/{group.pk}/deltagare/", {"person": person.pk})
    assert not GroupParticipant.objects.exists()


def test_attendance_is_recorded_and_each_read_and_change_is_logged(
    group, coordinator, person, north_person, decide, login, today
):
    other = north_person("Jonas")
    for p in (person, other):
        decide(p, "grant")
        actions.add_participant(user=coordinator, group=group, person=p)
    session = GroupSession.objects.create(
        group=group, date=today, start_time=datetime.time(14), duration_minutes=60
    )
    client = login(coordinator)
    url = f"/grupper/tillfalle/{session.pk}/"
    before = AccessLogEntry.objects.count()

    client.post(url, {"form": "attendance", f"p_{person.pk}": "1", f"p_{other.pk}": "0"})

    assert dict(Attendance.objects.values_list("person_id", "present")) == {
        person.pk: True,
        other.pk: False,
    }
    writes = AccessLogEntry.objects.filter(record_type="group_attendance", action="update")
    assert {e.person_id for e in writes} == {person.pk, other.pk}
    assert all(e.user_id == coordinator.pk for e in writes)

    client.get(url)
    reads = AccessLogEntry.objects.filter(record_type="group_attendance", action="read")
    assert {e.person_id for e in reads} == {person.pk, other.pk}
    assert AccessLogEntry.objects.count() == before + 4
    detail = client.get(f"/grupper/{group.pk}/").content.decode()
    assert "Fiktiv" not in detail  # the session list shows counts, not names


def test_a_participant_the_user_may_not_see_is_counted_but_not_named(
    group, coordinator, manager, org, north_person, decide, login, today
):
    from people.models import Person

    hidden = north_person("Skyddad")
    Person.objects.filter(pk=hidden.pk).update(protected_identity=True)
    hidden.refresh_from_db()
    decide(hidden, "grant")
    GroupParticipant.objects.create(group=group, person=hidden, added_by=manager)
    session = GroupSession.objects.create(
        group=group, date=today, start_time=datetime.time(14), duration_minutes=60
    )
    page = login(coordinator).get(f"/grupper/tillfalle/{session.pk}/")
    assert "Skyddad" not in page.content.decode()
    assert page.context["hidden"] == 1
    assert not page.context["attendance_form"].fields


def test_colleague_in_another_team_does_not_see_the_group(group, colleague, login):
    client = login(colleague)
    assert client.get(f"/grupper/{group.pk}/").status_code == 404
    assert group.name not in client.get("/grupper/").content.decode()


def _many(group, coordinator, person, north_person, decide, count):
    monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
    _sessions(group, coordinator, monday - datetime.timedelta(weeks=3), weeks=count)
    for i, session in enumerate(GroupSession.objects.filter(group=group)):
        session.staff.add(coordinator)
        Attendance.objects.get_or_create(
            session=session,
            person=person,
            defaults={"present": bool(i % 2), "recorded_by": coordinator},
        )


def test_the_group_pages_keep_a_constant_number_of_queries(
    group, coordinator, person, north_person, decide, login
):
    decide(person, "grant")
    actions.add_participant(user=coordinator, group=group, person=person)
    client = login(coordinator)
    _many(group, coordinator, person, north_person, decide, 1)
    urls = [f"/grupper/{group.pk}/", "/grupper/", "/"]
    few = {url: _queries(client, url) for url in urls}
    _many(group, coordinator, person, north_person, decide, 6)
    assert GroupSession.objects.count() > 15
    assert {url: _queries(client, url) for url in urls} == few


def test_a_coordinator_creates_a_group_in_their_team_only(coordinator, org, login):
    client = login(coordinator)
    data = {
        "name": "Eftermiddagsgruppen",
        "weekday_choice": ["0", "2", "3"],
        "start_time": "14:00",
        "duration_minutes": "60",
    }
    client.post("/grupper/ny/", {**data, "unit": org["south"].pk})
    assert not Group.objects.exists()
    response = client.post("/grupper/ny/", {**data, "unit": org["north"].pk})
    group = Group.objects.get()
    assert response["Location"] == f"/grupper/{group.pk}/"
    assert (group.weekday_numbers, group.unit, group.created_by) == (
        [0, 2, 3],
        org["north"],
        coordinator,
    )

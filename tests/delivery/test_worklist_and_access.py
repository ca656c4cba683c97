"""The coordinator's worklist, the person-page section, who may do what, and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from delivery import actions
from delivery.models import Note, VisitStatus
from tests.factories import CaseFactory, CaseStaffFactory, PersonFactory


def _today_at(hour, days=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _fill(person, user, life_area, n):
    """n of each: visits today, held visits with homework, old drafts; an overdue plan."""
    for i in range(n):
        actions.plan_visit(user=user, person=person, planned_at=_today_at(8 + i), place="Hemma")
        held = actions.plan_visit(
            user=user,
            person=person,
            planned_at=_today_at(9, days=-7 - i),
            place="Hemma",
            status=VisitStatus.HELD,
        )
        actions.give_homework(user=user, visit=held, text=f"Uppgift {i}")
        note = actions.create_note(
            user=user, person=person, happened_on=timezone.localdate(), text=f"Utkast {i}"
        )
        Note.objects.filter(pk=note.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=2)
        )
        signed = actions.create_note(
            user=user, person=person, happened_on=timezone.localdate(), text=f"Signerad {i}"
        )
        actions.sign_note(user=user, note=signed)
    plan = actions.create_plan(
        user=user,
        person=person,
        visit_frequency="Varje vecka",
        agreed_on=timezone.localdate() - datetime.timedelta(days=100),
        agreed_how="Vid besök",
        next_follow_up=timezone.localdate() - datetime.timedelta(days=1),
    )
    actions.add_goal(user=user, plan=plan, life_area=life_area, text="Mål")


def test_the_worklist_shows_each_kind_of_row_with_a_link(person, coordinator, life_area, login):
    _fill(person, coordinator, life_area, 1)
    page = login(coordinator).get("/").content.decode()
    homework = person.visits.get(status="held").homework.get()
    draft = Note.objects.get(signed_at__isnull=True)
    today_visit = person.visits.get(status="planned")
    assert f"/genomforande/besok/{today_visit.pk}/" in page
    assert f"/genomforande/hemuppgift/{homework.pk}/uppfoljning/" in page
    assert f"/genomforande/plan/{person.plans.get().pk}/" in page
    # The draft opens on its own page, where it is signed (or edited first).
    assert f"/genomforande/anteckning/{draft.pk}/signera/" in page


def test_the_worklist_leaves_out_fresh_drafts_and_other_peoples_work(
    person, coordinator, colleague, login
):
    fresh = actions.create_note(
        user=coordinator, person=person, happened_on=timezone.localdate(), text="Ny"
    )
    assert f"#note-{fresh.pk}-heading" not in login(coordinator).get("/").content.decode()
    actions.plan_visit(user=coordinator, person=person, planned_at=_today_at(23), place="X")
    assert "/genomforande/besok/" not in login(colleague).get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "person"])
def test_queries_do_not_grow_with_the_amount_of_work(
    path, org, person, coordinator, life_area, login, django_assert_max_num_queries
):
    url = f"/personer/{person.pk}/" if path == "person" else "/"
    client = login(coordinator)
    _fill(person, coordinator, life_area, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    other = PersonFactory()
    case = CaseFactory(person=other, authority_unit=org["authority"], provider_unit=org["north"])
    CaseStaffFactory(case=case, user=coordinator)
    _fill(person, coordinator, life_area, 6)
    _fill(other, coordinator, life_area, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_person_section_links_to_plan_visits_and_journal(person, coordinator, login):
    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()
    assert f"/genomforande/person/{person.pk}/journal/" in page
    assert f"/genomforande/person/{person.pk}/besok/" in page
    assert f"/genomforande/person/{person.pk}/plan/" in page


def test_an_officer_reads_but_does_not_write(person, officer, signed, login):
    client = login(officer)
    assert client.get(f"/genomforande/person/{person.pk}/journal/").status_code == 200
    response = client.post(
        f"/genomforande/person/{person.pk}/journal/ny/",
        {"happened_on": "2026-03-02", "text": "Handläggaren"},
    )
    assert response.status_code == 403
    assert (
        client.post(f"/genomforande/anteckning/{signed.pk}/rattelse/", {"text": "x"}).status_code
        == 403
    )
    assert Note.objects.count() == 1


def test_reading_with_a_reason_is_read_only(person, colleague, login):
    from people.access import grant_reasoned_access

    grant_reasoned_access(user=colleague, person=person, reason="Vikarierar")
    client = login(colleague)
    assert client.get(f"/genomforande/person/{person.pk}/besok/").status_code == 200
    response = client.post(
        f"/genomforande/person/{person.pk}/besok/nytt/",
        {"kind": "visit", "day": "2026-03-04", "time": "13:00", "place": "X", "status": "planned"},
    )
    assert response.status_code == 403
    assert not person.visits.exists()


def test_roles_without_case_work_are_refused(person, analyst, meeting_staff, administrator, login):
    for user in (analyst, meeting_staff, administrator):
        client = login(user)
        assert client.get(f"/genomforande/person/{person.pk}/journal/").status_code == 403
        assert client.get(f"/genomforande/person/{person.pk}/plan/").status_code == 403


def test_reading_the_visits_page_and_a_visit_is_logged(person, coordinator, login):
    visit = actions.plan_visit(
        user=coordinator, person=person, planned_at=_today_at(10), place="Hemma"
    )
    client = login(coordinator)
    client.get(f"/genomforande/person/{person.pk}/besok/")
    client.get(f"/genomforande/besok/{visit.pk}/")
    reads = AccessLogEntry.objects.filter(person_id=person.pk, action="read", user=coordinator)
    assert reads.filter(record_type="visits").exists()
    assert reads.filter(record_type="visit", record_id=str(visit.pk)).exists()

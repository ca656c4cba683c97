"""Issue 5's worklist, item by item: each row is on the coordinator's start page and leads to
the page where the work is done (a page with a form, or the action's button)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from delivery import actions
from delivery.models import Note, VisitStatus
from provision.closure import close_case
from provision.models import FollowUp
from tests import factories
from tests.factories import CaseFactory, PersonFactory, SupportKindFactory


def _at(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def week_of_work(person, coordinator, officer, org, life_area):
    today = timezone.localdate()
    rows = {}
    rows["today"] = actions.plan_visit(
        user=coordinator, person=person, planned_at=_at(0, 23), place="Hemma"
    )
    # Later this week, unless today is Sunday: then nothing later is "this week".
    if today.weekday() < 6:
        rows["week"] = actions.plan_visit(
            user=coordinator, person=person, planned_at=_at(1), place="Hemma"
        )
    rows["unrecorded"] = actions.plan_visit(
        user=coordinator, person=person, planned_at=_at(-3), place="Kontoret"
    )
    held = actions.plan_visit(
        user=coordinator,
        person=person,
        planned_at=_at(-7),
        place="Hemma",
        status=VisitStatus.HELD,
    )
    rows["homework"] = actions.give_homework(user=coordinator, visit=held, text="Handla mjölk")
    rows["plan"] = actions.create_plan(
        user=coordinator,
        person=person,
        visit_frequency="Varje vecka",
        agreed_on=today - datetime.timedelta(days=60),
        agreed_how="Vid besök",
        next_follow_up=today - datetime.timedelta(days=1),
    )
    draft = actions.create_note(user=coordinator, person=person, happened_on=today, text="Utkast")
    Note.objects.filter(pk=draft.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    rows["draft"] = draft
    # A new order for the provider, and a closed case whose 6-month follow-up is due.
    newcomer = PersonFactory()
    case = CaseFactory(person=newcomer, authority_unit=org["authority"])
    kind = SupportKindFactory()
    decision = factories.decision(case, kind, officer, today)
    rows["order"] = factories.order(decision, org["north"], officer)
    leaver = PersonFactory()
    closed = CaseFactory(person=leaver, authority_unit=org["authority"], provider_unit=org["north"])
    closure = close_case(
        user=coordinator,
        case=closed,
        reason="goals_reached",
        occupation="work",
        isolation="none",
        follow_up_consent=True,
        closed_on=today - datetime.timedelta(days=200),
    )
    rows["follow_up"] = FollowUp.objects.get(closure=closure, months=6)
    return rows


def test_every_item_of_the_worklist_leads_to_where_the_work_is_done(
    person, coordinator, week_of_work, login
):
    client = login(coordinator)
    page = client.get("/").content.decode()
    rows = week_of_work
    # Each item: the link on the start page, and what the page it leads to lets one do.
    targets = {
        "today's visit": (f"/genomforande/besok/{rows['today'].pk}/", "/andra/"),
        "past visit without outcome": (
            f"/genomforande/besok/{rows['unrecorded'].pk}/andra/",
            'name="status"',
        ),
        "homework to follow up": (
            f"/genomforande/hemuppgift/{rows['homework'].pk}/uppfoljning/",
            'name="result"',
        ),
        "plan past its follow-up": (
            f"/genomforande/plan/{rows['plan'].pk}/",
            f"/genomforande/person/{person.pk}/plan/ny/",
        ),
        "unsigned note older than a day": (
            f"/genomforande/anteckning/{rows['draft'].pk}/signera/",
            'name="confirm"',
        ),
        "new order": (f"/uppdrag/{rows['order'].pk}/", 'name="coordinator"'),
        "follow-up due": (f"/uppdrag/uppfoljning/{rows['follow_up'].pk}/", 'name="status"'),
    }
    if "week" in rows:
        targets["this week's visit"] = (f"/genomforande/besok/{rows['week'].pk}/", "/andra/")
    for item, (url, work) in targets.items():
        assert f'href="{url}"' in page, item
        target = client.get(url.split("#")[0])
        assert target.status_code == 200, item
        assert work in target.content.decode(), item


def test_a_past_visit_leaves_the_worklist_once_its_outcome_is_recorded(
    person, coordinator, week_of_work, login
):
    visit = week_of_work["unrecorded"]
    client = login(coordinator)
    assert f"/genomforande/besok/{visit.pk}/andra/" in client.get("/").content.decode()
    visit.status = VisitStatus.CANCELLED_BY_PERSON
    visit.save()
    assert f"/genomforande/besok/{visit.pk}/andra/" not in client.get("/").content.decode()


def test_another_teams_coordinator_does_not_see_the_past_visit(colleague, week_of_work, login):
    visit = week_of_work["unrecorded"]
    assert f"/genomforande/besok/{visit.pk}/" not in login(colleague).get("/").content.decode()

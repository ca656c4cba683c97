"""The implementation plan: goals and sub-goals per life area; a revision is a new version,
earlier versions are frozen and readable; goal reviews form a history per goal."""

from __future__ import annotations

import datetime

import pytest

from delivery import actions
from delivery.models import Goal, Plan, SupersededPlanError
from tests.delivery.conftest import MONDAY


def _plan(person, user, **extra):
    fields = {
        "visit_frequency": "Varje vecka",
        "agreed_on": MONDAY,
        "agreed_how": "Vid besök",
        "next_follow_up": MONDAY + datetime.timedelta(days=90),
    } | extra
    return actions.create_plan(user=user, person=person, **fields)


def test_a_plan_is_made_with_goals_and_sub_goals_through_the_pages(
    person, coordinator, life_area, login
):
    client = login(coordinator)
    response = client.post(
        f"/genomforande/person/{person.pk}/plan/ny/",
        {
            "visit_frequency": "Varje vecka",
            "agreed_on": "2026-03-02",
            "agreed_how": "Vid besök",
            "next_follow_up": "2026-06-01",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(person=person)
    client.post(
        f"/genomforande/plan/{plan.pk}/mal/nytt/",
        {"life_area": life_area.pk, "text": "Handla själv", "by_whom": "Samordnaren"},
    )
    goal = Goal.objects.get(plan=plan)
    client.post(
        f"/genomforande/plan/{plan.pk}/mal/nytt/",
        {"parent": goal.pk, "life_area": life_area.pk, "text": "Gå till affären"},
    )
    sub = Goal.objects.get(parent=goal)
    page = client.get(f"/genomforande/person/{person.pk}/plan/").content.decode()
    assert "Handla själv" in page and "Gå till affären" in page
    assert sub.plan == plan


def test_a_revision_is_a_new_version_and_the_earlier_one_is_frozen(
    person, coordinator, life_area, login
):
    first = _plan(person, coordinator)
    goal = actions.add_goal(user=coordinator, plan=first, life_area=life_area, text="Mål A")
    actions.add_goal(user=coordinator, plan=first, life_area=life_area, text="Delmål", parent=goal)
    second = _plan(person, coordinator, visit_frequency="Varannan vecka")
    assert second.version == 2
    copies = list(second.goals.all())
    assert {g.text for g in copies} == {"Mål A", "Delmål"}
    copied_goal = next(g for g in copies if g.parent_id is None)
    assert next(g for g in copies if g.parent_id).parent == copied_goal
    assert copied_goal.lineage == goal.lineage

    first.refresh_from_db()
    first.visit_frequency = "Ändrad"
    with pytest.raises(SupersededPlanError):
        first.save()
    with pytest.raises(SupersededPlanError):
        actions.add_goal(user=coordinator, plan=first, life_area=life_area, text="Sent")
    goal.text = "Ändrad"
    with pytest.raises(SupersededPlanError):
        goal.save()

    client = login(coordinator)
    old_page = client.get(f"/genomforande/plan/{first.pk}/")
    assert old_page.status_code == 200 and "Mål A" in old_page.content.decode()
    assert client.get(f"/genomforande/plan/{first.pk}/mal/nytt/").status_code == 403
    assert client.get(f"/genomforande/mal/{goal.pk}/utvardering/").status_code == 403


def test_goal_reviews_form_a_history_that_follows_the_goal_through_revisions(
    person, coordinator, life_area, login
):
    first = _plan(person, coordinator)
    goal = actions.add_goal(user=coordinator, plan=first, life_area=life_area, text="Mål A")
    actions.review_goal(
        user=coordinator, goal=goal, reviewed_on=MONDAY, outcome="not_achieved", comment="Ej än"
    )
    second = _plan(person, coordinator)
    carried = second.goals.get()
    client = login(coordinator)
    response = client.post(
        f"/genomforande/mal/{carried.pk}/utvardering/",
        {"reviewed_on": "2026-06-01", "outcome": "partly", "comment": "På väg"},
    )
    assert response.status_code == 302
    history = list(actions.goal_history(carried))
    assert [r.outcome for r in history] == ["partly", "not_achieved"]
    page = client.get(f"/genomforande/plan/{second.pk}/").content.decode()
    assert "Ej än" in page and "På väg" in page

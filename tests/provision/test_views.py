"""The provider's pages through the client: who may do what, and the worklist rows."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from people.models import CaseStaff, CaseStatus
from provision.closure import close_case
from provision.models import FollowUp, FollowUpStatus, OrderStatus
from tests.factories import CaseStaffFactory


def test_coordinator_accepts_an_order_in_the_ui(make_order, coordinator, login, org):
    order = make_order()
    client = login(coordinator)
    assert client.get("/uppdrag/").context["orders"] == [order]

    response = client.post(f"/uppdrag/{order.pk}/", {"coordinator": coordinator.pk})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert CaseStaff.objects.filter(case=order.case, user=coordinator).exists()


def test_coordinator_cannot_confirm_beyond_the_ceiling_in_the_ui(
    make_order, coordinator, login, load_up, manager
):
    load_up(coordinator, 8)
    order = make_order()
    data = {"coordinator": coordinator.pk, "confirm_beyond_ceiling": "on"}
    response = login(coordinator).post(f"/uppdrag/{order.pk}/", data)
    assert response.status_code == 200 and response.context["form"].errors
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW

    assert login(manager).post(f"/uppdrag/{order.pk}/", data).status_code == 302


def test_another_teams_coordinator_may_not_accept(make_order, colleague, coordinator, login, org):
    order = make_order(unit=org["north"])
    response = login(colleague).post(f"/uppdrag/{order.pk}/", {"coordinator": coordinator.pk})
    # The person is not theirs and the order not their team's: a reason first, then read only.
    assert response["Location"].split("?")[0] == f"/personer/{order.person_id}/skal/"
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_the_officer_reads_the_order_but_cannot_accept(
    make_order, officer, coordinator, login, org
):
    order = make_order(unit=org["north"])
    CaseStaffFactory(case=order.case, user=officer, role="officer")
    client = login(officer)
    assert client.get(f"/uppdrag/{order.pk}/").context["form"] is None
    assert client.post(f"/uppdrag/{order.pk}/", {"coordinator": coordinator.pk}).status_code == 403


def test_the_analyst_sees_no_provider_page(make_order, analyst, login, person):
    order = make_order()
    client = login(analyst)
    for url in (
        "/uppdrag/",
        f"/uppdrag/{order.pk}/",
        "/uppdrag/kapacitet/",
        "/uppdrag/omfordela/",
        f"/uppdrag/person/{person.pk}/avsluta/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_protected_persons_name_is_hidden_until_named(make_order, coordinator, login):
    order = make_order()
    order.person.protected_identity = True
    order.person.save()
    response = login(coordinator).get(f"/uppdrag/{order.pk}/")
    assert response.status_code == 200
    assert order.person.last_name not in response.content.decode()


def test_manager_reassigns_in_the_ui(make_order, coordinator, colleague, manager, login):
    order = make_order()
    login(manager).post(f"/uppdrag/{order.pk}/", {"coordinator": coordinator.pk})
    choice = {"from_user": coordinator.pk, "to_user": colleague.pk}
    preview = login(manager).post("/uppdrag/omfordela/", choice)
    assert preview.status_code == 200  # shown first; nothing moves unseen
    assert CaseStaff.objects.get(case=order.case, role="coordinator").user == coordinator
    confirmed = {**choice, "confirm": "1", "previewed": preview.context["previewed"]}
    response = login(manager).post("/uppdrag/omfordela/", confirmed)
    assert response.status_code == 302
    assert CaseStaff.objects.get(case=order.case, role="coordinator").user == colleague
    history = login(manager).get("/uppdrag/kapacitet/").context["history"]
    assert [event.kind for event in history] == ["reassigned", "assigned"]


def test_closing_in_the_ui_requires_reason_and_situation(person, coordinator, login):
    client = login(coordinator)
    url = f"/uppdrag/person/{person.pk}/avsluta/"
    response = client.post(url, {"follow_up_consent": "yes"})
    assert response.status_code == 200
    assert {"reason", "occupation", "isolation"} <= set(response.context["form"].errors)

    data = {
        "reason": "other_support",
        "occupation": "work",
        "isolation": "none",
        "follow_up_consent": "no",
    }
    assert client.post(url, data).status_code == 302
    assert person.cases.get().status == CaseStatus.CLOSED
    assert not FollowUp.objects.exists()


def test_due_follow_ups_appear_on_the_worklist_and_are_recorded(
    person, coordinator, manager, colleague, login
):
    today = timezone.localdate()
    closure = close_case(
        user=coordinator,
        case=person.cases.get(),
        reason="goals_reached",
        occupation="none",
        isolation="partly",
        follow_up_consent=True,
        closed_on=today - datetime.timedelta(days=200),
    )
    due = closure.follow_ups.get(months=6)

    for user in (coordinator, manager):
        rows = [s for s in login(user).get("/").context["worklists"] if "follow_ups" in s]
        assert [f.pk for f in rows[0]["follow_ups"]] == [due.pk]  # not the 12-month one
    other = [s for s in login(colleague).get("/").context["worklists"] if "follow_ups" in s]
    assert other[0]["follow_ups"] == []

    client = login(coordinator)
    response = client.post(f"/uppdrag/uppfoljning/{due.pk}/", {"status": "no_answer"})
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.status == FollowUpStatus.NO_ANSWER
    rows = [s for s in client.get("/").context["worklists"] if "follow_ups" in s]
    assert rows[0]["follow_ups"] == []


def test_new_orders_appear_on_the_coordinators_worklist(
    make_order, coordinator, colleague, login, org
):
    mine = make_order(unit=org["north"])
    parent = make_order()  # addressed to the provider unit that the team is part of
    make_order(unit=org["south"])

    rows = [s for s in login(coordinator).get("/").context["worklists"] if "new_orders" in s]
    assert {o.pk for o in rows[0]["new_orders"]} == {mine.pk, parent.pk}


def test_manager_worklist_shows_the_waiting_list(make_order, manager, login):
    make_order(decided_on=timezone.localdate() - datetime.timedelta(days=12))
    make_order(decided_on=timezone.localdate() - datetime.timedelta(days=3))
    rows = [s for s in login(manager).get("/").context["worklists"] if "waiting_count" in s]
    assert rows[0]["waiting_count"] == 2 and rows[0]["longest_wait"] == 12


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_person_page_shows_orders_and_closure(who, person, coordinator, manager, login, request):
    close_case(
        user=coordinator,
        case=person.cases.get(),
        reason="goals_reached",
        occupation="studies",
        isolation="none",
        follow_up_consent=True,
    )
    response = login(request.getfixturevalue(who)).get(f"/personer/{person.pk}/")
    assert response.status_code == 200
    assert any("closures" in s for s in response.context["sections"])


def test_the_person_page_shows_each_order_once_with_its_decision(
    make_order, person, officer, coordinator, login
):
    order = make_order(person=person)
    for user in (officer, coordinator):
        html = login(user).get(f"/personer/{person.pk}/").content.decode()
        assert html.count(f"/uppdrag/{order.pk}/") == 1
        # The decision is linked from its application, the decisions table and the order.
        link = f'<a href="/beslut/{order.decision.pk}/">{order.decision.number}</a>'
        assert html.count(link) == 3
        assert "Orders to the provider" not in html


def test_the_hints_name_the_reason_as_the_form_shows_it(person, coordinator, login, settings):
    """The choice is shown as "Övrigt": the hint and the refusal say "Övrigt", not "annat"."""
    settings.LANGUAGE_CODE = "sv"
    client = login(coordinator)
    url = f"/uppdrag/person/{person.pk}/avsluta/"

    page = client.get(url).content.decode()
    assert "Övrigt" in page
    assert "Krävs när ”Övrigt” är valt." in page
    assert "”annat”" not in page

    data = {"reason": "other", "occupation": "work", "isolation": "none"}
    refused = client.post(url, {**data, "follow_up_consent": "no"}).content.decode()
    assert "Beskriv skälet när det är ”Övrigt”." in refused


def test_the_follow_up_hints_name_the_outcome_as_shown(person, coordinator, login, settings):
    settings.LANGUAGE_CODE = "sv"
    closure = close_case(
        user=coordinator,
        case=person.cases.get(),
        reason="goals_reached",
        reason_text="",
        occupation="work",
        isolation="none",
        follow_up_consent=True,
    )
    follow_up = closure.follow_ups.get(months=6)

    page = login(coordinator).get(f"/uppdrag/uppfoljning/{follow_up.pk}/").content.decode()

    assert "Gjord" in page
    assert "Krävs när ”Gjord” är valt." in page

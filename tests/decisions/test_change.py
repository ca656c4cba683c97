"""Changing a decision: the change starts from the earlier decision's text, replaces it from the
day it starts, and the provider's order goes on under it. Nothing is left twice: not the order,
not the person on the provider's lists, not the person in the statistics."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from decisions import actions
from decisions.models import Decision, DecisionKind, Outcome
from people.models import CaseStaff
from provision.actions import accept_order, capacity, waiting_list
from provision.models import Order, OrderStatus
from reports import figures
from reports.capacity import gather
from submissions.resend import FIELD
from tests.resent import assert_answered_with_the_first, send_twice, token_on
from tests.threads import at_once

from .conftest import DAY

d = datetime.date
TODAY = d(2026, 12, 6)


@pytest.fixture
def granted(decide, coordinator):
    """The first decision, a year's grant, its order accepted by the coordinator of North."""
    first = decide(
        content="Stöd för att bryta isolering, ett hembesök i veckan.",
        goals="Elin handlar själv en gång i veckan.",
        period_from=d(2026, 3, 9),
        period_to=d(2027, 3, 8),
    )
    accept_order(user=coordinator, order=first.order, coordinator=coordinator, today=d(2026, 3, 9))
    return first


def change_post(first, **overrides):
    data = {
        "outcome": "grant",
        "kind": "change",
        "replaces": str(first.pk),
        "content": "Stöd för att bryta isolering, två hembesök i veckan.",
        "decided_on": "2026-06-01",
        "period_from": "2026-06-08",
        "period_to": "2027-03-08",
        "reasons": "",
        "goals": "Elin handlar själv och går till träffpunkten.",
        "participants": "",
    }
    data.update(overrides)
    return data


def change_url(first) -> str:
    return f"/beslut/ansokan/{first.application_id}/beslut/?andrar={first.pk}"


def in_force(person) -> list[Order]:
    return list(Order.objects.filter(person=person).exclude(status=OrderStatus.ENDED))


# Starting a change


def test_the_change_form_starts_from_the_earlier_decision_and_says_which_it_changes(
    login, officer, granted
):
    page = html.unescape(login(officer).get(change_url(granted)).content.decode())
    assert f"Change decision {granted.number}" in page
    assert f"refers to decision {granted.number} of 2026-03-02" in page
    # The earlier decision's text, goals and period end are filled in: the officer edits them.
    assert "Stöd för att bryta isolering, ett hembesök i veckan.</textarea>" in page
    assert "Elin handlar själv en gång i veckan.</textarea>" in page
    assert 'value="2027-03-08"' in page
    assert f'<option value="{granted.pk}" selected>' in page
    assert 'value="change" id="id_kind_2" required checked' in page
    # The change runs from today, not from the earlier start.
    assert f'name="period_from" value="{timezone.localdate():%Y-%m-%d}"' in page


def test_the_reasons_of_an_earlier_partial_grant_are_carried_over(
    login, officer, decide, communicated
):
    first = decide(outcome=Outcome.PARTIAL, reasons="Ett besök i veckan räcker för att börja.")
    page = html.unescape(login(officer).get(change_url(first)).content.decode())
    assert "Ett besök i veckan räcker för att börja.</textarea>" in page
    assert 'value="partial" id="id_outcome_1" required checked' in page


def test_a_change_link_to_another_persons_decision_fills_in_nothing(
    login, officer, granted, decide, kind, org
):
    from tests.factories import CaseFactory, PersonFactory

    other = PersonFactory()
    theirs = decide(
        application=actions.create_application(
            user=officer,
            person=other,
            case=CaseFactory(person=other, authority_unit=org["authority"]),
            support_kind=kind,
            applied_on=d(2026, 1, 5),
            form="oral",
            what="x",
        ),
        content="Någon annans beslut.",
    )
    client = login(officer)
    for earlier in (theirs.pk, "not-a-uuid"):
        url = f"/beslut/ansokan/{granted.application_id}/beslut/?andrar={earlier}"
        page = client.get(url)
        assert page.status_code == 200
        assert "Change decision" not in page.content.decode()
        assert "Någon annans beslut." not in page.content.decode()


# Making the change: one order in force, the old decision replaced


def test_after_the_change_exactly_one_order_is_in_force_and_it_is_not_accepted_again(
    login, officer, coordinator, granted, person
):
    client = login(officer)
    response = client.post(change_url(granted), change_post(granted))
    change = Decision.objects.get(replaces=granted)
    assert response["Location"] == f"/beslut/{change.pk}/"
    orders = in_force(person)
    assert len(orders) == 1
    order = orders[0]
    assert order.decision == change
    # It goes on as accepted, from the day the support began, with the change's goals and end.
    assert order.status == OrderStatus.ACCEPTED
    assert order.accepted_on == d(2026, 3, 9)
    assert order.goals == "Elin handlar själv och går till träffpunkten."
    assert (order.period_from, order.period_to) == (d(2026, 3, 9), d(2027, 3, 8))
    assert order.replaces == granted.order
    assert Order.objects.get(decision=granted).status == OrderStatus.ENDED
    # Nothing for the provider to accept again: the inbox and the start page are empty.
    coordinator_client = login(coordinator)
    inbox = coordinator_client.get("/uppdrag/").content.decode()
    assert person.last_name not in inbox
    assert CaseStaff.objects.filter(case__person=person, user=coordinator).exists()


def test_the_old_decision_shows_as_replaced_on_its_page_the_person_page_and_the_timeline(
    login, officer, granted, person
):
    client = login(officer)
    client.post(change_url(granted), change_post(granted))
    change = Decision.objects.get(replaces=granted)
    replaced = f"Replaced by decision {change.number} from 2026-06-08"

    old_page = html.unescape(client.get(f"/beslut/{granted.pk}/").content.decode())
    assert replaced in old_page
    assert "the order goes on under decision " + change.number in old_page
    assert f"?andrar={granted.pk}" not in old_page  # changes are made from the change
    new_page = html.unescape(client.get(f"/beslut/{change.pk}/").content.decode())
    assert "this decision replaces it from 2026-06-08" in new_page
    assert f"The order under decision {granted.number}" in new_page

    person_page = html.unescape(client.get(f"/personer/{person.pk}/").content.decode())
    assert replaced in person_page
    assert f"goes on under decision {change.number}" in person_page

    timeline = html.unescape(client.get(f"/tidslinje/person/{person.pk}/").content.decode())
    assert f"replaced by decision {change.number} from 2026-06-08" in timeline
    assert f"changes decision {granted.number}" in timeline
    assert timeline.count("Order accepted by") == 1  # accepted once, under the first decision


def test_the_provider_sees_the_change_on_the_order(login, officer, coordinator, granted):
    login(officer).post(change_url(granted), change_post(granted))
    change = Decision.objects.get(replaces=granted)
    client = login(coordinator)
    old = html.unescape(client.get(f"/uppdrag/{granted.order.pk}/").content.decode())
    assert f"the order goes on under decision {change.number}" in old
    new = html.unescape(client.get(f"/uppdrag/{change.order.pk}/").content.decode())
    assert f"The order under decision {granted.number}: from 2026-06-08" in new
    assert "Accept the order" not in new


def test_an_order_not_yet_accepted_is_replaced_by_one_still_to_accept(decide, person):
    first = decide()
    change = decide(replaces=first, decided_on=d(2026, 4, 1), period_from=d(2026, 4, 6))
    orders = in_force(person)
    assert [o.decision for o in orders] == [change]
    assert orders[0].status == OrderStatus.NEW
    assert Order.objects.get(decision=first).status == OrderStatus.ENDED


def test_a_changed_decision_is_not_changed_a_second_time(decide, granted, person):
    change = decide(replaces=granted, decided_on=d(2026, 6, 1), period_from=d(2026, 6, 8))
    with pytest.raises(ValidationError) as error:
        decide(replaces=granted, decided_on=d(2026, 6, 2), period_from=d(2026, 6, 9))
    message = " ".join(error.value.message_dict["replaces"])
    assert f"already been replaced by decision {change.number}" in message
    assert Decision.objects.filter(replaces=granted).count() == 1
    assert len(in_force(person)) == 1
    # The change itself may be changed: its order goes on again.
    again = decide(replaces=change, decided_on=d(2026, 6, 2), period_from=d(2026, 6, 9))
    assert [o.decision for o in in_force(person)] == [again]
    assert in_force(person)[0].status == OrderStatus.ACCEPTED


def test_the_change_form_sent_twice_makes_one_change(login, officer, granted, person):
    client = login(officer)
    url = change_url(granted)
    first, second = send_twice(client, url, change_post(granted), token_on(client.get(url)))
    assert Decision.objects.filter(replaces=granted).count() == 1
    assert len(in_force(person)) == 1
    assert_answered_with_the_first(client, first, second)


def test_a_second_change_from_a_stale_page_is_refused_on_the_form(login, officer, granted):
    client = login(officer)
    url = change_url(granted)
    stale = token_on(client.get(url))
    client.post(url, change_post(granted))  # another tab, or another officer

    again = client.post(url, {**change_post(granted, decided_on="2026-06-02"), FIELD: stale})
    assert again.status_code == 200
    assert "already been replaced by decision" in html.unescape(again.content.decode())
    assert Decision.objects.filter(replaces=granted).count() == 1


# A rejected change: the rules for a rejection, and the earlier decision stays


def test_a_rejected_change_needs_communication_and_reasons_and_leaves_the_earlier_in_force(
    decide, granted, person, communicate
):
    with pytest.raises(ValidationError) as error:
        decide(
            replaces=granted,
            outcome=Outcome.REJECTION,
            reasons="Två besök i veckan behövs inte.",
            decided_on=d(2026, 6, 1),
            period_from=None,
            period_to=None,
        )
    assert "FL 25" in " ".join(error.value.message_dict["outcome"])
    communicate(granted.application)
    with pytest.raises(ValidationError) as error:
        decide(
            replaces=granted,
            outcome=Outcome.REJECTION,
            reasons="",
            decided_on=d(2026, 6, 1),
            period_from=None,
            period_to=None,
        )
    assert "FL 32" in " ".join(error.value.message_dict["reasons"])
    rejected = decide(
        replaces=granted,
        outcome=Outcome.REJECTION,
        reasons="Två besök i veckan behövs inte.",
        decided_on=d(2026, 6, 1),
        period_from=None,
        period_to=None,
    )
    assert rejected.appealable  # the letter carries the appeal instruction
    assert [o.decision for o in in_force(person)] == [granted]
    assert figures.ongoing_decisions(d(2026, 7, 1)) == 1
    # The earlier decision is still the one to change.
    assert decide(replaces=granted, decided_on=d(2026, 6, 2)).replaces == granted


# Statistics: a change is no new person, no new order, no second place


def test_a_change_does_not_count_twice_in_the_statistics(decide, granted, manager, person):
    decide(
        replaces=granted,
        decided_on=d(2026, 6, 1),
        period_from=d(2026, 6, 8),
        period_to=d(2026, 9, 30),
    )
    # The provider's places and waiting list: one person in support, no one waiting.
    figures_now = capacity(manager, TODAY - datetime.timedelta(days=100))
    used = {kind.pk: kind.used for kind in figures_now["kinds"]}
    assert used == {granted.support_kind_id: 1}
    assert waiting_list(manager, TODAY) == []
    # The forecast's newly granted people.
    data = gather({granted.order.provider_unit_id}, [], TODAY)
    assert data["granted"] == {granted.support_kind_id: 1}
    assert data["waiting"] == {}
    assert len(data["ongoing"][granted.support_kind_id]) == 1
    # New people and people in support: one.
    assert figures.new_people_per_year(d(2026, 1, 1), d(2026, 12, 31)) == {2026: 1}
    assert figures.people_in_support(d(2026, 1, 1), d(2026, 12, 31)) == 1
    # The change ended the support on 2026-09-30: the earlier decision's longer period no
    # longer keeps the person among the ongoing decisions.
    assert figures.ongoing_decisions(d(2026, 7, 1)) == 1
    assert figures.ongoing_decisions(d(2026, 11, 1)) == 0


# Two officers changing the same decision at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("law_in_force")
def test_two_officers_changing_the_same_decision_at_once_give_one_change_and_one_order(
    officer, application, delegation, person
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    first = actions.issue_decision(
        officer=officer,
        application=application,
        outcome=Outcome.GRANT,
        content="Ett besök i veckan.",
        decided_on=DAY,
        period_from=d(2026, 3, 9),
        period_to=d(2027, 3, 8),
    )

    def change():
        return actions.issue_decision(
            officer=officer,
            application=application,
            outcome=Outcome.GRANT,
            kind=DecisionKind.CHANGE,
            replaces=first,
            content="Två besök i veckan.",
            decided_on=d(2026, 6, 1),
            period_from=d(2026, 6, 8),
            period_to=d(2027, 3, 8),
        )

    def outcome(result):
        if isinstance(result, Decision):
            return result.number
        if isinstance(result, ValidationError) and "already been replaced" in str(result):
            return "refused"
        return repr(result)

    outcomes = [outcome(result) for result in at_once(3, change)]

    assert sorted(outcomes) == ["B-2026-0002", "refused", "refused"]
    assert Decision.objects.filter(replaces=first).count() == 1
    assert Order.objects.exclude(status=OrderStatus.ENDED).count() == 1


def test_ending_the_support_after_a_change_ends_the_order_that_goes_on(decide, granted, person):
    from decisions.ending import end_decision

    change = decide(replaces=granted, decided_on=d(2026, 6, 1), period_from=d(2026, 6, 8))
    with pytest.raises(ValidationError):  # the changed decision is no longer the one in force
        end_decision(
            officer=granted.decided_by,
            decision=granted,
            ends_on=d(2026, 8, 31),
            reasons="Elin har flyttat.",
            at_own_request=True,
            decided_on=d(2026, 8, 1),
        )
    end_decision(
        officer=granted.decided_by,
        decision=change,
        ends_on=d(2026, 8, 31),
        reasons="Elin har flyttat.",
        at_own_request=True,
        decided_on=d(2026, 8, 1),
    )
    orders = Order.objects.filter(person=person)
    assert orders.get(decision=change).period_to == d(2026, 8, 31)
    assert orders.get(decision=granted).status == OrderStatus.ENDED
    with pytest.raises(ValidationError) as error:
        decide(replaces=change, decided_on=d(2026, 8, 2))
    assert "already been replaced" in " ".join(error.value.message_dict["replaces"])


def test_the_change_s_letter_says_which_decision_it_replaces_and_from_when(login, officer, granted):
    from decisions.letters import letter_html

    login(officer).post(change_url(granted), change_post(granted))
    change = Decision.objects.get(replaces=granted)
    text = " ".join(letter_html(change).split())
    assert (
        f"Beslutet ersätter beslut {granted.number} den {granted.decided_on:%Y-%m-%d} "
        f"från och med {change.starts_on:%Y-%m-%d}."
    ) in text
    assert "Beslutet ersätter" not in " ".join(letter_html(granted).split())

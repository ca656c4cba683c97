"""Closing a case leaves no loose ends: the closing page lists what is still open and what closing
does with each, and confirming settles it all. A decision running past the closing is ended by
an ending decision of its own, with a letter, by someone who may decide; a coordinator is told
that the authority must decide, and how."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from decisions import actions as decision_actions
from decisions.ending import end_decision
from decisions.letters import letter_pdf
from decisions.models import Decision, DecisionKind, Outcome
from delivery.models import Homework, HomeworkResult, Visit, VisitStatus
from groups.access import eligible_participants
from groups.models import Group, GroupParticipant
from people.models import CaseStaffRole, CaseStatus
from provision.closure import close_case, open_at_closing
from provision.models import Closure, Order, OrderStatus
from tests.factories import CaseStaffFactory, DelegationFactory
from tests.resent import assert_answered_with_the_first, send_twice, token_on

TODAY = timezone.localdate()
RUNS_TO = TODAY + datetime.timedelta(days=200)
CLOSE = {
    "reason": "declined",
    "occupation": "none",
    "isolation": "partly",
    "follow_up_consent": "no",
}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), timezone.get_current_timezone()
    )


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"(\w-)\s+(?=\w)", r"\1", re.sub(r"\s+", " ", text))


@pytest.fixture
def supported(org, person, officer, kind, coordinator):
    """Elin, with a granted decision running well past today, its order accepted, a visit
    with booked transport tomorrow, one that passed unrecorded, open homework and a group."""
    case = person.cases.get()
    CaseStaffFactory(case=case, user=officer, role=CaseStaffRole.OFFICER)
    DelegationFactory(user=officer, support_kind=kind, valid_from=datetime.date(2024, 1, 1))
    application = decision_actions.create_application(
        user=officer,
        person=person,
        case=case,
        support_kind=kind,
        applied_on=TODAY - datetime.timedelta(days=60),
        form="written",
        what="Stöd för att bryta isolering.",
    )
    decision = decision_actions.issue_decision(
        officer=officer,
        application=application,
        outcome=Outcome.GRANT,
        content="Stöd för att bryta isolering, ett besök i veckan.",
        decided_on=TODAY - datetime.timedelta(days=40),
        period_from=TODAY - datetime.timedelta(days=39),
        period_to=RUNS_TO,
        provider_unit=org["provider"],
    )
    Order.objects.filter(decision=decision).update(
        status=OrderStatus.ACCEPTED, accepted_on=TODAY - datetime.timedelta(days=30)
    )
    held = Visit.objects.create(
        person=person,
        planned_at=_at(TODAY - datetime.timedelta(days=7), 10),
        place="Hemma",
        status=VisitStatus.HELD,
        created_by=coordinator,
    )
    homework = Homework.objects.create(
        given_at=held, text="Gå till brevlådan varje dag", created_by=coordinator
    )
    passed = Visit.objects.create(
        person=person,
        planned_at=_at(TODAY - datetime.timedelta(days=1), 10),
        place="Biblioteket",
        created_by=coordinator,
    )
    ahead = Visit.objects.create(
        person=person,
        planned_at=_at(TODAY + datetime.timedelta(days=1), 9, 30),
        place="Vårdcentralen",
        transport=True,
        created_by=coordinator,
    )
    group = Group.objects.create(
        name="Onsdagsgruppen",
        unit=org["north"],
        weekdays="2",
        start_time=datetime.time(14),
        created_by=coordinator,
    )
    place = GroupParticipant.objects.create(group=group, person=person, added_by=coordinator)
    return {
        "case": case,
        "decision": decision,
        "homework": homework,
        "passed": passed,
        "ahead": ahead,
        "place": place,
    }


@pytest.fixture
def deciding_manager(manager, kind):
    DelegationFactory(user=manager, support_kind=kind, valid_from=datetime.date(2024, 1, 1))
    return manager


def _url(person) -> str:
    return f"/uppdrag/person/{person.pk}/avsluta/"


def test_the_closing_page_shows_each_open_item_and_what_happens_to_it(
    login, coordinator, person, supported
):
    page = login(coordinator).get(_url(person)).content.decode()

    assert "Vårdcentralen" in page and "(transport booked)" in page
    assert "Cancelled, and its transport marked cancelled" in page
    assert "Biblioteket" in page and "record whether it was held" in page
    assert "Gå till brevlådan varje dag" in page and "Withdrawn" in page
    assert "Onsdagsgruppen" in page and "the person leaves the group" in page
    assert "Order: Bryta isolering" in page
    assert supported["decision"].number in page
    assert f"in force to {RUNS_TO:%Y-%m-%d}" in page


def test_a_coordinator_is_told_the_authority_must_end_the_decision_and_how(
    login, coordinator, person, supported
):
    page = login(coordinator).get(_url(person)).content.decode()

    assert "Stays in force: you cannot end it." in page
    assert "made by the authority" in page
    assert "End the decision early" in page and "Myndigheten" in page
    assert 'name="ending_reasons"' not in page


def test_closing_cancels_the_planned_visit_and_its_transport_and_settles_the_rest(
    login, coordinator, person, supported
):
    response = login(coordinator).post(_url(person), CLOSE)
    assert response.status_code == 302

    ahead, passed = supported["ahead"], supported["passed"]
    ahead.refresh_from_db()
    passed.refresh_from_db()
    assert ahead.status == VisitStatus.CANCELLED_BY_STAFF and ahead.transport_cancelled
    assert passed.status == VisitStatus.PLANNED  # only the coordinator knows if it was held
    supported["homework"].refresh_from_db()
    assert supported["homework"].result == HomeworkResult.WITHDRAWN
    assert not GroupParticipant.objects.filter(pk=supported["place"].pk).exists()
    assert Order.objects.get(decision=supported["decision"]).status == OrderStatus.ENDED
    # The coordinator could not end the decision, and did not: it is for the authority.
    assert not Decision.objects.filter(kind=DecisionKind.ENDING).exists()
    assert Closure.objects.get().case.status == CaseStatus.CLOSED


def test_the_visit_page_shows_the_transport_cancelled(login, coordinator, person, supported):
    login(coordinator).post(_url(person), CLOSE)
    page = login(coordinator).get(f"/genomforande/besok/{supported['ahead'].pk}/")
    assert re.search(r"<dt>Transport</dt>\s*<dd>Cancelled</dd>", page.content.decode())


def test_a_decision_in_force_is_ended_by_an_ending_decision_with_a_letter(
    login, deciding_manager, person, supported
):
    data = {**CLOSE, "at_own_request": "no", "ending_reasons": "Elin har flyttat från kommunen."}
    page = login(deciding_manager).get(_url(person)).content.decode()
    assert 'name="ending_reasons"' in page and "Ended with" in page

    response = login(deciding_manager).post(_url(person), data)
    assert response.status_code == 302

    earlier = supported["decision"]
    ending = Decision.objects.get(kind=DecisionKind.ENDING)
    assert ending.replaces == earlier and ending.outcome == Outcome.ENDED
    assert ending.period_to == TODAY and ending.decided_on == TODAY
    assert ending.decided_by == deciding_manager and not ending.at_own_request
    assert ending.reasons == "Elin har flyttat från kommunen."
    assert ending.appealable
    text = _text(letter_pdf(ending))
    assert "upphör" in text and earlier.number in text
    assert "Elin har flyttat från kommunen." in text
    assert "Hur du överklagar" in text and "tre veckor" in text
    assert ending.legal_basis and ending.legal_basis in text
    # No longer in force after the closing: no group can take her on that decision.
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert not eligible_participants(deciding_manager, tomorrow).filter(pk=person.pk).exists()


def test_an_ending_at_the_persons_own_request_says_so_and_has_no_appeal_box(
    deciding_manager, person, supported
):
    close_case(
        user=deciding_manager,
        case=supported["case"],
        reason="declined",
        occupation="none",
        isolation="partly",
        follow_up_consent=False,
        at_own_request=True,
        ending_reasons="Elin vill inte ha stödet längre.",
    )
    ending = Decision.objects.get(kind=DecisionKind.ENDING)
    text = _text(letter_pdf(ending))
    assert "Du har begärt att insatsen ska upphöra" in text
    assert "Hur du överklagar" not in text


def test_the_ending_decision_needs_its_reasons_and_whose_wish(
    login, deciding_manager, person, supported
):
    response = login(deciding_manager).post(_url(person), CLOSE)
    assert response.status_code == 200
    assert {"at_own_request", "ending_reasons"} <= set(response.context["form"].errors)
    supported["case"].refresh_from_db()
    assert supported["case"].status == CaseStatus.OPEN
    assert not Decision.objects.filter(kind=DecisionKind.ENDING).exists()


def test_a_closing_confirmed_after_something_changed_is_refused(
    login, coordinator, person, supported
):
    client = login(coordinator)
    seen = open_at_closing(coordinator, supported["case"]).fingerprint
    later = Visit.objects.create(
        person=person,
        planned_at=_at(TODAY + datetime.timedelta(days=8), 9),
        place="Hemma",
        created_by=coordinator,
    )

    response = client.post(_url(person), {**CLOSE, "seen": seen})

    assert response.status_code == 200
    assert "changed after you opened this page" in response.content.decode()
    supported["case"].refresh_from_db()
    later.refresh_from_db()
    assert supported["case"].status == CaseStatus.OPEN and later.status == VisitStatus.PLANNED
    # The page now shows the new visit; confirming again closes.
    fresh = re.search(r'name="seen" value="([^"]+)"', response.content.decode()).group(1)
    assert client.post(_url(person), {**CLOSE, "seen": fresh}).status_code == 302


def test_a_resent_closing_is_done_once(login, deciding_manager, person, supported):
    client = login(deciding_manager)
    page = client.get(_url(person))
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    data = {**CLOSE, "at_own_request": "yes", "ending_reasons": "Vill avsluta.", "seen": seen}

    first, second = send_twice(client, _url(person), data, token_on(page))

    assert_answered_with_the_first(client, first, second)
    assert Closure.objects.count() == 1
    assert Decision.objects.filter(kind=DecisionKind.ENDING).count() == 1


def test_the_officer_ends_a_decision_early_on_its_page(login, officer, person, supported):
    decision = supported["decision"]
    client = login(officer)
    assert "End the decision early" in client.get(f"/beslut/{decision.pk}/").content.decode()
    ends_on = TODAY + datetime.timedelta(days=14)
    response = client.post(
        f"/beslut/{decision.pk}/upphor/",
        {"ends_on": ends_on, "at_own_request": "no", "ending_reasons": "Behovet har upphört."},
    )
    ending = Decision.objects.get(kind=DecisionKind.ENDING)
    assert response["Location"] == f"/beslut/{ending.pk}/"
    assert ending.period_to == ends_on and ending.replaces == decision
    assert Order.objects.get(decision=decision).period_to == ends_on
    # A second ending of the same decision is refused.
    with pytest.raises(ValidationError):
        end_decision(
            officer=officer,
            decision=decision,
            ends_on=ends_on,
            reasons="Igen.",
            at_own_request=False,
        )


def test_a_coordinator_may_not_end_a_decision(login, coordinator, person, supported):
    decision = supported["decision"]
    client = login(coordinator)
    assert "End the decision early" not in client.get(f"/beslut/{decision.pk}/").content.decode()
    response = client.post(
        f"/beslut/{decision.pk}/upphor/",
        {"ends_on": TODAY, "at_own_request": "yes", "ending_reasons": "Vill sluta."},
    )
    assert response.status_code == 403
    assert not Decision.objects.filter(kind=DecisionKind.ENDING).exists()


def test_an_ending_against_the_persons_wish_is_not_backdated(officer, supported):
    with pytest.raises(ValidationError) as refused:
        end_decision(
            officer=officer,
            decision=supported["decision"],
            ends_on=TODAY - datetime.timedelta(days=3),
            reasons="Behovet har upphört.",
            at_own_request=False,
        )
    assert "ends_on" in refused.value.message_dict


def test_a_decision_left_in_force_by_a_coordinators_closing_is_on_the_officers_worklist(
    login, coordinator, officer, person, supported
):
    login(coordinator).post(_url(person), CLOSE)
    page = login(officer).get("/").content.decode()
    assert "Decisions still in force in a closed case" in page
    assert supported["decision"].number in page


def test_the_closing_page_queries_do_not_grow_with_what_is_open(
    login, deciding_manager, person, supported, coordinator, org
):
    from tests.test_queries import assert_same_queries, queries_for

    client = login(deciding_manager)
    client.get(_url(person))
    few = queries_for(client, _url(person))
    for day in range(2, 12):
        visit = Visit.objects.create(
            person=person,
            planned_at=_at(TODAY + datetime.timedelta(days=day), 9),
            place="Hemma",
            transport=True,
            created_by=coordinator,
        )
        Homework.objects.create(given_at=visit, text=f"Uppgift {day}", created_by=coordinator)
        group = Group.objects.create(
            name=f"Grupp {day}",
            unit=org["north"],
            weekdays="1",
            start_time=datetime.time(14),
            created_by=coordinator,
        )
        GroupParticipant.objects.create(group=group, person=person, added_by=coordinator)
    many = queries_for(client, _url(person))
    assert_same_queries(few, many)


def test_an_ending_is_not_issued_as_an_ordinary_decision(officer, supported):
    decision = supported["decision"]
    with pytest.raises(ValidationError) as refused:
        decision_actions.issue_decision(
            officer=officer,
            application=decision.application,
            outcome=Outcome.ENDED,
            kind=DecisionKind.ENDING,
            replaces=decision,
            content="Upphör.",
            reasons="Behovet har upphört.",
            decided_on=TODAY,
            period_from=TODAY,
            period_to=TODAY,
        )
    assert "outcome" in refused.value.message_dict

"""The authority's pages, driven through the test client as the standard users."""

from __future__ import annotations

import datetime

import pytest
from django.urls import get_resolver

from audit.models import AccessLogEntry
from decisions.models import (
    Appeal,
    AppealStatus,
    Application,
    Decision,
    LetterDelivery,
    Outcome,
)
from provision.models import Order
from submissions.resend import FIELD
from tests.factories import SupportKindFactory
from tests.resent import assert_answered_with_the_first, send_twice, token_on

from .conftest import DAY

d = datetime.date


def decision_post(**overrides):
    data = {
        "outcome": "grant",
        "kind": "new",
        "content": "Stöd för att bryta isolering, ett hembesök i veckan.",
        "decided_on": "2026-03-02",
        "period_from": "2026-03-09",
        "period_to": "2027-03-08",
        "reasons": "",
        "goals": "Att Elin kan handla själv.",
        "participants": "",
    }
    data.update(overrides)
    return data


# Applications


def test_an_officer_registers_an_application(login, officer, person, kind):
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    page = client.get(url)
    assert page.status_code == 200
    assert kind.name in page.content.decode()
    response = client.post(
        url,
        {
            "support_kind": kind.pk,
            "applied_on": "2026-02-02",
            "form": "oral",
            "what": "Vill ha hjälp att komma ut.",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/beslut/ansokan/{application.pk}/"
    assert application.created_by == officer
    assert application.case == person.cases.get()
    assert AccessLogEntry.objects.filter(record_type="application", action="create").exists()


def test_support_that_needs_no_decision_is_not_offered_and_cannot_be_posted(
    login, officer, person, kind
):
    meeting_place = SupportKindFactory(name="Träffpunkten Tinget", needs_decision=False)
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    assert "Träffpunkten Tinget" not in client.get(url).content.decode()
    response = client.post(
        url,
        {"support_kind": meeting_place.pk, "applied_on": "2026-02-02", "form": "oral", "what": "x"},
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not Application.objects.exists()


def test_communication_is_recorded_through_the_page(login, officer, application):
    client = login(officer)
    url = f"/beslut/ansokan/{application.pk}/kommunicering/"
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "Give the date the material was communicated" in empty.content.decode()
    response = client.post(
        url,
        {
            "communicated_on": "2026-02-16",
            "communication_method": "brev",
            "response_by": "2026-02-26",
            "communication_response": "Inga synpunkter.",
            "version": application.version,
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.communicated_on == d(2026, 2, 16)
    assert application.communication_response == "Inga synpunkter."


# Issuing a decision


def test_an_officer_with_delegation_issues_a_grant_and_an_order_is_created(
    login, officer, application, delegation, org
):
    client = login(officer)
    url = f"/beslut/ansokan/{application.pk}/beslut/"
    form = client.get(url).content.decode()
    # The law in force today (2025:400 since July 2025), not a legal basis to type.
    assert "11 kap. 1 § socialtjänstlagen (2025:400)" in form
    response = client.post(url, decision_post(presented_by=officer.pk))
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/beslut/{decision.pk}/"
    assert decision.presented_by == officer
    order = Order.objects.get(decision=decision)
    assert (order.provider_unit, order.goals) == (org["north"], "Att Elin kan handla själv.")


def test_a_decision_form_sent_twice_issues_one_decision_and_answers_with_the_first(
    login, officer, application, delegation
):
    """A double click or a resent form: B-2026-0001 only, one order, and the resend is shown
    the decision the first issued."""
    client = login(officer)
    url = f"/beslut/ansokan/{application.pk}/beslut/"
    first, second = send_twice(client, url, decision_post(), token_on(client.get(url)))
    decision = Decision.objects.get()
    assert decision.number == "B-2026-0001"
    assert Order.objects.count() == 1
    assert first["Location"] == f"/beslut/{decision.pk}/"
    assert_answered_with_the_first(client, first, second)


def test_a_second_decision_on_a_decided_application_is_refused_on_the_page(
    login, officer, application, delegation
):
    client = login(officer)
    url = f"/beslut/ansokan/{application.pk}/beslut/"
    client.post(url, decision_post())
    # Later, from the form opened again (a fresh token): an application is decided once.
    again = client.post(url, {**decision_post(), FIELD: token_on(client.get(url))})
    page = again.content.decode()
    assert again.status_code == 200
    assert "This application has already been decided (B-2026-0001)" in page
    assert Decision.objects.count() == 1
    assert Order.objects.count() == 1


def test_someone_without_delegation_sees_the_message_and_keeps_what_was_typed(
    login, manager, application
):
    client = login(manager)
    response = client.post(
        f"/beslut/ansokan/{application.pk}/beslut/",
        decision_post(content="Ett mycket särskilt beslutsinnehåll"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "You have no delegation to decide on Stöd för att bryta isolering on 2026-03-02" in page
    assert "Only an officer with delegation for this kind of support may decide." in page
    assert "Ett mycket särskilt beslutsinnehåll" in page
    assert "2027-03-08" in page
    assert not Decision.objects.exists()
    assert not Order.objects.exists()


@pytest.mark.parametrize("outcome", ["partial", "rejection"])
def test_a_non_grant_without_reasons_is_refused_in_the_form(
    login, officer, communicated, delegation, outcome
):
    response = login(officer).post(
        f"/beslut/ansokan/{communicated.pk}/beslut/",
        decision_post(outcome=outcome, content="Avslås i sin helhet"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "FL 32 §" in page
    assert "Avslås i sin helhet" in page
    assert not Decision.objects.exists()


def test_a_rejection_before_communication_is_refused_in_the_form(
    login, officer, application, delegation
):
    response = login(officer).post(
        f"/beslut/ansokan/{application.pk}/beslut/",
        decision_post(outcome="rejection", reasons="Skäl.", period_from="", period_to=""),
    )
    assert "FL 25 §" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_provider_unit_must_be_chosen_when_several_deliver_the_kind(
    login, officer, application, delegation, kind, org
):
    kind.provider_units.add(org["south"])
    client = login(officer)
    url = f"/beslut/ansokan/{application.pk}/beslut/"
    assert "id_provider_unit" in client.get(url).content.decode()
    assert client.post(url, decision_post()).status_code == 200
    assert not Decision.objects.exists()
    client.post(url, decision_post(provider_unit=org["south"].pk))
    assert Decision.objects.get().order.provider_unit == org["south"]


# The decision page: FL 31 §, the chain, no way to change it


def test_the_decision_page_shows_what_fl_31_requires_and_the_chain(
    login, officer, decide, communicated
):
    first = decide(presented_by=officer, participants="Kim Koordinator")
    change = decide(
        outcome=Outcome.PARTIAL,
        reasons="Besöken glesas ut.",
        replaces=first,
        decided_on=d(2026, 6, 1),
    )
    client = login(officer)
    page = client.get(f"/beslut/{first.pk}/").content.decode()
    for text in ("2026-03-02", "Kim Koordinator", first.content, first.legal_basis, "Granted"):
        assert text in page
    assert change.number in page  # a later decision refers to it
    # Replaced by the change, it is changed no more: a further change starts from the change.
    assert f"Replaced by decision {change.number} from 2026-06-01" in page
    assert f"?andrar={first.pk}" not in page
    later = client.get(f"/beslut/{change.pk}/").content.decode()
    assert first.number in later and "Besöken glesas ut." in later
    assert f"/beslut/ansokan/{first.application_id}/beslut/?andrar={change.pk}" in later


def test_the_change_link_starts_a_change_decision_and_the_chain_shows_it(
    login, officer, decide, communicated
):
    first = decide()
    client = login(officer)
    url = f"/beslut/ansokan/{first.application_id}/beslut/?andrar={first.pk}"
    form = client.get(url).content.decode()
    assert f'<option value="{first.pk}" selected>' in form
    response = client.post(
        url,
        decision_post(
            outcome="partial",
            reasons="Ett besök varannan vecka räcker.",
            replaces=first.pk,
            kind="change",
            decided_on="2026-03-10",
        ),
    )
    change = Decision.objects.get(replaces=first)
    assert response["Location"] == f"/beslut/{change.pk}/"
    assert change.kind == "change"


def test_no_page_changes_or_removes_an_issued_decision(login, officer, decide, communicated):
    decision = decide()
    before = {f.name: getattr(decision, f.name) for f in Decision._meta.concrete_fields}
    client = login(officer)
    hostile = decision_post(outcome="rejection", reasons="Ändrat!", content="Ändrat!")
    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    resolver = get_resolver()
    routes = [p for p in resolver.url_patterns if str(p.pattern) == "beslut/"][0].url_patterns
    for route in routes:
        path = "/beslut/" + str(route.pattern).replace("<uuid:pk>", str(decision.pk))
        client.post(path, hostile)
        client.post(path.replace(str(decision.pk), str(decision.application_id)), hostile)
    for verb in ("put", "patch", "delete"):
        getattr(client, verb)(f"/beslut/{decision.pk}/")
    decision = Decision.objects.get(pk=decision.pk)
    assert {f.name: getattr(decision, f.name) for f in Decision._meta.concrete_fields} == before
    assert not any("edit" in name or "delete" in name for name in names if "decision" in name)
    page = client.get(f"/beslut/{decision.pk}/").content.decode()
    assert "/andra/" not in page and "/ta-bort/" not in page


# The letter


def test_the_letter_downloads_as_pdf_and_is_logged_as_an_export(login, coordinator, decide):
    decision = decide()
    response = login(coordinator).get(f"/beslut/{decision.pk}/brev.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"beslut-{decision.number}.pdf" in response["Content-Disposition"]
    entry = AccessLogEntry.objects.get(action="export")
    assert (entry.user, entry.record_type, entry.record_id) == (
        coordinator,
        "decision_letter",
        str(decision.pk),
    )


def test_sending_the_letter_is_recorded(login, officer, decide):
    decision = decide()
    client = login(officer)
    url = f"/beslut/{decision.pk}/utskick/"
    bad = client.post(url, {"method": "post", "sent_on": "2026-03-03", "received_on": "2026-03-01"})
    assert "cannot be received before it was sent" in bad.content.decode()
    client.post(url, {"method": "post", "sent_on": "2026-03-03", "received_on": "2026-03-05"})
    delivery = LetterDelivery.objects.get()
    assert (delivery.sent_on, delivery.received_on, delivery.recorded_by) == (
        d(2026, 3, 3),
        d(2026, 3, 5),
        officer,
    )


# Appeals


@pytest.fixture
def rejection(decide, communicated, officer):
    from decisions.actions import record_delivery

    decision = decide(outcome=Outcome.REJECTION, reasons="Skäl.", period_from=None, period_to=None)
    record_delivery(
        user=officer, decision=decision, method="post", sent_on=DAY, received_on=d(2026, 12, 3)
    )
    return decision


def test_registering_an_appeal_prefills_receipt_and_shows_the_deadline(login, officer, rejection):
    client = login(officer)
    url = f"/beslut/{rejection.pk}/overklagande/"
    form = client.get(url).content.decode()
    assert 'value="2026-12-03"' in form
    assert "2026-12-28" in form  # Christmas moves the last day
    response = client.post(
        url,
        {"received_on": "2026-12-28", "decision_received_on": "2026-12-03", "content": "Jag vill"},
    )
    appeal = Appeal.objects.get()
    assert response["Location"] == f"/beslut/overklagande/{appeal.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "2026-12-28" in page and appeal.in_time


def test_an_appeal_is_forwarded_to_court_through_the_page(login, officer, rejection):
    from decisions.actions import register_appeal

    appeal = register_appeal(
        user=officer,
        decision=rejection,
        received_on=d(2026, 12, 10),
        decision_received_on=d(2026, 12, 3),
    )
    client = login(officer)
    url = f"/beslut/overklagande/{appeal.pk}/steg/"
    page = client.get(url).content.decode()
    assert 'value="dismissed"' not in page  # in time: cannot be dismissed as late
    missing = client.post(url, {"status": "forwarded"})
    assert "Give the date it was forwarded to the court." in missing.content.decode()
    client.post(
        url,
        {"status": "forwarded", "forwarded_on": "2026-12-15", "court": "Förvaltningsrätten"},
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FORWARDED
    assert appeal.court == "Förvaltningsrätten"


def test_a_late_appeal_can_be_dismissed_through_the_page(login, officer, rejection):
    from decisions.actions import register_appeal

    appeal = register_appeal(
        user=officer,
        decision=rejection,
        received_on=d(2027, 1, 5),
        decision_received_on=d(2026, 12, 3),
    )
    client = login(officer)
    url = f"/beslut/overklagande/{appeal.pk}/steg/"
    assert 'value="dismissed"' in client.get(url).content.decode()
    client.post(url, {"status": "dismissed"})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED


# Who may do what


@pytest.fixture
def pages(decide, rejection):
    from decisions.actions import register_appeal

    appeal = register_appeal(
        user=rejection.decided_by,
        decision=rejection,
        received_on=d(2026, 12, 10),
        decision_received_on=d(2026, 12, 3),
    )
    app, person = rejection.application_id, rejection.person_id
    read = [
        f"/beslut/ansokan/{app}/",
        f"/beslut/{rejection.pk}/",
        f"/beslut/{rejection.pk}/brev.pdf",
        f"/beslut/overklagande/{appeal.pk}/",
    ]
    write = [
        f"/beslut/person/{person}/ansokan/ny/",
        f"/beslut/ansokan/{app}/kommunicering/",
        f"/beslut/ansokan/{app}/beslut/",
        f"/beslut/{rejection.pk}/utskick/",
        f"/beslut/{rejection.pk}/overklagande/",
        f"/beslut/overklagande/{appeal.pk}/steg/",
    ]
    return read, write


def test_the_officer_and_manager_of_the_unit_reach_every_page(login, officer, manager, pages):
    read, write = pages
    for user in (officer, manager):
        client = login(user)
        for url in read + write:
            assert client.get(url).status_code == 200, (user.username, url)


def test_the_assigned_coordinator_reads_but_does_the_authoritys_work_nowhere(
    login, coordinator, pages
):
    read, write = pages
    client = login(coordinator)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_the_analyst_never_sees_a_decision(login, analyst, pages):
    read, write = pages
    client = login(analyst)
    for url in read + write:
        assert client.get(url).status_code == 403, url


def test_an_officer_of_another_unit_must_give_a_reason_and_cannot_act(
    login, outsider_officer, person, pages
):
    read, write = pages
    client = login(outsider_officer)
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].split("?")[0] == f"/personer/{person.pk}/skal/", url


def test_after_a_reason_every_read_is_logged_with_it_and_writes_are_refused(
    login, outsider_officer, person, pages
):
    read, write = pages
    client = login(outsider_officer)
    client.post(f"/personer/{person.pk}/skal/", {"reason": "Ärendet flyttar hit."})
    for url in read:
        if url.endswith(".pdf"):
            continue  # the letter is logged as an export
        last = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
        assert client.get(url).status_code == 200, url
        reads = AccessLogEntry.objects.filter(id__gt=last, action="read", user=outsider_officer)
        assert reads and all(e.reason == "Ärendet flyttar hit." for e in reads), url
    for url in write:
        assert client.get(url).status_code == 403, url


def test_nobody_outside_the_case_may_know_of_a_protected_persons_decisions(
    login, outsider_officer, colleague, person, pages
):
    person.protected_identity = True
    person.save()
    read, write = pages
    client = login(outsider_officer)
    for url in read + write:
        assert client.get(url).status_code == 404, url
    client = login(colleague)
    for url in read:
        assert client.get(url).status_code == 404, url


def test_an_unknown_decision_is_not_found(login, officer):
    import uuid

    assert login(officer).get(f"/beslut/{uuid.uuid4()}/").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, pages):
    read, write = pages
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_decision_pages_log_their_reads(login, coordinator, rejection):
    client = login(coordinator)
    client.get(f"/beslut/{rejection.pk}/")
    client.get(f"/beslut/ansokan/{rejection.application_id}/")
    logged = set(
        AccessLogEntry.objects.filter(user=coordinator, action="read").values_list(
            "record_type", "record_id"
        )
    )
    assert ("decision", str(rejection.pk)) in logged
    assert ("application", str(rejection.application_id)) in logged

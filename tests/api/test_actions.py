"""Changes through the API go through the apps' own actions: the same outcome as on the pages."""

from __future__ import annotations

import datetime

from audit.models import AccessLogEntry
from decisions.actions import create_application
from groups.models import HeadCount, OpenActivity
from instruments.models import Response
from organisation.models import Delegation
from provision.models import Order
from tests.test_role_matrix import _decision_objects, _group_objects


def _application_to_decide(officer, person, org):
    """A new application for a kind of support the officer has delegation for and a provider
    gives."""
    decided = _decision_objects({"person": person, "coordinator": officer})["application"]
    kind = decided.support_kind
    kind.provider_units.add(org["provider"])
    Delegation.objects.create(user=officer, support_kind=kind, valid_from=datetime.date(2024, 1, 1))
    return create_application(
        user=officer,
        person=person,
        case=decided.case,
        support_kind=kind,
        applied_on=datetime.date(2026, 3, 1),
        form="written",
        what="Stöd",
    )


def test_a_delegated_officer_grants_and_the_provider_gets_an_order(api_as, officer, person, org):
    application = _application_to_decide(officer, person, org)
    body = {
        "outcome": "grant",
        "content": "Bifall: stöd för att bryta isolering",
        "decided_on": "2026-03-05",
        "period_from": "2026-03-05",
        "period_to": "2026-09-05",
        "legal_basis": "4 kap. 1 § SoL",
    }
    response = api_as(officer).post(f"/applications/{application.pk}/decisions", body)
    assert response.status_code == 201
    decision = response.json()
    assert decision["number"].startswith("B-2026-")
    assert decision["decided_by"]
    order = Order.objects.get(decision_id=decision["id"])
    assert order.provider_unit == org["provider"]
    assert AccessLogEntry.objects.filter(record_type="decision", action="create").count() == 1
    # The same request again: the application is decided once, and the answer says so.
    again = api_as(officer).post(f"/applications/{application.pk}/decisions", body)
    assert again.status_code == 409
    assert decision["number"] in again.json()["detail"]
    assert Order.objects.count() == 1


def test_meeting_place_staff_record_a_head_count_that_replaces_the_days_count(
    api_as, meeting_staff, person, coordinator
):
    place = _group_objects({"person": person, "coordinator": coordinator})["place"]
    activity = OpenActivity.objects.get(meeting_place=place)
    client = api_as(meeting_staff)
    url = f"/meeting-places/{place.pk}/head-counts"
    body = {"activity": activity.pk, "date": "2026-03-02", "count": 4, "age_18_24": 2}
    assert client.post(url, body).status_code == 200
    assert client.post(url, {**body, "count": 6}).json()["count"] == 6
    assert list(HeadCount.objects.values_list("count", flat=True)) == [6]
    too_many = client.post(url, {**body, "count": 1, "age_18_24": 3})
    assert too_many.status_code == 422
    assert [row["count"] for row in client.get(url).json()] == [6]


def test_a_rating_registered_through_the_api_is_kept_as_a_draft(api_as, coordinator, person):
    response = api_as(coordinator).post(
        f"/people/{person.pk}/responses",
        {"code": "madrs-s", "occasion": "start", "administered_on": "2026-03-02"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == Response.objects.get(pk=body["id"]).status
    assert body["completed_at"] is None
    listed = api_as(coordinator).get(f"/people/{person.pk}/responses").json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_an_unknown_instrument_is_refused_by_the_instruments_form(api_as, coordinator, person):
    response = api_as(coordinator).post(
        f"/people/{person.pk}/responses",
        {"code": "no-such-scale", "occasion": "start", "administered_on": "2026-03-02"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "code"
    assert not Response.objects.exists()


def test_a_rating_completed_without_a_required_answer_is_refused_naming_it(
    api_as, coordinator, person
):
    answers = {str(i): 1 for i in range(1, 9)}  # MADRS-S item 9 (suicidal thoughts) left out
    response = api_as(coordinator).post(
        f"/people/{person.pk}/responses",
        {
            "code": "madrs-s",
            "occasion": "start",
            "administered_on": "2026-03-02",
            "answers": answers,
            "complete": True,
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "9"
    assert "9" in response.json()["detail"]
    assert not Response.objects.exists()


def test_a_rating_with_every_required_answer_completes_through_the_api(api_as, coordinator, person):
    answers = {str(i): 1 for i in range(1, 10)}
    response = api_as(coordinator).post(
        f"/people/{person.pk}/responses",
        {
            "code": "madrs-s",
            "occasion": "start",
            "administered_on": "2026-03-02",
            "answers": answers,
            "complete": True,
        },
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["total"]) == ("complete", 9)


def test_a_change_through_the_api_continues_the_order_and_a_second_change_is_refused(
    api_as, officer, person, org
):
    application = _application_to_decide(officer, person, org)
    body = {
        "outcome": "grant",
        "content": "Bifall: ett besök i veckan",
        "decided_on": "2026-03-05",
        "period_from": "2026-03-05",
        "period_to": "2026-09-05",
    }
    client = api_as(officer)
    first = client.post(f"/applications/{application.pk}/decisions", body).json()
    change_body = {
        **body,
        "content": "Bifall: två besök i veckan",
        "decided_on": "2026-04-01",
        "period_from": "2026-04-06",
        "kind": "change",
        "replaces": first["id"],
    }
    change = client.post(f"/applications/{application.pk}/decisions", change_body)
    assert change.status_code == 201, change.content
    in_force = Order.objects.exclude(status="ended")
    assert [str(o.decision_id) for o in in_force] == [change.json()["id"]]
    order = api_as(officer).get(f"/orders/{in_force[0].pk}").json()
    assert order["replaces_id"] == str(Order.objects.get(decision_id=first["id"]).pk)
    again = client.post(
        f"/applications/{application.pk}/decisions", {**change_body, "decided_on": "2026-04-02"}
    )
    assert again.status_code == 422
    assert again.json()["field"] == "replaces"
    assert change.json()["number"] in again.json()["detail"]
    assert Order.objects.exclude(status="ended").count() == 1

"""Bad input is refused as JSON naming the field; nothing is stored."""

from __future__ import annotations

import pytest
from django.utils import translation

from delivery.models import Note
from intake.models import Intake
from people.identity import MESSAGES


def test_an_unknown_channel_names_the_field(api_as, officer, org):
    response = api_as(officer).post("/intakes", {"channel": "fax", "source": "relative"})
    assert response.status_code == 422
    assert response.json()["field"] == "channel"
    assert not Intake.objects.exists()


def test_an_intake_without_person_or_description_is_refused(api_as, officer, org):
    response = api_as(officer).post("/intakes", {"channel": "phone", "source": "relative"})
    assert response.status_code == 422
    assert response.json()["field"] == "person_description"


def test_a_number_outside_ones_cases_is_refused_like_on_the_page(api_as, outsider_officer, person):
    response = api_as(outsider_officer).post(
        "/intakes",
        {"channel": "phone", "source": "self", "person_number": person.personal_number},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "person_number"


def _message(code: str) -> set[str]:
    texts = set()
    for lang in ("sv", "en"):
        with translation.override(lang):
            texts.add(str(MESSAGES[code]))
    return texts


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("19900312-1235", "checksum"),  # 19900312-1234 is valid: the last digit is mistyped
        ("19901332-1234", "date"),
        ("900312-1235", "checksum"),
        ("199003121", "length"),
    ],
)
def test_an_invalid_number_on_an_intake_says_what_is_wrong_with_it(
    api_as, officer, org, number, code
):
    response = api_as(officer).post(
        "/intakes", {"channel": "phone", "source": "self", "person_number": number}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "person_number"
    assert response.json()["detail"] in _message(code)
    assert not Intake.objects.exists()


@pytest.mark.parametrize(
    ("query", "code"),
    [("19900312-1235", "checksum"), ("199013121234", "date"), ("19900312+1234", "century")],
)
def test_a_search_for_an_invalid_number_says_what_is_wrong_with_it(
    api_as, coordinator, person, query, code
):
    response = api_as(coordinator).get("/people", {"q": query})
    assert response.status_code == 422
    assert response.json()["field"] == "q"
    assert response.json()["detail"] in _message(code)


def test_a_search_for_part_of_a_number_is_still_a_search(api_as, coordinator, person):
    assert api_as(coordinator).get("/people", {"q": "19900312"}).status_code == 200


def test_a_wrongly_typed_value_names_the_field(api_as, officer, org):
    response = api_as(officer).post("/intakes", {"channel": "phone", "source": "self", "age": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "age"


def test_a_missing_field_is_named(api_as, coordinator, person):
    response = api_as(coordinator).post(f"/people/{person.pk}/notes", {"happened_on": "2026-03-02"})
    assert response.status_code == 422
    assert response.json()["field"] == "text"
    assert not Note.objects.exists()


def test_a_malformed_id_is_422_not_a_page(api_as, coordinator, org):
    response = api_as(coordinator).get("/people/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["field"] == "person_id"


def test_a_body_that_is_not_json_is_400(api_as, coordinator, person):
    client = api_as(coordinator)
    response = client.client.post(
        f"/api/v1/people/{person.pk}/notes",
        "{not json",
        content_type="application/json",
        **client.headers,
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_closing_without_a_reason_names_the_reason(api_as, officer, org):
    client = api_as(officer)
    intake = client.post(
        "/intakes", {"channel": "phone", "source": "self", "person_description": "Ana"}
    ).json()
    response = client.post(
        f"/intakes/{intake['id']}/close",
        {"version": intake["version"], "outcome": "no_action", "reason": " "},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reason"


def test_a_decision_without_delegation_is_refused_as_in_the_ui(api_as, officer, person):
    from tests.test_role_matrix import _decision_objects

    ctx = _decision_objects({"person": person, "coordinator": officer})
    response = api_as(officer).post(
        f"/applications/{ctx['application'].pk}/decisions",
        {
            "outcome": "rejection",
            "content": "Avslag",
            "decided_on": "2026-03-05",
            "legal_basis": "4 kap. 1 § SoL",
            "reasons": "Skäl",
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "decided_on"
    assert "delegation" in response.json()["detail"]


def test_a_short_reason_is_refused(api_as, colleague, person):
    response = api_as(colleague).post(f"/people/{person.pk}/reason", {"reason": "kort"})
    assert response.status_code == 422
    assert response.json()["field"] == "reason"


def test_characters_the_database_cannot_store_are_refused(api_as, coordinator, person):
    client = api_as(coordinator)
    assert client.get("/people", {"q": "Elin\x00"}).status_code == 422
    response = client.post(
        f"/people/{person.pk}/responses",
        {
            "code": "madrs-s",
            "occasion": "start",
            "administered_on": "2026-03-02",
            "answers": {"1": "\x00"},
        },
    )
    assert response.status_code == 422


BAD_DATE = {"channel": "phone", "source": "self", "received_on": "2026-13-45"}


def _post_intake(client, body, **headers):
    return client.client.post(
        "/api/v1/intakes", body, content_type="application/json", **client.headers, **headers
    )


def test_a_bad_date_is_refused_in_swedish_naming_the_field(api_as, officer, org):
    response = _post_intake(api_as(officer), BAD_DATE)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "received_on: ange ett giltigt datum, till exempel 2026-03-05.",
        "field": "received_on",
    }
    assert not Intake.objects.exists()


def test_a_bad_date_is_refused_in_english_when_the_script_asks_for_english(api_as, officer, org):
    with translation.override("sv"):  # the request switches the thread's language: undo it after
        response = _post_intake(api_as(officer), BAD_DATE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["detail"] == "received_on: enter a valid date, for example 2026-03-05."


@pytest.mark.parametrize(
    ("body", "field", "swedish"),
    [
        ({"channel": "phone", "source": "self", "age": "x"}, "age", "age: ange ett heltal."),
        ({"source": "self"}, "channel", "channel måste anges."),
        ({"channel": 3, "source": "self"}, "channel", "channel: ange text, inom citattecken."),
        (
            {"channel": "phone", "source": "self", "callback_due": "i morgon"},
            "callback_due",
            "callback_due: ange ett giltigt datum, till exempel 2026-03-05.",
        ),
    ],
)
def test_type_errors_are_said_in_swedish(api_as, officer, org, body, field, swedish):
    response = _post_intake(api_as(officer), body)
    assert response.status_code == 422
    assert response.json() == {"detail": swedish, "field": field}


def test_every_pydantic_message_is_translated():
    from api.errors import PYDANTIC_MESSAGES, UNKNOWN_ERROR

    for message in [*PYDANTIC_MESSAGES.values(), UNKNOWN_ERROR]:
        with translation.override("sv"):
            swedish = str(message)
        with translation.override("en"):
            assert swedish != str(message), f"no Swedish for {str(message)!r}"

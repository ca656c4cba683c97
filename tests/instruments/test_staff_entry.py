"""Staff enter a rating from paper: draft, complete, score, and the risk alert it raises."""

from __future__ import annotations

import datetime
import re

from audit.models import AccessLogEntry
from instruments.models import Response, ResponseStatus, RiskAlert
from tests.instruments.administering import _english, draft, madrs_answers, madrs_post, rated  # noqa: F401


def test_staff_start_a_rating_and_enter_answers_from_paper(login, coordinator, person):
    client = login(coordinator)
    page = client.get(f"/skattningar/person/{person.pk}/ny/")
    assert page.status_code == 200
    reply = client.post(
        f"/skattningar/person/{person.pk}/ny/",
        {"code": "madrs-s", "occasion": "start", "administered_on": "2025-03-03", "link": ""},
    )
    response = Response.objects.get(person=person)
    assert reply["Location"] == f"/skattningar/{response.pk}/svar/"
    assert (response.code, response.version, response.status) == ("madrs-s", "2", "draft")

    form = client.get(f"/skattningar/{response.pk}/svar/")
    assert "Sinnesstämning" in form.content.decode()
    # 1+2+3+0+1+2+3+0 + item 9 = 2 -> 14: "Lätt depression" (13-19), guidance only.
    answers = {"1": 1, "2": 2, "3": 3, "4": 0, "5": 1, "6": 2, "7": 3, "8": 0, "9": 2}
    reply = client.post(f"/skattningar/{response.pk}/svar/", madrs_post(answers))
    assert reply["Location"] == f"/skattningar/{response.pk}/"
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE
    assert response.total == 14 and response.computable and response.band_code == "mild"
    assert response.answers == answers
    detail = client.get(f"/skattningar/{response.pk}/").content.decode()
    assert "14" in detail and "Lätt depression" in detail and "guidance only" in detail
    assert not RiskAlert.objects.exists()


def test_a_draft_is_saved_unscored_and_can_be_continued(login, coordinator, person):
    response = draft(person, coordinator)
    client = login(coordinator)
    client.post(f"/skattningar/{response.pk}/svar/", madrs_post({"1": 3, "2": 4}, "save"))
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT
    assert response.answers == {"1": 3, "2": 4} and response.total is None
    page = client.get(f"/skattningar/{response.pk}/svar/").content.decode()
    assert re.search(r'<input[^>]*name="q_1"[^>]*value="3"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="q_3"[^>]*checked', page)


def test_missing_answers_make_the_score_not_computable_never_a_wrong_number(
    login, coordinator, person
):
    response = draft(person, coordinator)
    client = login(coordinator)
    client.post(f"/skattningar/{response.pk}/svar/", madrs_post({"1": 6, "2": 6}))
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE
    assert response.total is None and not response.computable
    assert "Not computable" in client.get(f"/skattningar/{response.pk}/").content.decode()


def test_an_answer_outside_the_options_is_refused_with_a_message(login, coordinator, person):
    response = draft(person, coordinator)
    client = login(coordinator)
    reply = client.post(f"/skattningar/{response.pk}/svar/", madrs_post({"1": 9}))
    assert reply.status_code == 200
    assert "Something needs correcting" in reply.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT and response.answers == {}


def test_a_completed_rating_cannot_be_changed(login, coordinator, person):
    response = rated(person, coordinator, madrs_answers())
    client = login(coordinator)
    reply = client.post(f"/skattningar/{response.pk}/svar/", madrs_post(madrs_answers(rest=6)))
    assert reply["Location"] == f"/skattningar/{response.pk}/"
    response.refresh_from_db()
    assert response.total == 8


def test_the_rating_can_be_tied_to_a_mapping_session(login, coordinator, person):
    from mapping.models import MappingSession
    from tests.factories import MappingFactory

    mapping = MappingFactory(person=person, created_by=coordinator)
    session = MappingSession.objects.create(
        mapping=mapping, held_on=datetime.date(2025, 3, 3), created_by=coordinator
    )
    client = login(coordinator)
    client.post(
        f"/skattningar/person/{person.pk}/ny/",
        {
            "code": "madrs-s",
            "occasion": "start",
            "administered_on": "2025-03-03",
            "link": f"session:{session.pk}",
        },
    )
    assert Response.objects.get(person=person).mapping_session == session


def test_reading_and_changing_a_rating_is_logged(login, coordinator, person):
    response = draft(person, coordinator)
    client = login(coordinator)
    client.get(f"/skattningar/{response.pk}/svar/")
    client.post(f"/skattningar/{response.pk}/svar/", madrs_post(madrs_answers()))
    client.get(f"/skattningar/{response.pk}/")
    actions = list(
        AccessLogEntry.objects.filter(record_type="instrument_response", record_id=str(response.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    # Each page shown is a read; the saved answers are an update (the POST redirects, showing
    # nothing; a POST that shows the form again with errors is a read).
    assert actions == ["create", "read", "update", "read"]


def test_fhir_export_of_a_stored_response(login, coordinator, person):
    import pytest

    pytest.importorskip("instruments.fhir")
    response = rated(person, coordinator, madrs_answers(item9=3))
    reply = login(coordinator).get(f"/skattningar/{response.pk}/fhir/")
    assert reply.status_code == 200
    import json

    data = json.loads(reply.content)
    assert data["resourceType"] == "QuestionnaireResponse"
    from instruments import definitions, fhir

    assert fhir.from_response(definitions.load("madrs-s", "2"), data) == response.answers
    # The date the answers were given, not the day they were typed in.
    assert data["authored"].startswith(response.administered_on.isoformat())
    assert AccessLogEntry.objects.filter(action="export", record_id=str(response.pk)).exists()


def test_an_unscored_answer_is_shown_by_its_label_without_its_code(login, coordinator, person):
    day = {"slot.morning.what": "Sover", "slot.morning.feeling": "hard"}
    response = rated(person, coordinator, day, code="en-vanlig-dag")
    page = login(coordinator).get(f"/skattningar/{response.pk}/").content.decode()
    assert "<td>Jobbigt</td>" in page
    assert "(hard)" not in page


def test_a_scored_answer_is_shown_with_its_points(login, coordinator, person):
    response = rated(person, coordinator, {"1": 0, "2": 2}, code="audit")
    page = login(coordinator).get(f"/skattningar/{response.pk}/").content.decode()
    assert "<td>Aldrig (0)</td>" in page

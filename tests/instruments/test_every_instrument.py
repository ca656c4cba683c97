"""Every shipped instrument can be entered by staff and, where licensed, answered by link."""

from __future__ import annotations

import pytest
from django.test import Client

from instruments import actions, definitions
from instruments.models import Response, ResponseStatus
from tests.instruments.administering import _english, demo_wording  # noqa: F401

CODES = definitions.codes()

# MADRS-S, AUDIT and DUDIT are sent as links only with their text loaded (the demo's).
pytestmark = pytest.mark.usefixtures("demo_wording")


def _first_answers(defn) -> dict:
    """The first option of every choice item, the minimum of every number."""
    data = {}
    for item in defn.answerable_items():
        name = "q_" + "".join(ch if ch.isalnum() else "_" for ch in item.id)
        if item.type == "choice" and item.options:
            data[name] = str(item.options[0].value)
        elif item.type in ("integer", "decimal"):
            data[name] = str(int(item.min or 0))
    return data


def test_all_seven_are_shipped():
    assert {"madrs-s", "audit", "dudit", "sheehan", "spsq", "en-vanlig-dag"} <= set(CODES)
    assert any(code.startswith("kasam") for code in CODES)


@pytest.mark.parametrize("code", CODES)
def test_staff_enter_and_complete(login, coordinator, person, code):
    defn = definitions.load(code)
    response = actions.start_response(
        user=coordinator,
        person=person,
        code=code,
        occasion="start",
        administered_on=__import__("datetime").date(2025, 3, 3),
    )
    client = login(coordinator)
    form = client.get(f"/skattningar/{response.pk}/svar/")
    assert form.status_code == 200
    assert defn.answerable_items()[0].label in form.content.decode()
    reply = client.post(
        f"/skattningar/{response.pk}/svar/", {**_first_answers(defn), "complete": "1"}
    )
    assert reply.status_code == 302, reply.content.decode()[:3000]
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE
    assert client.get(f"/skattningar/{response.pk}/").status_code == 200
    assert client.get(f"/personer/{person.pk}/").status_code == 200


@pytest.mark.parametrize("code", [c for c in CODES if definitions.load(c).licence.electronic_use])
def test_answer_by_link(coordinator, person, code):
    defn = definitions.load(code)
    link, token = actions.send_home_link(
        user=coordinator, person=person, code=code, occasion="start"
    )
    client = Client()
    assert client.get(f"/skatta/{token}/").status_code == 200
    reply = client.post(f"/skatta/{token}/", {**_first_answers(defn), "submit": "1"})
    assert reply["Location"] == "/skatta/tack/"
    assert Response.objects.get(pk=link.response_id).status == ResponseStatus.COMPLETE

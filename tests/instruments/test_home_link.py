"""The one-time home link: no login, first name only, saves progress, submitted once, logged."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AccessLogEntry
from instruments import actions
from instruments.models import HomeLink, ResponseStatus, RiskAlert, hash_token
from tests.instruments.administering import (  # noqa: F401
    _english,
    definitions_dir,
    demo_wording,
    madrs_answers,
    madrs_data,
    madrs_post,
    write_definition,
)

# MADRS-S, AUDIT and DUDIT are sent as links only with their text loaded (the demo's).
pytestmark = pytest.mark.usefixtures("demo_wording")


def _send(person, user, code="madrs-s", days=14):
    return actions.send_home_link(user=user, person=person, code=code, occasion="start", days=days)


def test_staff_create_a_link_and_see_the_address_once(login, coordinator, person):
    client = login(coordinator)
    page = client.get(f"/skattningar/person/{person.pk}/hemlank/").content.decode()
    assert "sending by e-mail or text message is not part of this version" in page
    reply = client.post(
        f"/skattningar/person/{person.pk}/hemlank/",
        {"code": "madrs-s", "occasion": "follow_up", "days": "7", "link": ""},
    )
    assert reply.status_code == 200
    url = re.search(r'value="(http://testserver/skatta/[^"]+/)"', reply.content.decode()).group(1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = HomeLink.objects.get()
    # Only the hash is stored; the token itself is nowhere in the database.
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert link.expires_at.date() == (timezone.now() + datetime.timedelta(days=7)).date()
    assert link.response.status == ResponseStatus.DRAFT and link.response.channel == "home"


def test_the_public_page_shows_only_the_first_name(person, coordinator):
    person.phone, person.address, person.email = "070-1234567", "Fiktivgatan 3", "elin@example.se"
    person.save()
    _link, token = _send(person, coordinator)
    page = Client().get(f"/skatta/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Elin" in text
    for secret in (
        "Fiktiv ",
        "Fiktivgatan",
        person.personal_number,
        person.personal_number[2:8],
        "070-1234567",
        "elin@example.se",
        str(person.pk),
    ):
        assert secret not in text
    assert page["Referrer-Policy"] == "same-origin"
    assert "<fieldset" in text and "<legend>" in text


def test_each_use_of_the_link_is_logged(person, coordinator):
    link, token = _send(person, coordinator)
    client = Client()
    client.get(f"/skatta/{token}/")
    client.post(f"/skatta/{token}/", madrs_post({"1": 2}, "save"))
    client.post(f"/skatta/{token}/", madrs_post(madrs_answers(), "submit"))
    client.get(f"/skatta/{token}/")
    uses = AccessLogEntry.objects.filter(record_type="home_link", record_id=str(link.pk))
    assert list(uses.order_by("id").values_list("action", "user_id")) == [
        ("create", coordinator.pk),
        ("read", None),
        ("update", None),
        ("update", None),
        ("read", None),  # the refused visit after submitting is logged too
    ]
    assert all(entry.person_id == person.pk for entry in uses)


def test_progress_is_saved_and_shown_again(person, coordinator):
    link, token = _send(person, coordinator)
    client = Client()
    reply = client.post(f"/skatta/{token}/", madrs_post({"1": 2, "2": 5}, "save"))
    assert reply["Location"] == f"/skatta/{token}/"
    link.response.refresh_from_db()
    assert link.response.answers == {"1": 2, "2": 5}
    assert link.response.status == ResponseStatus.DRAFT
    page = client.get(f"/skatta/{token}/").content.decode()
    assert "Your answers have been saved" in page
    assert re.search(r'<input[^>]*name="q_2"[^>]*value="5"[^>]*checked', page)


def test_the_link_can_be_submitted_only_once(person, coordinator):
    link, token = _send(person, coordinator)
    client = Client()
    reply = client.post(f"/skatta/{token}/", madrs_post(madrs_answers(item9=5), "submit"))
    assert reply["Location"] == "/skatta/tack/"
    link.refresh_from_db()
    assert link.submitted_at is not None
    assert link.response.status == ResponseStatus.COMPLETE and link.response.total == 13
    # The risk reaches staff at once, also from a home rating.
    assert RiskAlert.objects.filter(response=link.response).count() == 1
    again = client.post(f"/skatta/{token}/", madrs_post(madrs_answers(item9=0), "submit"))
    assert again.status_code == 410
    assert client.get(f"/skatta/{token}/").status_code == 410
    link.response.refresh_from_db()
    assert link.response.total == 13


def test_an_expired_link_gets_a_kind_page_without_details(person, coordinator):
    link, token = _send(person, coordinator)
    HomeLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = Client().get(f"/skatta/{token}/")
    assert page.status_code == 410
    text = page.content.decode()
    assert "The link cannot be used" in text and "Elin" not in text and "MADRS" not in text
    assert (
        Client().post(f"/skatta/{token}/", madrs_post(madrs_answers(), "submit")).status_code == 410
    )


def test_a_withdrawn_link_cannot_be_used(login, person, coordinator):
    link, token = _send(person, coordinator)
    login(coordinator).post(f"/skattningar/lank/{link.pk}/aterkalla/")
    assert Client().get(f"/skatta/{token}/").status_code == 410


def test_an_unknown_token_is_not_found(db):
    page = Client().get("/skatta/not-a-real-token/")
    assert page.status_code == 404 and "The link cannot be used" in page.content.decode()


def test_a_link_is_refused_for_an_instrument_without_electronic_permission(
    login,
    coordinator,
    person,
    definitions_dir,  # noqa: F811
):
    data = madrs_data()
    data.update(code="locked", title="Låst formulär")
    data["licence"] = {**data["licence"], "status": "copyrighted", "electronic_use": False}
    write_definition(definitions_dir, data)
    client = login(coordinator)
    page = client.get(f"/skattningar/person/{person.pk}/hemlank/").content.decode()
    assert "Låst formulär" in page  # named among the ones that cannot be sent
    reply = client.post(
        f"/skattningar/person/{person.pk}/hemlank/",
        {"code": "locked", "occasion": "start", "days": "14", "link": ""},
    )
    assert reply.status_code == 200
    assert "its licence does not record permission for electronic use" in reply.content.decode()
    assert not HomeLink.objects.exists()
    with pytest.raises(ValidationError):
        _send(person, coordinator, code="locked")


@pytest.mark.parametrize("code", ["kasam-13", "kasam-29", "sheehan", "spsq"])
def test_licensed_instruments_shipped_without_permission_are_refused(coordinator, person, code):
    from instruments import definitions

    if definitions.load(code).licence.electronic_use:
        pytest.skip(f"{code}'s definition records permission for electronic use")
    with pytest.raises(ValidationError):
        _send(person, coordinator, code=code)


def test_the_person_page_names_a_waiting_link_by_its_instrument(login, coordinator, person):
    _send(person, coordinator, code="en-vanlig-dag")
    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()
    waiting = page.split("waiting for answers:", 1)[1].split("</p>", 1)[0]
    assert "En vanlig dag (valid until" in waiting
    assert "EN-VANLIG-DAG" not in page

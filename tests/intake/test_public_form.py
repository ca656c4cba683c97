"""The public web form at /anmalan/: no login, exact errors, honeypot, rate limit, CSRF."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from audit.models import AccessLogEntry
from intake.models import Intake, WebSubmission

URL = "/anmalan/"

VALID = {
    "writer": "relative",
    "relation": "mamma",
    "name": "Eva Anhörig",
    "phone": "070-000 00 09",
    "email": "",
    "person_name": "Jonas",
    "age": "24",
    "municipality": "Exempelby",
    "isolation_duration": "två år",
    "description": "Jonas har inte gått ut på två år.",
    "person_knows": "yes",
    "person_agrees": "unknown",
    "website": "",
}


@pytest.fixture
def authority(org):
    return org["authority"]


def test_the_form_needs_no_login(client, authority):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_a_relative_sends_an_intake_that_lands_untriaged_in_the_inbox(
    client, authority, login, officer
):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    assert response["Location"] == "/anmalan/tack/"
    intake = Intake.objects.get()
    assert intake.unit == authority
    assert (intake.channel, intake.source, intake.via_web_form, intake.triaged) == (
        "web",
        "relative",
        True,
        False,
    )
    assert intake.notifier_contact == "070-000 00 09"
    assert intake.person_description == "Jonas"
    assert intake.age == 24
    assert (intake.person_knows, intake.person_agrees) == ("yes", "unknown")
    entry = AccessLogEntry.objects.get(record_id=str(intake.pk))
    assert (entry.user, entry.action) == (None, "create")

    inbox = login(officer).get("/aktualiseringar/").content.decode()
    assert "New from the web form" in inbox or "Ny från webbformuläret" in inbox
    assert "Jonas" in inbox


def test_the_person_writing_about_themself_knows_and_agrees(client, authority):
    data = {**VALID, "writer": "self", "person_knows": "", "person_agrees": ""}
    client.post(URL, data)
    intake = Intake.objects.get()
    assert (intake.source, intake.person_knows, intake.person_agrees) == ("self", "yes", "yes")
    assert intake.person_description == "Eva Anhörig"


def test_errors_say_exactly_what_is_wrong_and_keep_what_was_typed(client, authority):
    data = {**VALID, "name": "", "phone": "", "email": "inte-en-adress", "age": "tjugo"}
    response = client.post(URL, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["Give your name so that we know whom to contact."]
    assert errors["email"] == ["Give an e-mail address like name@example.se."]
    assert errors["age"] == ["Give the age as a number of years, e.g. 24."]
    page = response.content.decode()
    assert 'value="inte-en-adress"' in page
    assert "Jonas har inte gått ut på två år.</textarea>" in page
    assert 'value="Exempelby"' in page
    assert 'aria-invalid="true"' in page
    assert 'href="#id_name"' in page, "the error summary links to the field"
    assert not Intake.objects.exists()


def test_a_way_to_contact_the_writer_is_required(client, authority):
    response = client.post(URL, {**VALID, "phone": "", "email": ""})
    assert response.context["form"].errors["phone"] == [
        "Give a phone number or an e-mail address so that we can contact you."
    ]


def test_missing_description_and_writer_are_named(client, authority):
    response = client.post(URL, {**VALID, "writer": "", "description": ""})
    errors = response.context["form"].errors
    assert errors["writer"] == ["Tell us whether you write about yourself or someone else."]
    assert errors["description"] == ["Tell us briefly about the situation, so that we can prepare."]
    assert 'href="#id_writer_0"' in response.content.decode()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, authority):
    page = client.get(URL).content.decode()
    start = page.index('<div class="visually-hidden" aria-hidden="true">')
    trap = page[start : page.index("</div>", start)]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap


def test_a_bot_filling_the_honeypot_is_dropped_silently(client, authority):
    response = client.post(URL, {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == "/anmalan/tack/"
    assert not Intake.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_more_than_the_limit_per_hour_gets_429(client, authority, settings):
    settings.BRYGGA_WEB_INTAKE_PER_HOUR = 5
    for _ in range(5):
        assert client.post(URL, VALID).status_code == 302
    response = client.post(URL, VALID)
    assert response.status_code == 429
    assert "try again" in response.content.decode()
    assert Intake.objects.count() == 5
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(URL, VALID).status_code == 302, "another address is not limited"


def test_the_limit_lives_in_the_database_as_a_hash(client, authority):
    client.post(URL, VALID)
    submission = WebSubmission.objects.get()
    assert len(submission.client_key) == 64
    assert "127.0.0.1" not in submission.client_key


def test_bots_count_towards_the_limit(client, authority, settings):
    settings.BRYGGA_WEB_INTAKE_PER_HOUR = 2
    for _ in range(2):
        client.post(URL, {**VALID, "website": "spam"})
    assert client.post(URL, VALID).status_code == 429


def test_csrf_is_enforced(authority):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, VALID).status_code == 403
    assert not Intake.objects.exists()
    page = client.get(URL).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(URL, {**VALID, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Intake.objects.count() == 1


def test_the_confirmation_reveals_nothing(client, authority):
    response = client.post(URL, VALID, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    for typed in ("Eva", "Jonas", "070-000", "mamma", "två år"):
        assert typed not in page
    assert str(Intake.objects.get().pk) not in page


def test_the_submitted_content_never_reaches_the_application_log(client, authority, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(URL, VALID)
        client.post(URL, {**VALID, "name": ""})
    for typed in ("Eva Anhörig", "070-000 00 09", "Jonas har inte"):
        assert typed not in caplog.text


def test_the_intake_goes_to_the_unit_named_in_the_settings(client, org, settings):
    settings.BRYGGA_WEB_INTAKE_UNIT = org["other_authority"].name
    client.post(URL, VALID)
    assert Intake.objects.get().unit == org["other_authority"]


def test_without_an_authority_unit_the_form_says_it_is_unavailable(client, db):
    assert client.get(URL).status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_simultaneous_posts_gets_at_most_the_limit_through(authority, settings):
    """Twenty posts at once from one address: checking and recording the limit are one step."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the test database on SQLite is in memory, where threads cannot share it")
    settings.BRYGGA_WEB_INTAKE_PER_HOUR = 5
    start = threading.Barrier(20)
    statuses = []

    def post():
        try:
            client = Client()
            start.wait()
            statuses.append(client.post(URL, VALID).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Intake.objects.count() <= 5
    assert statuses.count(302) == Intake.objects.count()
    assert set(statuses) <= {302, 429}


def test_a_post_too_large_to_receive_is_answered_in_swedish_on_the_form(client, authority):
    response = client.post(URL, {**VALID, "description": "x" * (10 * 2**20)})
    assert response.status_code == 413
    page = response.content.decode()
    assert 'name="description"' in page, "the form is shown again"
    assert "too long to be received" in page or "för lång" in page
    assert not Intake.objects.exists()

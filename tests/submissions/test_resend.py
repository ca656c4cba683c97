"""A form sent twice does its work once (`submissions.resend`): the token every form carries,
what a resend is answered with, and what is left as it was."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from decisions.models import Application
from submissions.models import Submission
from submissions.resend import FIELD, MEMORY
from tests.resent import ALREADY_SENT, send_twice, token_on

ROOT = Path(__file__).resolve().parents[2]
# Forms that change nothing of the records: logging in and out, choosing the language.
NOT_GUARDED = ("{% url 'logout' %}", "{% url 'set_language' %}", 'name="username"')


def application_data(kind) -> dict:
    return {"support_kind": kind.pk, "applied_on": "2026-02-02", "form": "oral", "what": "Stöd."}


def test_every_form_that_changes_something_carries_a_token():
    missing = []
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    for path in templates:
        if ".venv" in path.parts:
            continue
        for form in re.findall(r"<form\b[^>]*>.*?</form>", path.read_text(), re.S):
            post = re.search(r'<form\b[^>]*method="post"', form, re.I)
            guarded = "{% submission_token %}" in form or any(m in form for m in NOT_GUARDED)
            if post and not guarded:
                missing.append(f"{path.relative_to(ROOT)}: {form[:80]}")
    assert missing == [], "\n".join(missing)


def test_the_form_page_renders_a_fresh_token_each_time(login, officer, person):
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    assert token_on(client.get(url)) != token_on(client.get(url))


def test_a_post_without_a_token_is_handled_every_time(login, officer, person, kind):
    """The API and scripts send no token: each request is its own."""
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    client.post(url, application_data(kind))
    client.post(url, application_data(kind))
    assert Application.objects.count() == 2


def test_a_form_refused_the_first_time_may_be_sent_again_with_its_token(
    login, officer, person, kind
):
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    token = token_on(client.get(url))
    refused = client.post(url, {**application_data(kind), "what": "", FIELD: token})
    assert refused.status_code == 200 and not Application.objects.exists()
    accepted = client.post(url, {**application_data(kind), FIELD: token})
    application = Application.objects.get()
    assert accepted["Location"] == f"/beslut/ansokan/{application.pk}/"


def test_the_reason_form_is_not_taken_for_the_result(login, outsider_officer, person, kind):
    """Sent to the reason form first, nothing was done: the token is still unused."""
    client = login(outsider_officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    token = "t" * 32
    first, second = send_twice(client, url, application_data(kind), token)
    assert first["Location"].startswith(f"/personer/{person.pk}/skal/")
    assert second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert not any(text in page for text in ALREADY_SENT)
    assert not Submission.objects.filter(token=token).exists()


def test_another_users_token_is_not_answered_with_their_result(
    login, officer, manager, person, kind
):
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    token = token_on(client.get(url))
    client.post(url, {**application_data(kind), FIELD: token})
    theirs = login(manager).post(url, {**application_data(kind), FIELD: token})
    assert Application.objects.count() == 2
    assert theirs["Location"] == f"/beslut/ansokan/{Application.objects.latest('created_at').pk}/"


def test_a_token_that_is_not_one_of_ours_is_refused_with_a_reason(login, officer, person, kind):
    response = login(officer).post(
        f"/beslut/person/{person.pk}/ansokan/ny/", {**application_data(kind), FIELD: "<x>"}
    )
    assert response.status_code == 400
    assert "Go back and try again" in response.content.decode() or "Gå tillbaka" in (
        response.content.decode()
    )
    assert not Application.objects.exists()


def test_a_page_that_shows_its_result_itself_names_where_a_resend_goes(login, coordinator):
    """The API token is shown once, on the page the form returns: a resend creates no second
    token and goes to the list, where the token is not shown again."""
    client = login(coordinator)
    token = token_on(client.get("/api-nycklar/"))
    first, second = send_twice(
        client, "/api-nycklar/", {"name": "Mitt skript", "scope": "read"}, token
    )
    assert first.status_code == 200 and "brygga_" in first.content.decode()
    assert ApiToken.objects.filter(user=coordinator).count() == 1
    assert second.status_code == 302 and second["Location"] == "/api-nycklar/"


def test_tokens_are_forgotten_after_a_week(login, officer, person, kind):
    old = Submission.objects.create(token="o" * 32, user=officer, result="/")
    Submission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - MEMORY - datetime.timedelta(minutes=1)
    )
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    client.post(url, {**application_data(kind), FIELD: token_on(client.get(url))})
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert Submission.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("law_in_force")
def test_a_double_click_sent_at_the_same_moment_issues_one_decision(
    officer, application, delegation
):
    """Two browsers' requests with the same token at once: the second waits for the first and
    is shown its decision."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the waiting matters on PostgreSQL")
    import threading

    from decisions.models import Decision
    from provision.models import Order
    from tests.decisions.test_views import decision_post

    url = f"/beslut/ansokan/{application.pk}/beslut/"
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(officer, backend="organisation.auth.BryggaModelBackend")
    token = token_on(clients[0].get(url))
    barrier, answers = threading.Barrier(2), []

    def send(client):
        try:
            barrier.wait()
            answers.append(client.post(url, {**decision_post(), FIELD: token}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    decision = Decision.objects.get()
    assert Order.objects.count() == 1
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {f"/beslut/{decision.pk}/"}


def test_the_resend_is_told_in_swedish_once(login, officer, person, kind):
    client = login(officer)
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    first, second = send_twice(client, url, application_data(kind), token_on(client.get(url)))
    assert Application.objects.count() == 1
    said = "Det här skickades redan; här är resultatet."
    assert said in client.get(second["Location"]).content.decode()
    assert said not in client.get(second["Location"]).content.decode()

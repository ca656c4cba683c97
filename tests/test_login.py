"""Logging in and out, locking after failed attempts, idle sessions, and the role's navigation.

The interface is Swedish by default but not translated yet, so these tests look at addresses
rather than labels wherever they can.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import UserFactory

LOGIN = "/accounts/login/"
WRONG = "The username or password is wrong. Note that both are case-sensitive."


def log_in(client, username, password="pw"):  # noqa: S107
    return client.post(LOGIN, {"username": username, "password": password})


def nav_links(response) -> set[str]:
    match = re.search(r"<nav aria-label=[^>]*>(.*?)</nav>", response.content.decode(), re.S)
    assert match, "the page has no main navigation"
    return set(re.findall(r'href="([^"]+)"', match.group(1)))


def test_logging_in_lands_on_the_start_page_with_the_worklist(client, coordinator, person):
    page = client.get(LOGIN)
    content = page.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    response = log_in(client, "coord")
    assert response.status_code == 302
    assert response["Location"] == "/"
    start = client.get("/")
    assert start.status_code == 200
    assert [case.person for case in start.context["open_cases"]] == [person]
    assert f'href="/personer/{person.pk}/"' in start.content.decode()


def test_logging_in_follows_next_within_the_site_only(client, coordinator):
    response = client.post(
        LOGIN, {"username": "coord", "password": "pw", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    client.logout()
    response = client.post(LOGIN, {"username": "coord", "password": "pw", "next": "/personer/"})
    assert response["Location"] == "/personer/"


def error_summary(response) -> str:
    match = re.search(
        r'<div class="error-summary"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert match, "no error summary on the page"
    return match.group(1)


def test_a_wrong_password_does_not_say_which_field_was_wrong(client, coordinator):
    wrong_password = log_in(client, "coord", "not-the-password")
    unknown_user = log_in(client, "nobody-by-this-name", "pw")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        form = response.context["form"]
        assert set(form.errors) == {"__all__"}
        assert 'class="field-error"' not in response.content.decode()
    # The same message either way, through gettext so it gets its Swedish translation.
    assert error_summary(wrong_password) == error_summary(unknown_user)
    assert gettext(WRONG) in error_summary(wrong_password)


def test_the_username_is_kept_after_a_failed_attempt_but_never_the_password(client, coordinator):
    content = log_in(client, "coord", "hemligt-fel").content.decode()
    assert 'value="coord"' in content
    assert "hemligt-fel" not in content


def test_the_account_is_locked_after_repeated_failures(client, coordinator, officer, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [log_in(client, "coord", f"wrong-{n}").status_code for n in range(5)]
    assert statuses[:4] == [200] * 4
    locked = log_in(client, "coord", "pw")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    # Other accounts are not affected (no lock per address: offices share one).
    response = log_in(client, "off", "pw")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_successful_login_resets_the_count_of_failures(client, coordinator):
    for n in range(4):
        log_in(client, "coord", f"wrong-{n}")
    assert log_in(client, "coord").status_code == 302
    client.post("/accounts/logout/")
    for n in range(4):
        assert log_in(client, "coord", f"wrong-again-{n}").status_code == 200
    assert log_in(client, "coord").status_code == 302


def test_sessions_live_in_the_database_and_end_after_inactivity(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 60 * 60


def test_each_request_pushes_the_idle_limit_forward(client, coordinator, settings):
    log_in(client, "coord")
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get("/")
    expire = Session.objects.get(pk=key).expire_date
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(expire - expected) < timedelta(seconds=30)


def test_an_idle_session_has_expired_and_leads_to_the_login_page(client, coordinator, person):
    log_in(client, "coord")
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(f"/personer/{person.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/personer/{person.pk}/"


def test_logging_out_takes_a_post(client, coordinator):
    log_in(client, "coord")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not Session.objects.exists()
    assert client.get("/").status_code == 302


def test_every_page_offers_logging_out_by_post(login, coordinator):
    content = login(coordinator).get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/">', content)


@pytest.mark.parametrize(
    ("user_fixture", "shown", "hidden"),
    [
        ("officer", {"/", "/personer/"}, {"/atkomstlogg/", "/admin/"}),
        ("coordinator", {"/", "/personer/"}, {"/atkomstlogg/", "/admin/"}),
        ("manager", {"/", "/personer/", "/atkomstlogg/"}, {"/admin/"}),
        ("administrator", {"/", "/admin/"}, {"/personer/", "/atkomstlogg/"}),
        ("analyst", {"/"}, {"/personer/", "/atkomstlogg/", "/admin/"}),
        ("meeting_staff", {"/"}, {"/personer/", "/atkomstlogg/", "/admin/"}),
    ],
)
def test_navigation_shows_only_what_the_role_may_use(request, login, user_fixture, shown, hidden):
    client = login(request.getfixturevalue(user_fixture))
    links = nav_links(client.get("/"))
    assert shown <= links
    assert not hidden & links
    for url in links:
        assert client.get(url).status_code == 200, url


def test_a_user_without_a_role_sees_only_the_start_page(client, org):
    UserFactory(username="nobody")
    log_in(client, "nobody")
    response = client.get("/")
    assert response.status_code == 200
    assert nav_links(response) == {"/"}
    assert client.get("/personer/").status_code == 403


def test_the_anonymous_login_page_has_no_navigation(client):
    content = client.get(LOGIN).content.decode()
    assert "<nav" not in content


def test_the_analysts_start_page_leads_to_the_statistics_report(login, analyst):
    client = login(analyst)
    content = client.get("/").content.decode()
    main = content.split('<main id="main"', 1)[1]
    assert 'href="/statistik/"' in main
    assert "not available in this version" not in main
    assert client.get("/statistik/").status_code == 200

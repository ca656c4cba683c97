"""The self-rating pages in a real browser: axe-core finds nothing, and no horizontal scroll on
a 360 px phone. Staff pages are checked with the demo's ratings (demo/instruments.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from instruments import actions
from instruments.models import Response, RiskAlert
from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser


def _ratings():
    from demo.instruments import load_instruments

    users = {u.username: u for u in get_user_model().objects.all()}
    load_instruments(users, datetime.date.today())
    return users


def _check(page, url):
    page.goto(url)
    assert not structure_problems(page), structure_problems(page)
    assert_accessible(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{url}: {width}px wide"


def test_the_public_form_on_a_phone(page):
    users = _ratings()
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    _link, token = actions.send_home_link(
        user=users["coordinator"], person=elin, code="madrs-s", occasion="visit"
    )
    page.set_viewport_size({"width": 360, "height": 740})
    _check(page, f"/skatta/{token}/")
    page.locator("#id_q_1_2").check()
    page.locator("button[name=save]").click()
    page.wait_for_load_state()
    assert page.locator("#id_q_1_2").is_checked()
    assert_accessible(page)
    page.locator("button[name=submit]").click()
    page.wait_for_load_state()
    assert "/skatta/tack/" in page.url
    _check(page, "/skatta/tack/")
    _check(page, f"/skatta/{token}/")  # used: the kind page
    assert not page.problems, page.problems


def test_the_staff_pages(page):
    _ratings()
    alert = RiskAlert.objects.get()
    elin = alert.person
    draft = actions.start_response(
        user=alert.response.created_by,
        person=elin,
        code="en-vanlig-dag",
        occasion="visit",
        administered_on=datetime.date.today(),
    )
    ali = Person.objects.get(first_name="Ali", last_name="Testsson")
    complete = Response.objects.filter(person=ali, code="madrs-s").first()
    log_in(page, "coordinator")
    for url in [
        "/",
        f"/personer/{elin.pk}/",
        f"/skattningar/person/{elin.pk}/ny/",
        f"/skattningar/person/{elin.pk}/hemlank/",
        f"/skattningar/{draft.pk}/svar/",
        f"/skattningar/{alert.response_id}/",
        f"/skattningar/risker/{alert.pk}/",
        "/skattningar/risker/",
    ]:
        _check(page, url)
    page.goto(f"/skattningar/{draft.pk}/svar/")
    page.locator("button[name=complete]").click()
    page.wait_for_load_state()
    page.context.clear_cookies()
    log_in(page, "coordinator3")
    for url in [
        f"/personer/{ali.pk}/",
        f"/skattningar/{complete.pk}/",
        f"/skattningar/person/{ali.pk}/jamfor/en-vanlig-dag/",
    ]:
        page.set_viewport_size({"width": 1280, "height": 900})
        _check(page, url)
    assert not page.problems, page.problems

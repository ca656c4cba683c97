"""From the public form to a closed intake and an assessment talk, in the browser.

Every page on the way (and every form sent back with errors) is checked with axe-core: the demo
data has no intakes, so the crawl in test_accessibility.py alone would not reach these pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from intake.models import Intake
from organisation.models import Service
from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser


def check(page) -> None:
    assert not structure_problems(page), structure_problems(page)
    assert_accessible(page)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").first.click()


def send_web_intake(page) -> None:
    page.goto("/anmalan/")
    page.check("#id_writer_1")
    page.fill("#id_relation", "mamma")
    page.fill("#id_name", "Eva Fiktiv")
    page.fill("#id_phone", "070-000 00 01")
    page.fill("#id_person_name", "Elin")
    page.fill("#id_age", "26")
    page.fill("#id_description", "Elin har inte lämnat lägenheten på ett år.")
    submit(page)
    assert urlsplit(page.url).path == "/anmalan/tack/"
    check(page)


def test_an_intake_from_the_web_form_is_triaged_and_closed(page):
    send_web_intake(page)
    Service.objects.get_or_create(name="KBT via nätet", defaults={"organisation": "region"})
    log_in(page, "officer")
    check(page)  # the start page with the worklist
    page.locator("header nav a[href='/aktualiseringar/']").click()
    page.wait_for_load_state()
    check(page)
    assert page.locator("main .tag").first.is_visible(), "marked new from the web form"
    # The demo inbox holds other intakes too: open the one just sent (new, about Elin).
    sent = page.locator("main table tr", has_text="Elin").filter(has=page.locator(".tag"))
    sent.locator("a[href^='/aktualiseringar/']").first.click()
    page.wait_for_load_state()
    check(page)
    intake_path = urlsplit(page.url).path

    page.locator(f"main a[href='{intake_path}anteckning/']").click()
    page.wait_for_load_state()
    check(page)
    page.fill("#id_text", "")
    submit(page)
    assert page.locator(".field-error").count() == 1, page.locator(".error-summary").inner_text()
    check(page)
    page.fill("#id_text", "Ringde mamman. Elin vet om kontakten.")
    submit(page)
    check(page)

    page.locator(f"main a[href='{intake_path}andra/']").click()
    page.wait_for_load_state()
    check(page)

    page.goto(intake_path)
    page.locator(f"main a[href='{intake_path}koppla-person/']").click()
    page.wait_for_load_state()
    submit(page)
    assert page.locator(".field-error").count() == 1
    check(page)
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    page.fill("#id_number", elin.display_number)
    submit(page)
    assert urlsplit(page.url).path == intake_path

    page.locator(f"main a[href='{intake_path}avsluta/']").click()
    page.wait_for_load_state()
    check(page)
    submit(page)
    assert page.locator(".error-summary").is_visible()
    check(page)
    page.check("#id_outcome_0")
    page.fill("#id_reason", "Erbjuds bedömningssamtal.")
    submit(page)
    assert Intake.objects.get(pk=intake_path.rstrip("/").rsplit("/", 1)[-1]).status == "closed"
    check(page)

    page.locator(f"main a[href='{intake_path}bedomningssamtal/']").click()
    page.wait_for_load_state()
    check(page)
    page.fill("#id_held_on", "2025-03-10")
    page.check("#id_place_0")
    page.check("#id_staff_0")
    submit(page)
    assert page.locator(".field-error").count() == 1, "one staff member is not enough"
    check(page)
    page.check("#id_staff_1")
    submit(page)
    assert "/aktualiseringar/samtal/" in page.url
    check(page)

    page.locator("main a[href$='/utfall/']").click()
    page.wait_for_load_state()
    check(page)
    page.check("#id_outcome_1")
    submit(page)
    assert page.locator(".error-summary").is_visible()
    check(page)

    page.goto(f"/personer/{elin.pk}/")
    check(page)
    page.goto("/aktualiseringar/tjanster/")
    check(page)
    assert not page.problems

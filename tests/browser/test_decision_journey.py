"""From an application to a decision, its letter, its sending, an appeal and an order, in the
browser, as the demo officer; and the refusal a user without delegation sees.

Every page on the way, and every form sent back with errors, is checked with axe-core.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from decisions.models import Appeal, AppealStatus, Decision
from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser


def check(page) -> None:
    assert not structure_problems(page), structure_problems(page)
    assert_accessible(page)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").first.click()


def follow(page, href: str) -> None:
    with page.expect_navigation():
        page.locator(f"main a[href='{href}']").first.click()
    check(page)


def waiting_application(page, username: str):
    hugo = Person.objects.get(first_name="Hugo", last_name="Prövning")
    application = hugo.applications.get()
    log_in(page, username)
    page.goto(f"/personer/{hugo.pk}/")
    check(page)
    follow(page, f"/beslut/ansokan/{application.pk}/")
    return application


def test_an_application_becomes_a_rejection_with_its_letter_and_an_appeal(page):
    application = waiting_application(page, "officer")
    follow(page, f"/beslut/ansokan/{application.pk}/beslut/")

    submit(page)
    assert page.locator(".field-error").count() >= 2, "an empty decision is refused"
    assert page.locator(".error-summary").is_visible()
    check(page)

    page.check("#id_outcome_2")  # rejection
    page.fill("#id_content", "Ansökan om stöd för att bryta isolering avslås.")
    page.fill("#id_reasons", "Behovet tillgodoses genom Tingets öppna verksamhet.")
    submit(page)
    assert "FL 25 §" in page.locator("main").inner_text(), "communication comes first"
    assert page.input_value("#id_reasons") == "Behovet tillgodoses genom Tingets öppna verksamhet."
    check(page)

    page.goto(f"/beslut/ansokan/{application.pk}/kommunicering/")
    check(page)
    page.fill("#id_communicated_on", application.applied_on.isoformat())
    page.fill("#id_communication_method", "brev")
    page.fill("#id_communication_response", "Hugo vill ändå ha hembesök.")
    submit(page)
    assert urlsplit(page.url).path == f"/beslut/ansokan/{application.pk}/"
    check(page)

    follow(page, f"/beslut/ansokan/{application.pk}/beslut/")
    page.check("#id_outcome_2")
    page.fill("#id_content", "Ansökan om stöd för att bryta isolering avslås.")
    page.fill("#id_reasons", "Behovet tillgodoses genom Tingets öppna verksamhet.")
    submit(page)
    decision = Decision.objects.get(application=application)
    assert urlsplit(page.url).path == f"/beslut/{decision.pk}/"
    check(page)

    with page.expect_download() as download:
        page.locator(f"main a[href='/beslut/{decision.pk}/brev.pdf']").click()
    assert download.value.suggested_filename == f"beslut-{decision.number}.pdf"

    follow(page, f"/beslut/{decision.pk}/utskick/")
    page.check("#id_method_0")
    page.fill("#id_received_on", page.input_value("#id_sent_on"))
    submit(page)
    assert decision.deliveries.count() == 1
    check(page)

    follow(page, f"/beslut/{decision.pk}/overklagande/")
    assert page.input_value("#id_decision_received_on") == page.input_value("#id_received_on")
    page.fill("#id_content", "Jag vill ha hembesök.")
    submit(page)
    appeal = Appeal.objects.get(decision=decision)
    assert appeal.in_time
    check(page)

    follow(page, f"/beslut/overklagande/{appeal.pk}/steg/")
    assert page.locator("input[value=dismissed]").count() == 0, "in time: never dismissed"
    page.check("input[value=forwarded]")
    submit(page)
    assert page.locator(".field-error").count() == 2
    check(page)
    page.check("input[value=forwarded]")
    page.fill("#id_forwarded_on", page.input_value("#id_forwarded_on") or "2026-11-23")
    page.fill("#id_court", "Förvaltningsrätten i Exempelstad")
    submit(page)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FORWARDED
    check(page)
    assert not page.problems


def test_a_user_without_delegation_is_told_so_and_keeps_what_was_typed(page):
    application = waiting_application(page, "manager")
    follow(page, f"/beslut/ansokan/{application.pk}/beslut/")
    page.check("#id_outcome_0")
    page.fill("#id_content", "Hembesök en gång i veckan.")
    page.fill("#id_period_from", "2026-12-01")
    page.fill("#id_period_to", "2027-11-30")
    page.select_option("#id_provider_unit", index=1)
    submit(page)
    # The delegation message names the kind of support and the date, in either language.
    summary = page.locator(".error-summary").inner_text()
    assert "Stöd för att bryta isolering" in summary
    assert page.input_value("#id_decided_on") in summary
    assert page.input_value("#id_content") == "Hembesök en gång i veckan."
    assert not Decision.objects.filter(application=application).exists()
    check(page)


def test_a_grant_registered_in_the_browser_creates_an_order(page):
    tilda = Person.objects.get(first_name="Tilda", last_name="Fiktivsson")
    log_in(page, "officer")
    page.goto(f"/personer/{tilda.pk}/")
    follow(page, f"/beslut/person/{tilda.pk}/ansokan/ny/")
    submit(page)
    assert page.locator(".field-error").count() >= 1
    check(page)
    page.select_option("#id_support_kind", label="Stöd för att bryta isolering")
    page.check("#id_form_0")
    page.fill("#id_what", "Tilda ansöker om stöd för att bryta isoleringen.")
    submit(page)
    application = tilda.applications.get()
    follow(page, f"/beslut/ansokan/{application.pk}/beslut/")
    page.check("#id_outcome_0")
    page.fill("#id_content", "Stöd för att bryta isolering beviljas.")
    page.fill("#id_goals", "Att gå till träffpunkten varje vecka.")
    page.fill("#id_period_from", "2026-12-01")
    page.fill("#id_period_to", "2027-11-30")
    page.select_option("#id_provider_unit", label="Team Syd – bryta isolering")
    submit(page)
    decision = Decision.objects.get(application=application)
    assert decision.order.provider_unit.name == "Team Syd – bryta isolering"
    assert "Team Syd – bryta isolering" in page.locator("main").inner_text()
    check(page)
    page.goto(f"/personer/{tilda.pk}/")
    assert decision.number in page.locator("main").inner_text()
    check(page)
    assert not page.problems

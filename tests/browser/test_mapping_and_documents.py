"""A mapping from start to completion, and a document attached and downloaded, in the browser.

Every page on the way, and every form sent back with errors, is checked with axe-core: the demo
data has no mappings or documents, so the crawl in test_accessibility.py alone reaches only the
start and upload forms.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from documents.models import Attachment
from mapping.models import Mapping, MappingStatus
from organisation.models import LifeArea
from people.models import Person
from tests.browser.support import assert_accessible, log_in, structure_problems

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(13)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


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


@pytest.fixture
def elin(demo):
    # The transactional test database has lost the seeded life areas; put three back.
    for code, name, position in [
        ("hemliv", "Hemliv", 6),
        ("relationer", "Mellanmänskliga interaktioner och relationer", 7),
        ("trygghet", "Känsla av trygghet", 10),
    ]:
        LifeArea.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    return Person.objects.get(first_name="Elin", last_name="Fiktiv")


def test_a_mapping_is_started_held_and_completed(page, elin):
    log_in(page, "coordinator")
    page.goto(f"/personer/{elin.pk}/")
    check(page)
    follow(page, f"/kartlaggning/{elin.pk}/ny/")
    submit(page)
    mapping = Mapping.objects.get(person=elin)
    base = f"/kartlaggning/{mapping.pk}/"
    assert urlsplit(page.url).path == base
    check(page)

    follow(page, f"{base}tillfalle/ny/")
    submit(page)  # only the coordinator is ticked: one staff member is not enough
    assert page.locator(".field-error").count() == 1
    check(page)
    page.get_by_label("Alva Stödjare").check()
    page.fill("#id_notes", "Första tillfället, hemma hos Elin.")
    submit(page)
    assert mapping.sessions.count() == 1
    check(page)

    follow(page, f"{base}behov/")
    home = LifeArea.objects.get(code="hemliv")
    page.fill(f"#id_area-{home.pk}-description", "Lämnar sällan lägenheten.")
    submit(page)  # a description without an extent
    assert page.locator(".field-error").count() == 1
    check(page)
    page.select_option(f"#id_area-{home.pk}-extent", "3")
    submit(page)
    assert mapping.needs.get().extent == 3
    check(page)

    follow(page, f"{base}avbryt/")
    submit(page)
    assert page.locator(".field-error").count() == 2
    check(page)
    page.goto(base)

    follow(page, f"{base}avsluta/")
    submit(page)
    assert page.locator(".field-error").count() == 2
    check(page)
    page.fill("#id_needs_account", "Elin behöver stöd i att lämna hemmet.")
    page.fill("#id_recommendation", "Ansök om stöd för att bryta isolering.")
    submit(page)
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.COMPLETED
    assert page.locator("main .notice").is_visible(), "an ended mapping says it is read-only"
    check(page)

    page.goto(f"/personer/{elin.pk}/")
    check(page)
    assert page.locator(f"main a[href='{base}']").count() == 1
    assert not page.problems


def test_a_document_is_attached_and_downloaded(page, elin):
    log_in(page, "officer")
    page.goto(f"/personer/{elin.pk}/")
    follow(page, f"/dokument/{elin.pk}/ny/")

    page.set_input_files(
        "#id_file", files=[{"name": "ansokan.pdf", "mimeType": "application/pdf", "buffer": HTML}]
    )
    page.check("#id_kind_0")
    submit(page)
    assert page.locator(".field-error").count() == 1, "HTML named .pdf is refused"
    check(page)

    page.set_input_files(
        "#id_file", files=[{"name": "ansokan.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    page.fill("#id_title", "Ansökan, inskannad")
    page.check("#id_kind_0")
    submit(page)
    assert urlsplit(page.url).path == f"/personer/{elin.pk}/"
    check(page)

    attachment = Attachment.objects.get(person=elin)
    with page.expect_download() as download:
        page.locator(f"main a[href='/dokument/{attachment.pk}/']").click()
    assert download.value.suggested_filename == "ansokan.png"
    assert not page.problems

"""The timeline as a PDF that proves dates, and who may read the timeline."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessLogEntry
from people.access import grant_reasoned_access
from people.models import CaseStaff


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def test_the_pdf_shows_municipality_person_printer_dates_and_page_numbers(
    person, coordinator, whole_case, login, settings
):
    settings.MUNICIPALITY_NAME = "Exempelby kommun"
    response = login(coordinator).get(reverse("timeline:pdf", args=[person.pk]))
    text, pages = pdf_text(response)
    assert "Exempelby kommun" in text
    assert "Tidslinje för Elin Fiktiv" in text
    assert person.display_number in text
    assert f"av {coordinator.get_full_name()}" in text
    assert f"Sida 1 av {pages}" in text
    assert "Urval Allt" in text
    assert f"Tidslinje för Elin Fiktiv, {person.display_number}" in text  # on every page
    # Each entry with its day, its kind (in Swedish: the PDF is the authority's document) and
    # the time it was registered.
    for day in ("2026-01-05", "2026-02-20", "2026-03-11", "2026-06-30", "2027-01-07"):
        assert day in text, day
    assert "2026-03-11 16:00" in text  # the note signed 15:00 UTC, registered 16:00 in Sweden
    for kind in ("Aktualiseringar", "Beslut", "Journalanteckningar", "Avslut"):
        assert kind in text, kind


def test_the_pdf_follows_the_filter(person, coordinator, whole_case, login):
    url = reverse("timeline:pdf", args=[person.pk])
    response = login(coordinator).get(url, {"kinds": ["closure"], "start": "2026-06-01"})
    text, _ = pdf_text(response)
    assert "2026-06-30" in text
    assert "2026-01-05" not in text
    assert "Antal poster 1" in text


def test_printing_is_logged_as_an_export(person, coordinator, whole_case, login):
    login(coordinator).get(reverse("timeline:pdf", args=[person.pk]), {"kinds": ["closure"]})
    logged = AccessLogEntry.objects.filter(user_id=coordinator.pk, action="export")
    assert sorted(logged.values_list("record_type", flat=True)) == ["closure", "timeline"]


@pytest.mark.parametrize("name", ["timeline:person", "timeline:pdf"])
def test_a_colleague_must_give_a_reason_and_the_read_is_logged_with_it(
    person, colleague, whole_case, login, name
):
    client = login(colleague)
    url = reverse(name, args=[person.pk])
    assert client.get(url)["Location"].split("?")[0] == reverse("people:reason", args=[person.pk])
    grant_reasoned_access(user=colleague, person=person, reason="Vikarierar")
    assert client.get(url).status_code == 200
    reasons = set(
        AccessLogEntry.objects.filter(user_id=colleague.pk, record_type="timeline").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"Vikarierar"}


@pytest.mark.parametrize("who", ["analyst", "meeting_staff", "administrator"])
@pytest.mark.parametrize("name", ["timeline:person", "timeline:pdf"])
def test_roles_without_case_work_are_denied(person, login, request, who, name):
    user = request.getfixturevalue(who)
    assert login(user).get(reverse(name, args=[person.pk])).status_code == 403


@pytest.mark.parametrize("name", ["timeline:person", "timeline:pdf"])
def test_a_protected_person_is_hidden_from_all_but_the_named_staff(
    person, coordinator, officer, colleague, manager, whole_case, login, name
):
    person.protected_identity = True
    person.save()
    url = reverse(name, args=[person.pk])
    for outsider in (officer, colleague, manager):  # none of them is named on the case
        assert not CaseStaff.objects.filter(user=outsider).exists()
        assert login(outsider).get(url).status_code == 404
    assert login(coordinator).get(url).status_code == 200


def test_the_pdf_of_a_protected_person_carries_a_warning(person, coordinator, whole_case, login):
    person.protected_identity = True
    person.save()
    text, _ = pdf_text(login(coordinator).get(reverse("timeline:pdf", args=[person.pk])))
    assert "Skyddad identitet" in text


def test_the_pdf_names_its_columns_as_the_page_does(
    person, coordinator, whole_case, login, settings
):
    settings.LANGUAGE_CODE = "sv"  # the page as most users read it, in Swedish
    client = login(coordinator)
    page = client.get(reverse("timeline:person", args=[person.pk]))
    head = page.content.decode().split("<thead>")[1].split("</thead>")[0]
    columns = re.findall(r'<th scope="col">([^<]+)</th>', head)
    assert columns == ["Datum", "Typ", "Vad", "Registrerad", "Av"]
    text, _ = pdf_text(client.get(reverse("timeline:pdf", args=[person.pk])))
    assert " ".join(columns) in text  # the same heads, in the same order
    assert "Slag" not in text and "Händelse" not in text


def test_rows_without_a_registration_time_are_not_offered_as_proof(
    person, coordinator, whole_case, login
):
    # The fixture writes records directly, as history from an earlier system comes in: the
    # steps that keep only a date (an intake closed, an order accepted) have no registration.
    text, _ = pdf_text(login(coordinator).get(reverse("timeline:pdf", args=[person.pk])))
    assert "ingen registreringstid i Brygga" in text
    assert "styrker inte när" in text
    page = login(coordinator).get(reverse("timeline:person", args=[person.pk]))
    assert "can serve as proof of dates" not in page.content.decode()


def test_a_step_registered_through_brygga_carries_its_time_from_the_access_log(
    person, coordinator, officer, login
):
    from django.utils import timezone

    from mapping import actions as mapping_actions

    mapping = mapping_actions.start_mapping(
        user=coordinator, person=person, case=person.cases.get(), started_on=timezone.localdate()
    )
    logged = AccessLogEntry.objects.get(record_type="mapping", record_id=str(mapping.pk))
    text, _ = pdf_text(login(coordinator).get(reverse("timeline:pdf", args=[person.pk])))
    assert "ingen registreringstid" not in text
    started = logged.at.astimezone(timezone.get_current_timezone())
    assert f"Kartläggningen påbörjad {started:%Y-%m-%d} {started:%H:%M}" in text

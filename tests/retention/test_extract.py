"""The register extract: every kind of record, as JSON and as PDF, for the manager, logged."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from audit.models import AccessLogEntry
from retention.extract import _title
from retention.graph import collect
from retention.models import RegisterExtract
from tests.access_log import was_read
from tests.background import extract_file


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def made(full_record):
    return RegisterExtract.objects.get(person=full_record)


def test_the_manager_records_a_request_and_it_is_logged(login, manager, person):
    client = login(manager)
    url = f"/registerutdrag/person/{person.pk}/"
    response = client.post(
        url, {"requested_by": "representative", "requester_name": "", "requested_on": "2026-03-02"}
    )
    assert response.status_code == 200
    assert "Give the name of whoever asked" in response.content.decode()
    response = client.post(
        url,
        {
            "requested_by": "representative",
            "requester_name": "God Man Gustavsson",
            "requested_on": "2026-03-02",
        },
    )
    made = RegisterExtract.objects.get(person=person)
    assert response.status_code == 302
    assert (made.requester_name, made.requested_on, made.produced_by) == (
        "God Man Gustavsson",
        datetime.date(2026, 3, 2),
        manager,
    )
    assert AccessLogEntry.objects.filter(
        person_id=person.pk, record_type="register_extract", action="create", user=manager
    ).exists()


def test_a_request_dated_in_the_future_or_not_a_date_is_refused_in_words(login, manager, person):
    client = login(manager)
    url = f"/registerutdrag/person/{person.pk}/"
    for day in ["2999-01-01", "igår"]:
        response = client.post(url, {"requested_by": "person", "requested_on": day})
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
    assert not RegisterExtract.objects.exists()


def test_the_json_holds_every_kind_of_record(login, manager, made, full_record):
    response = extract_file(login(manager), made, "json")
    assert response.status_code == 200
    data = json.loads(response.content)
    kinds = {section["kind"] for section in data["records"]}
    expected = {m._meta.label for m in collect([full_record.pk]).models()}
    assert kinds == expected
    assert data["person_id"] == str(full_record.pk)
    text = response.content.decode()
    # Staff are named; whoever notified the service, and the network's phone numbers, are not.
    assert "Ulla Anmälare" not in text and "070-1111111" not in text
    assert "070-2222222" not in text
    assert "Eva Anhörig" in text
    assert "Handläggning av överklagande" in text  # a reason given to open the record
    assert "Jag håller inte med" in text  # the person's objection to a signed note
    assert any(e["record"] for e in data["access_log"])


def test_the_pdf_holds_every_kind_of_record_and_the_access_log(login, manager, made, full_record):
    response = extract_file(login(manager), made, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    with translation.override("sv"):
        titles = {m._meta.label: _title(m) for m in collect([full_record.pk]).models()}
    missing = [label for label, title in titles.items() if title not in text]
    assert not missing, f"Kinds of record not in the PDF: {missing}"
    assert "Vem som har läst eller ändrat" in text
    assert "Handläggning av överklagande" in text
    assert "Ulla Anmälare" not in text
    assert full_record.full_name in text


def test_each_download_is_logged_as_an_export(login, manager, made):
    client = login(manager)
    extract_file(client, made, "json")
    extract_file(client, made, "pdf")
    exports = AccessLogEntry.objects.filter(
        person_id=made.person_id, action="export", record_type="register_extract", user=manager
    )
    assert sorted(exports.values_list("detail", flat=True)) == ["json", "pdf"]


def test_only_the_manager_of_the_persons_units_gets_the_extract(
    login, made, coordinator, officer, org
):
    from organisation.models import Role
    from tests.factories import UserFactory

    other_manager = UserFactory(roles=[(org["other_authority"], Role.MANAGER)])
    assert extract_file(login(coordinator), made, "json").status_code == 403
    assert extract_file(login(officer), made, "json").status_code == 403
    assert extract_file(login(other_manager), made, "json").status_code == 403


def test_a_protected_identity_is_not_found_by_another_manager(login, person, org):
    from organisation.models import Role
    from people.models import Person
    from tests.factories import UserFactory

    Person.objects.filter(pk=person.pk).update(protected_identity=True)
    unit_manager = UserFactory(roles=[(org["authority"], Role.MANAGER)])
    response = login(unit_manager).get(f"/registerutdrag/person/{person.pk}/")
    assert response.status_code == 404


def test_the_search_finds_people_of_the_managers_units_and_logs_it(login, manager, person):
    response = login(manager).get("/registerutdrag/", {"q": person.last_name})
    assert person.full_name.split()[0] in response.content.decode()
    assert was_read(person, manager, action="search")


def test_the_manager_marks_and_withdraws_an_exception_on_the_page(login, manager, person):
    from retention.models import RetentionException

    client = login(manager)
    case = person.cases.get()
    url = f"/registerutdrag/person/{person.pk}/undantag/"
    response = client.post(url, {"case": case.pk, "reason": ""})
    assert response.status_code == 200 and not RetentionException.objects.exists()
    response = client.post(url, {"case": case.pk, "reason": "Tvist om skadestånd"})
    assert response.status_code == 302
    exception = RetentionException.objects.get()
    assert exception.reason == "Tvist om skadestånd" and exception.created_by == manager
    page = client.get(f"/registerutdrag/person/{person.pk}/").content.decode()
    assert "Tvist om skadestånd" in page
    client.post(f"/registerutdrag/undantag/{exception.pk}/aterkalla/")
    exception.refresh_from_db()
    assert exception.withdrawn_by == manager
    logged = AccessLogEntry.objects.filter(record_type="retention_exception", user=manager)
    assert sorted(logged.values_list("action", flat=True)) == ["create", "update"]


def test_the_person_page_links_the_manager_to_the_extract(login, manager, coordinator, person):
    link = f"/registerutdrag/person/{person.pk}/"
    assert link in login(manager).get(f"/personer/{person.pk}/").content.decode()
    assert link not in login(coordinator).get(f"/personer/{person.pk}/").content.decode()


def test_the_person_section_runs_a_constant_number_of_queries(
    login, manager, person, django_assert_max_num_queries
):
    from retention import actions

    client = login(manager)
    client.get(f"/personer/{person.pk}/")
    for n in range(5):
        actions.mark_exception(user=manager, case=person.cases.get(), reason=f"Skäl {n}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/personer/{person.pk}/")
    for n in range(10):
        actions.mark_exception(user=manager, case=person.cases.get(), reason=f"Mer {n}")
    with django_assert_max_num_queries(len(few)):
        client.get(f"/personer/{person.pk}/")


def test_the_extract_page_lists_cullings_in_a_constant_number_of_queries(
    login, manager, person, django_assert_max_num_queries
):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from retention.models import CullRecord

    def culled(n):
        for _ in range(n):
            CullRecord.objects.create(
                person_id=person.pk,
                counts={"people.Person": 1},
                rule="retention_period",
                last_entry_on=dt.date(2019, 1, 1),
                due_on=dt.date(2024, 1, 1),
                deadline=dt.date(2025, 12, 31),
                culled_on=dt.date(2024, 1, 2),
            )

    client = login(manager)
    culled(1)
    with CaptureQueriesContext(connection) as few:
        client.get("/registerutdrag/", {"q": person.last_name})
    culled(15)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/registerutdrag/", {"q": person.last_name})
    assert response.content.decode().count("People: 1") == 16


def test_the_pdf_speaks_swedish_and_shows_times_as_people_write_them(
    login, manager, made, full_record
):
    text = pdf_text(extract_file(login(manager), made, "pdf").content)
    # Fields declared without a label of their own are named in Swedish, not by their code.
    for english in ["Created at", "Created by", "Closed by", "Support kind", "Application"]:
        assert english not in text
    assert "Registrerad av" in text
    # No ISO timestamps ("2026-03-04T14:05:00+01:00") in a letter to the person.
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert f"Personnummer {full_record.display_number}" in text


def test_a_self_rating_in_the_pdf_is_in_words_not_codes(login, manager, made, full_record):
    from demo.instruments import load_demo_wording
    from instruments.models import Response

    load_demo_wording()  # the described answers are the loaded text of the form
    band = {"code": "moderate", "label": "Måttlig depression", "low": 20, "high": 34}
    Response.objects.filter(person=full_record).update(
        status="complete",
        answers={"9": 0, "1": 6, "2": 3},
        total=26.0,
        computable=True,
        band_code="moderate",
        score={"computable": True, "total": 26.0, "band": band, "bands": [band], "notes": []},
    )
    text = pdf_text(extract_file(login(manager), made, "pdf").content)
    assert "MADRS-S – självskattning" in text
    assert "Sinnesstämning:" in text and "Livslust:" in text
    # A step between two described answers is named by them, never a bare number.
    flat = " ".join(text.split())
    assert "Oroskänslor: 3 – mellan" in flat, flat[
        flat.find("Oroskänslor") : flat.find("Oroskänslor") + 120
    ]
    assert "Måttlig depression" in text
    assert "{'" not in text and "moderate" not in text and "26.0" not in text


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_the_pdf_names_records_in_words_and_roles_in_swedish(login, manager, made, full_record):
    text = pdf_text(extract_file(login(manager), made, "pdf").content)
    assert not UUID.search(text.replace(" ", "")), UUID.search(text.replace(" ", ""))
    # A link to another row names it as its page does: the case by the day it was opened.
    case = full_record.cases.get()
    assert f"Ärende Ärende öppnat {case.opened_on:%Y-%m-%d}" in text
    assert "Roll i ärendet Koordinator" in text
    assert "coordinator" not in text
    # The JSON keeps the ids, to join its rows, and names each row in words too.
    data = json.loads(extract_file(login(manager), made, "json").content)
    assert data["references"][f"people.Case:{case.pk}"].endswith(f"{case.opened_on}")


def test_the_access_log_says_who_with_their_role_when_what_and_why(
    login, manager, officer, made, full_record
):
    text = pdf_text(extract_file(login(manager), made, "pdf").content)
    assert "När Vem Vad Varför" in text
    # The officer read the record outside their cases, with a reason: name, role and reason.
    assert re.search(
        rf"{officer.get_full_name()} \((Ansvarig )?[Hh]andläggare\) .*Handläggning av överklagande",
        text,
    )
    assert "Arbete med ditt ärende" in text  # staff on the case need no reason: their work


def test_the_persons_own_use_of_a_link_is_one_row_in_their_words(login, manager, made, full_record):
    from instruments.actions import open_link
    from instruments.models import HomeLink

    link = HomeLink.objects.get(response__person=full_record)
    for _ in range(10):
        open_link(link)
    text = pdf_text(extract_file(login(manager), made, "pdf").content)
    assert text.count("Du öppnade länken 10 gånger") == 1
    assert "Du själv, via länken" in text
    assert "MADRS-S" in text.split("Vem som har läst")[1]
    assert "Brygga (automatiskt)" not in text
    assert text.count("Länk för självskattning") <= 1  # its creation by the coordinator


def test_the_last_entry_is_never_in_the_future(login, manager, coordinator, person):
    from django.utils import timezone

    from delivery import actions as delivery

    today = timezone.localdate()
    ahead = timezone.now() + datetime.timedelta(days=120)
    delivery.plan_visit(user=coordinator, person=person, planned_at=ahead, place="Hemma")
    page = login(manager).get(f"/registerutdrag/person/{person.pk}/").content.decode()
    shown = re.search(r"<dt>(?:Senaste anteckning|Last entry)</dt><dd>([^<]+)</dd>", page)
    assert shown is not None, page
    assert datetime.date.fromisoformat(shown.group(1)) <= today
    assert f"{ahead:%Y-%m-%d}" not in page

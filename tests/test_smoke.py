"""Smoke tests: the few paths that touch every native and version-sensitive dependency.

`scripts/other_pythons.sh` runs these on every other CPython 3.11-3.13 the machine has, after
installing the lock there and running migrate and load_demo, so the README's "Python 3.11+" is
checked, not assumed.
"""

import io

import openpyxl
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessLogEntry


def test_coordinator_opens_assigned_person_and_the_read_is_logged(login, coordinator, person):
    response = login(coordinator).get(f"/personer/{person.pk}/")
    assert response.status_code == 200
    assert "Elin Fiktiv" in response.content.decode()
    entry = AccessLogEntry.objects.get(person_id=person.pk, action="read")
    assert entry.user == coordinator


def test_a_user_logs_in_with_a_password_on_the_swedish_login_page(client, coordinator):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'lang="sv"' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "coord", "password": "pw"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_pdf_is_rendered_with_the_persons_name(login, coordinator, person):
    response = login(coordinator).get(reverse("timeline:pdf", args=[person.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Elin Fiktiv" in text


def test_the_statistics_export_as_excel(login, analyst):
    response = login(analyst).get(
        "/statistik/statistik.xlsx", {"start": "2025-01-01", "end": "2025-12-31"}
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames

"""The Excel workbook's sheets have names chosen to fit Excel's 31 characters, not cut mid-word."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
LIMIT = 31  # Excel's longest sheet name


def _workbook(client):
    response = client.get("/statistik/statistik.xlsx", PERIOD)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _cut_from(name: str, heading: str) -> bool:
    """Whether the name is the heading cut short in the middle of a word."""
    plain = "".join(c for c in heading if c not in "[]:*?/\\")
    return any(
        len(text) > len(name) and text.startswith(name) and text[len(name)].isalnum()
        for text in (heading, plain)
    )


def test_the_sheets_have_names_of_their_own_in_swedish(login, analyst):
    workbook = _workbook(login(analyst))
    assert workbook.sheetnames == [
        "Rapport",
        "Aktualiseringar",
        "Personer i insats och beslut",
        "Kontakttid",
        "Beslut och överklaganden",
        "Ärendebelastning och besök",
        "Grupper och träffpunkter",
        "Efter insatsen",
    ]


def _section_titles(client) -> list[str]:
    """The report's sections, by their full titles, as the CSV export names them."""
    response = client.get("/statistik/statistik.csv", PERIOD)
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return list(dict.fromkeys(row["section"] for row in rows))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_sheet_name_is_a_section_title_cut_short(login, analyst, language):
    client = login(analyst)
    with translation.override(language):  # the pages switch the thread's language: undo it after
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        titles = _section_titles(client)
        sheets = _workbook(client).worksheets[1:]
    assert len(sheets) == len(titles)
    for sheet, title in zip(sheets, titles, strict=True):
        assert len(sheet.title) <= LIMIT
        assert not _cut_from(sheet.title, title), f"{sheet.title!r} is {title!r} cut short"
    for sheet, title in zip(sheets, titles, strict=True):
        assert sheet["A1"].value == title  # the full title heads the sheet
    assert len(set(sheet.title for sheet in sheets)) == len(sheets)

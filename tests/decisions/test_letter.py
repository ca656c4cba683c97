"""The decision letter, read back from the PDF as text: what the person gets in their hand."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from decisions.letters import letter_pdf
from decisions.models import Outcome


def text_of(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # A word broken at its hyphen at the end of a line ("e-" / "post") reads as one again.
    return re.sub(r"(\w-)\s+(?=\w)", r"\1", re.sub(r"\s+", " ", text))


APPEAL_INSTRUCTION = [
    "Hur du överklagar",
    "skriftligt",
    "tre veckor från den dag du fick del av beslutet",
    "Omsorgsnämnden, Exempelby kommun",  # sent to the board
    "vilket beslut du överklagar",  # what the appeal must contain
    "hur du vill att beslutet ska ändras",
    "omprövning",  # the board reconsiders first
    "förvaltningsrätten",
]


def test_a_rejection_letter_states_the_decision_its_reasons_and_how_to_appeal(
    decide, communicated, settings
):
    settings.MUNICIPALITY_NAME = "Exempelby kommun"
    decision = decide(
        outcome=Outcome.REJECTION,
        content="Ansökan om stöd för att bryta isolering avslås.",
        reasons="Elin har redan boendestöd som tillgodoser behovet av stöd i vardagen.",
        period_from=None,
        period_to=None,
    )
    text = text_of(letter_pdf(decision))
    assert "Exempelby kommun" in text
    assert decision.number in text
    assert "Avslag" in text
    assert "Skäl för beslutet" in text
    assert "tillgodoser behovet av stöd i vardagen" in text
    assert "Elin Fiktiv" in text
    for phrase in APPEAL_INSTRUCTION:
        assert phrase in text, phrase


def test_a_partial_grant_letter_says_delvis_bifall_and_how_to_appeal(decide, communicated):
    decision = decide(outcome=Outcome.PARTIAL, reasons="Transport till besöken beviljas inte.")
    text = text_of(letter_pdf(decision))
    assert "Delvis bifall" in text
    assert "Transport till besöken beviljas inte." in text
    assert "2026-03-09" in text and "2027-03-08" in text
    for phrase in APPEAL_INSTRUCTION:
        assert phrase in text, phrase


def test_a_full_grant_letter_has_no_appeal_section(decide, officer):
    decision = decide(presented_by=officer, participants="Kim Koordinator")
    text = text_of(letter_pdf(decision))
    assert "Bifall" in text
    assert "Avslag" not in text and "Delvis bifall" not in text
    assert "Hur du överklagar" not in text
    assert "förvaltningsrätten" not in text
    assert "Föredragande" in text and "Kim Koordinator" in text  # FL 31 §


def test_a_change_letter_names_the_decision_it_changes(decide, communicated):
    first = decide()
    change = decide(outcome=Outcome.PARTIAL, reasons="Färre besök.", replaces=first)
    text = text_of(letter_pdf(change))
    assert f"Ändrar beslut {first.number}" in text


@pytest.mark.parametrize("outcome", [Outcome.PARTIAL, Outcome.REJECTION])
def test_the_letter_is_in_swedish_whatever_the_users_language(decide, communicated, outcome):
    from django.utils import translation

    with translation.override("en"):
        decision = decide(outcome=outcome, reasons="Skäl.")
        text = text_of(letter_pdf(decision))
    assert "(skriftlig)" in text
    assert "in writing" not in text


def test_the_letter_gives_the_officers_phone_and_e_mail(decide, officer):
    from organisation.models import StaffFlag

    officer.email = "kim.handlaggare@exempelby.se"
    officer.save()
    StaffFlag.objects.create(user=officer, phone="0123-45 67 89")
    text = text_of(letter_pdf(decide()))
    assert "telefon 0123-45 67 89" in text
    assert "e-post kim.handlaggare@exempelby.se" in text


def test_without_their_own_the_letter_gives_the_units_phone_and_e_mail(decide, officer, org):
    officer.email = ""
    officer.save()
    org["authority"].phone = "0123-10 00 00"
    org["authority"].email = "myndigheten@exempelby.se"
    org["authority"].save()
    text = text_of(letter_pdf(decide()))
    assert "telefon 0123-10 00 00" in text
    assert "e-post myndigheten@exempelby.se" in text


def test_the_appeal_instruction_is_never_split_across_pages(decide, apply, communicate):
    first, last = "Hur du överklagar", "Du kan få hjälp att överklaga av handläggaren."
    pages_seen = set()
    for paragraphs in range(0, 16):  # reasons long enough to push the box over a page end
        decision = decide(  # each application is decided once: a new one each time
            application=communicate(apply()),
            outcome=Outcome.REJECTION,
            reasons="\n\n".join(["Behovet tillgodoses på annat sätt. " * 8] * paragraphs)
            or "Kort.",
            period_from=None,
            period_to=None,
        )
        pages = [
            re.sub(r"\s+", " ", p.extract_text())
            for p in PdfReader(io.BytesIO(letter_pdf(decision))).pages
        ]
        holding = [i for i, page in enumerate(pages) if first in page]
        assert len(holding) == 1
        assert last in pages[holding[0]], f"split with {paragraphs} paragraphs of reasons"
        pages_seen.add(len(pages))
    assert len(pages_seen) > 1  # some letters did run over a page

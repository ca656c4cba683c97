"""The public form's receipt: a short reference the relative can quote when they call, random
(not guessable from another's), holding no personal data, by which staff find the intake."""

from __future__ import annotations

import re

from django.test import Client

from intake.models import REFERENCE_ALPHABET, Intake
from tests.intake.test_public_form import VALID

REFERENCE = re.compile(rf"[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def send(org) -> tuple[Intake, str]:
    client = Client()
    client.post("/anmalan/", VALID)
    page = client.get("/anmalan/tack/").content.decode()
    intake = Intake.objects.order_by("-created_at").first()
    return intake, page


def test_the_thank_you_page_gives_the_reference_stored_on_the_intake(org):
    intake, page = send(org)

    assert REFERENCE.fullmatch(intake.reference)
    assert f'<strong class="reference">{intake.reference}</strong>' in page
    assert "Jonas" not in intake.reference and "Eva" not in page.split("reference")[-1]


def test_references_are_random_not_a_sequence(org):
    references = [send(org)[0].reference for _n in range(3)]

    assert len(set(references)) == 3
    # Not derived from order or content: neighbours share no common prefix run.
    assert len({ref[:4] for ref in references}) == 3


def test_staff_find_the_intake_by_the_reference_as_read_out_on_the_phone(org, login, officer):
    intake, _page = send(org)
    spoken = intake.reference.lower().replace("-", " ")

    response = login(officer).get(f"/aktualiseringar/?referens={spoken}")

    assert response.status_code == 302
    assert response["Location"] == f"/aktualiseringar/{intake.pk}/"
    detail = login(officer).get(response["Location"]).content.decode()
    assert intake.reference in detail


def test_another_units_officer_does_not_find_it(org, login, outsider_officer):
    intake, _page = send(org)

    response = login(outsider_officer).get(f"/aktualiseringar/?referens={intake.reference}")

    assert response.status_code == 200
    assert "No intake of your units has that reference." in response.content.decode()

"""The decision letter as a PDF (WeasyPrint). Always Swedish: it is the authority's document."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from decisions.deadlines import APPEAL_PERIOD
from decisions.models import Decision


def letter_html(decision: Decision) -> str:
    with translation.override("sv"):
        return render_to_string(
            "decisions/letter.html",
            {
                "decision": decision,
                "person": decision.person,
                "municipality": settings.MUNICIPALITY_NAME,
                "board": settings.BRYGGA_BOARD_NAME,
                "board_address": settings.BRYGGA_BOARD_ADDRESS,
                "appeal_weeks": APPEAL_PERIOD.days // 7,
            },
        )


def letter_pdf(decision: Decision) -> bytes:
    # No base_url: the letter uses no external resources, so rendering never reaches the network.
    return HTML(string=letter_html(decision)).write_pdf()

"""The decision letter as a PDF (WeasyPrint). Always Swedish: it is the authority's document."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from decisions.deadlines import APPEAL_PERIOD
from decisions.models import Decision
from organisation.models import StaffFlag


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
                "contact": officer_contact(decision),
            },
        )


def officer_contact(decision: Decision) -> dict[str, str]:
    """Who the person calls or writes to about the decision: the deciding officer, with their
    own phone and e-mail, or else those of the authority unit that holds the case."""
    officer = decision.decided_by
    unit = decision.case.authority_unit
    flag = StaffFlag.objects.filter(user=officer).first()
    return {
        "name": officer.get_full_name() or officer.get_username(),
        "phone": (flag.phone if flag else "") or unit.phone,
        "email": officer.email or unit.email,
    }


def letter_pdf(decision: Decision) -> bytes:
    # No base_url: the letter uses no external resources, so rendering never reaches the network.
    return HTML(string=letter_html(decision)).write_pdf()

"""The intake app's part of shared pages: a person-page section and the officer's worklist.

Each runs a constant number of queries, whatever the number of intakes.
"""

from __future__ import annotations

from django.utils import timezone

from audit.events import log_list
from core.compiled import OnePersonQuery
from core.pagination import bounded_count
from core.sections import head, person_rows, person_section, worklist
from intake.access import unit_intakes
from intake.models import AssessmentTalk, Intake, IntakeStatus, Referral
from organisation.permissions import AUTHORITY_ROLES
from people.access import Level

INTAKES = person_rows(Intake)
TALKS = person_rows(AssessmentTalk)
REFERRALS = person_rows(Referral)
# Only what the section shows (an intake has some forty columns); SQL built once
# (core/compiled.py), and each list read only when the person has any such rows
# (core/sections.py).
INTAKE_LIST = OnePersonQuery(
    lambda person_id: (
        Intake.objects.filter(person_id=person_id)
        .only("person", "received_on", "status", "outcome")
        .order_by("-received_on")
    )
)
TALK_LIST = OnePersonQuery(
    lambda person_id: (
        AssessmentTalk.objects.filter(person_id=person_id)
        .only("person", "held_on", "outcome")
        .order_by("-held_on")
    )
)
REFERRAL_LIST = OnePersonQuery(
    lambda person_id: Referral.objects.filter(person_id=person_id).select_related("service")
)


@person_section(30)
def intake_and_referrals(request, person) -> dict:
    """The person's intakes, assessment talks and referrals; the person page logs the read."""
    return {
        "template": "intake/person_section.html",
        "person": person,
        "intakes": INTAKES.read(person, INTAKE_LIST),
        "talks": TALKS.read(person, TALK_LIST),
        "referrals": REFERRALS.read(person, REFERRAL_LIST),
        "may_write": getattr(request, "access_level", Level.NONE) >= Level.WRITE,
    }


@worklist(20)
def open_intakes(request, roles) -> dict | None:
    """Open intakes oldest first, and callbacks due today or overdue: nothing stays silent."""
    if not roles.has(*AUTHORITY_ROLES):
        return None
    mine = unit_intakes(request.user).filter(status=IntakeStatus.OPEN).select_related("person")
    # The orders of the intakes' page (intake:inbox), which the worklist links to for the rest.
    intakes, _more = head(mine.order_by("received_on", "created_at", "id"))
    due, _more = head(
        mine.filter(callback_due__lte=timezone.localdate(), callback_done_at__isnull=True).order_by(
            "callback_due", "id"
        )
    )
    shown = {intake.pk: intake for intake in intakes + due}.values()
    log_list(user=request.user, record_type="intake", people=[i.person_id for i in shown])
    count = bounded_count(mine)  # "more than 1,000" rather than counting a whole authority
    return {
        "template": "intake/worklist.html",
        "intakes": intakes,
        "open_count": count,
        "open_beyond": count.more or count.value > len(intakes),
        "callbacks_due": due,
    }

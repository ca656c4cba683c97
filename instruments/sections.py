"""The instruments' part of the person page, and the risk alerts at the top of the worklist.

Each runs a fixed number of queries, however many responses, links and alerts there are.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import Access, log_accesses, log_list
from core.compiled import OnePersonQuery
from core.sections import WorkList, first_rows, full_list, person_rows, person_section, worklist
from instruments.access import open_alerts_for
from instruments.models import Response, RiskAlert
from instruments.presentation import instrument_title, series
from organisation.models import Role
from organisation.permissions import ALERT_ROLES
from people.access import Level

RESPONSES = person_rows(Response)
ALERTS = person_rows(RiskAlert)
RESPONSE_LIST = OnePersonQuery(
    lambda person_id: (
        Response.objects.filter(person_id=person_id)
        .select_related("home_link")
        .order_by("administered_on", "created_at")
    )
)
ALERT_LIST = OnePersonQuery(
    lambda person_id: (
        RiskAlert.objects.filter(person_id=person_id, resolved_at__isnull=True)
        .select_related("response")
        .order_by("raised_at")
    )
)


@person_section(35)
def instruments_section(request, person) -> dict:
    level = getattr(request, "access_level", Level.NONE)
    responses = RESPONSES.read(person, RESPONSE_LIST)
    alerts = ALERTS.read(person, ALERT_LIST)
    links = [
        {"link": r.home_link, "title": instrument_title(r.code, r.version)}
        for r in responses
        if _has_link(r) and r.home_link.state == "open"
    ]
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "instrument_response", r.pk) for r in responses]
        + [Access(person.pk, "risk_alert", a.pk) for a in alerts],
    )
    return {
        "template": "instruments/_person_section.html",
        "person": person,
        "instruments": series(responses),
        "alerts": alerts,
        "open_links": links,
        "may_write": level >= Level.WRITE,
    }


def _has_link(response: Response) -> bool:
    try:
        return response.home_link is not None
    except Response.home_link.RelatedObjectDoesNotExist:
        return False


def _open_alerts(user, today):
    return open_alerts_for(user).select_related("person", "response")


RISK_ALERTS = full_list(
    WorkList(
        name="risker",
        title=_("Risk alerts from self-ratings"),
        template="instruments/_wl_alerts.html",
        rows=_open_alerts,
        keys=("raised_at", "id"),
        record_type="risk_alert",
        allowed=lambda roles: roles.has(*ALERT_ROLES, Role.OFFICER),
    )
)


# A low order: a risk comes before everything else on the start page.
@worklist(1)
def risk_worklist(request, roles) -> dict | None:
    if not roles.has(*ALERT_ROLES) and not roles.has(Role.OFFICER):
        return None
    alerts = first_rows(RISK_ALERTS, request.user, timezone.localdate())
    if not alerts and not roles.has(*ALERT_ROLES):
        return None
    if roles.has(*ALERT_ROLES):
        alerts.more = False  # "All open risk alerts" below leads to them all
    log_list(user=request.user, record_type="risk_alert", people=[a.person_id for a in alerts])
    return {
        "template": "instruments/worklist.html",
        "urgent": True,  # drawn above everything else on the start page
        "alerts": alerts,
        "show_list_link": roles.has(*ALERT_ROLES),
    }

"""A response, link or alert is the person's: access to the person decides access to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from instruments.models import HomeLink, Response, RiskAlert
from organisation.permissions import ALERT_ROLES
from organisation.roles import roles_of
from people.access import own_cases
from people.models import CaseStaff

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Loaders for `people.opening.record_view`: the record and whose it is (404 when unknown).


def load_response(pk: Any) -> tuple[Response, object]:
    response = Response.objects.select_related("person", "created_by").filter(pk=pk).first()
    if response is None:
        raise Http404
    return response, response.person_id


def load_link(pk: Any) -> tuple[HomeLink, object]:
    link = HomeLink.objects.select_related("response").filter(pk=pk).first()
    if link is None:
        raise Http404
    return link, link.response.person_id


def load_alert(pk: Any) -> tuple[RiskAlert, object]:
    alerts = RiskAlert.objects.select_related("person", "response", "resolved_by").filter(pk=pk)
    alert = alerts.first()
    if alert is None:
        raise Http404
    return alert, alert.person_id


def open_alerts_for(user: User) -> QuerySet[RiskAlert]:
    """Open alerts of the people the user works with: the assigned staff and the manager.

    Coordinators and managers see their teams' and units' people; anyone named on the person's
    case sees them too. A protected person's alert only reaches staff named on the case.
    """
    named = CaseStaff.objects.filter(case__person_id=OuterRef("person_id"), user=user)
    visible = Q(Exists(named))
    if roles_of(user).has(*ALERT_ROLES):
        mine = own_cases(user).filter(person_id=OuterRef("person_id"))
        visible |= Q(Exists(mine), person__protected_identity=False)
    elif not roles_of(user).works_with_cases:
        return RiskAlert.objects.none()
    return RiskAlert.objects.filter(resolved_at__isnull=True).filter(visible)

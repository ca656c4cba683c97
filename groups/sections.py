"""Start-page worklists: this week's group sessions, and the meeting places to count at.

Each runs a fixed number of queries, however many groups, sessions or counts there are.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max
from django.utils import timezone

from core.sections import worklist
from groups import access
from groups.models import MIN_STAFF, GroupSession
from organisation.models import Role
from organisation.permissions import GROUP_ROLES

WORKLIST_ROWS = 50


@worklist(70)
def group_sessions_worklist(request, roles) -> dict | None:
    if not roles.has(*GROUP_ROLES):
        return None
    today = timezone.localdate()
    sessions = list(
        GroupSession.objects.filter(
            group__in=access.groups_for_user(request.user),
            date__range=(today, today + datetime.timedelta(days=6)),
            cancelled=False,
        )
        .select_related("group")
        .annotate(staff_count=Count("staff"))
        .order_by("date", "start_time")[:WORKLIST_ROWS]
    )
    return {"template": "groups/worklist.html", "sessions": sessions, "min_staff": MIN_STAFF}


@worklist(75)
def meeting_places_worklist(request, roles) -> dict | None:
    if not roles.has(Role.MEETING_PLACE):
        return None
    places = access.meeting_places_for_user(request.user).annotate(
        last_count=Max("activities__head_counts__date")
    )
    return {"template": "groups/meeting_worklist.html", "places": list(places)}

"""Group participation and attendance on the person's timeline.

Meeting places keep anonymous head counts only, so they never appear on anyone's timeline.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timeline import Entry, timeline_source, user_name
from groups.access import groups_for_user
from groups.models import Attendance, GroupParticipant


class _GroupPages:
    """May the user open a group's pages (their own units' groups only)? One query per user."""

    def __init__(self) -> None:
        self._open: dict = {}

    def __call__(self, group_id, user) -> bool:
        if user.pk not in self._open:
            self._open[user.pk] = set(groups_for_user(user).values_list("pk", flat=True))
        return group_id in self._open[user.pk]


@timeline_source("groups", gettext_lazy("Group activities"), order=95)
def group_places(person, case_ids):
    pages = _GroupPages()
    for place in GroupParticipant.objects.filter(person=person).select_related("group", "added_by"):
        yield Entry(
            when=place.added_on,
            title=_("Joined the group %(group)s") % {"group": place.group.name},
            url=reverse("groups:detail", args=[place.group_id]),
            may_open=partial(pages, place.group_id),
            by=user_name(place.added_by),
            record_type="group_participant",
            record_id=place.pk,
            logged_as=(Action.CREATE, ""),
        )


@timeline_source("groups", gettext_lazy("Group activities"), order=95)
def attendance(person, case_ids):
    rows = Attendance.objects.filter(person=person).select_related("session__group", "recorded_by")
    tz = timezone.get_current_timezone()
    pages = _GroupPages()
    for row in rows:
        session = row.session
        title = _("Took part in %(group)s") if row.present else _("Absent from %(group)s")
        yield Entry(
            when=datetime.datetime.combine(session.date, session.start_time, tzinfo=tz),
            title=title % {"group": session.group.name},
            url=reverse("groups:session", args=[session.pk]),
            may_open=partial(pages, session.group_id),
            recorded_at=row.recorded_at,
            by=user_name(row.recorded_by),
            record_type="group_attendance",
            record_id=row.pk,
        )

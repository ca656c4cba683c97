"""What a case's closing finds in group activities, and how it settles it
(`provision.closure.CLOSING_PARTS`, registered in apps.py): the person's places in ongoing
groups end with the case; the attendance already recorded stays.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.events import Access
from audit.models import Action
from groups.models import GroupParticipant
from people.models import Case
from provision.closure import ClosingPart, OpenItem, add_closing_part


def _places(case: Case) -> QuerySet[GroupParticipant]:
    return GroupParticipant.objects.filter(person_id=case.person_id, group__active=True)


def open_items(case: Case, closed_on: datetime.date, now: datetime.datetime) -> list[OpenItem]:
    return [
        OpenItem(
            "group_participant",
            place.pk,
            _("Place in the group %(group)s") % {"group": place.group.name},
            _("Ends on closing: the person leaves the group; recorded attendance is kept."),
            url=reverse("groups:participants", args=[place.group_id]),
        )
        for place in _places(case).select_related("group").order_by("group__name")
    ]


def settle(user: Any, case: Case, closed_on: datetime.date, now: datetime.datetime) -> list[Access]:
    places = list(_places(case))
    GroupParticipant.objects.filter(pk__in=[p.pk for p in places]).delete()
    return [
        Access(case.person_id, "group_participant", p.pk, Action.DELETE, detail="closure")
        for p in places
    ]


add_closing_part(
    ClosingPart(
        key="groups",
        heading=gettext_lazy("Group activities"),
        items=open_items,
        settle=settle,
    )
)

"""Group activities and their sessions (counts only), and meeting places' anonymous head counts."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from api.common import require_roles, valid
from api.errors import responses
from groups import access, actions
from groups.forms import HeadCountForm
from groups.models import AGE_BANDS, HeadCount
from organisation.permissions import GROUP_ROLES, MEETING_PLACE_ROLES

router = Router(tags=["groups and meeting places"])
# A local wall-clock time as HH:MM: OpenAPI's "time" format would demand a UTC offset.
LocalTime = Annotated[
    str,
    BeforeValidator(lambda t: t.strftime("%H:%M") if isinstance(t, datetime.time) else t),
    Field(pattern=r"^\d{2}:\d{2}$", description="Local time, HH:MM"),
]
HEAD_COUNTS_SHOWN = 100


class GroupOut(Schema):
    id: uuid.UUID
    name: str
    unit: str
    weekdays: str
    start_time: LocalTime
    duration_minutes: int
    active: bool


class SessionOut(Schema):
    id: uuid.UUID
    group_id: uuid.UUID
    date: datetime.date
    start_time: LocalTime
    duration_minutes: int
    cancelled: bool
    staff_count: int
    present_count: int = Field(description="Participants recorded as present; never names.")


class MeetingPlaceOut(Schema):
    id: int
    name: str
    kind: str
    has_board_decision: bool
    activities: dict[int, str] = Field(description="Open activities: id -> name.")


class HeadCountOut(Schema):
    activity_id: int
    date: datetime.date
    count: int
    age_under_18: int | None
    age_18_24: int | None
    age_25_34: int | None
    age_35_49: int | None
    age_50_plus: int | None


class HeadCountIn(Schema):
    activity: int
    date: datetime.date
    count: int
    age_under_18: int | None = None
    age_18_24: int | None = None
    age_25_34: int | None = None
    age_35_49: int | None = None
    age_50_plus: int | None = None


def _sessions(queryset):
    return queryset.annotate(
        staff_count=Count("staff", distinct=True),
        present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
    ).order_by("date", "start_time", "id")


@router.get("/groups", response=responses({200: list[GroupOut]}), summary="Your groups")
def group_list(request):
    require_roles(request, *GROUP_ROLES)
    groups = access.groups_for_user(request.user).select_related("unit").order_by("name", "id")
    return [
        {**{n: getattr(g, n) for n in GroupOut.model_fields if n != "unit"}, "unit": g.unit.name}
        for g in groups
    ]


@router.get(
    "/groups/{group_id}/sessions",
    response=responses({200: list[SessionOut]}),
    summary="A group's sessions",
)
def group_sessions(request, group_id: uuid.UUID):
    require_roles(request, *GROUP_ROLES)
    group = access.get_group_for_user(request.user, group_id)
    return list(_sessions(group.sessions.all()))


@router.get(
    "/group-sessions/{session_id}", response=responses({200: SessionOut}), summary="A session"
)
def session(request, session_id: uuid.UUID):
    require_roles(request, *GROUP_ROLES)
    found = access.get_session_for_user(request.user, session_id)
    return _sessions(found.group.sessions.filter(pk=found.pk)).get()


@router.get(
    "/meeting-places", response=responses({200: list[MeetingPlaceOut]}), summary="Meeting places"
)
def meeting_places(request):
    require_roles(request, *MEETING_PLACE_ROLES)
    places = access.meeting_places_for_user(request.user).prefetch_related("activities")
    return [_place_out(p) for p in places.order_by("name", "id")]


def _place_out(place) -> dict:
    return {
        "id": place.pk,
        "name": place.name,
        "kind": place.kind,
        "has_board_decision": place.has_board_decision,
        "activities": {a.pk: a.name for a in place.activities.all() if a.active},
    }


@router.get(
    "/meeting-places/{place_id}/head-counts",
    response=responses({200: list[HeadCountOut]}),
    summary="A meeting place's head counts, latest first",
)
def head_counts(request, place_id: int):
    require_roles(request, *MEETING_PLACE_ROLES)
    place = access.get_meeting_place_for_user(request.user, place_id)
    return list(
        HeadCount.objects.filter(activity__meeting_place=place).order_by("-date", "activity__name")[
            :HEAD_COUNTS_SHOWN
        ]
    )


@router.post(
    "/meeting-places/{place_id}/head-counts",
    response=responses({200: HeadCountOut}, 409),
    summary="Record the day's head count for an activity (replaces that day's count)",
)
def record_head_count(request, place_id: int, payload: HeadCountIn):
    require_roles(request, *MEETING_PLACE_ROLES)
    place = access.get_meeting_place_for_user(request.user, place_id)
    if not place.has_board_decision:
        raise HttpError(409, _("The board's decision for this meeting place is not recorded yet."))
    form = HeadCountForm(payload.dict(), place=place)
    data = valid(form)
    return actions.record_head_count(
        user=request.user,
        place=place,
        activity=data["activity"],
        date=data["date"],
        count=data["count"],
        bands={name: data.get(name) for name, _label in AGE_BANDS},
    )

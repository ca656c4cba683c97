"""What is done with groups and meeting places; each action runs in one transaction and logs
every read or change of personal data (participants, attendance) in the access log."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_access, log_accesses
from audit.models import Action
from core.concurrency import Opened, claim
from groups.access import eligible_participants, groups_for_user, meeting_places_for_user
from groups.models import (
    Attendance,
    Group,
    GroupParticipant,
    GroupSession,
    HeadCount,
    MeetingPlace,
    OpenActivity,
)
from organisation.permissions import may_run_groups, require
from people.models import Person

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

MAX_SESSIONS_AT_ONCE = 400


def _require_group(user: User, group_id: Any) -> None:
    """Only the group's coordinators and managers run it (and change who takes part)."""
    require(
        may_run_groups(user) and groups_for_user(user).filter(pk=group_id).exists(),
        _("Only the group's coordinators and managers may do this."),
    )


def _require_place(user: User, place: MeetingPlace) -> None:
    """Only the meeting place's staff and managers record its head counts."""
    require(
        meeting_places_for_user(user).filter(pk=place.pk).exists(),
        _("Only the meeting place's staff and managers may do this."),
    )


class BoardDecisionMissing(Exception):
    """SoL (2025:400): without the board's decision, support without an individual assessment
    must be documented; head counts alone are not enough."""


@transaction.atomic
def generate_sessions(
    *, user: User, group: Group, start: datetime.date, end: datetime.date
) -> list[GroupSession]:
    """Sessions on the group's weekdays from start to end; days that already have one are kept."""
    _require_group(user, group.pk)
    if end < start:
        raise ValidationError(_("The last day cannot be before the first."))
    if (end - start).days > MAX_SESSIONS_AT_ONCE:
        raise ValidationError(_("Generate at most about a year of sessions at a time."))
    existing = set(
        GroupSession.objects.filter(group=group, date__range=(start, end)).values_list(
            "date", flat=True
        )
    )
    days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
    new = [
        GroupSession(
            group=group,
            date=day,
            start_time=group.start_time,
            duration_minutes=group.duration_minutes,
        )
        for day in days
        if day.weekday() in group.weekday_numbers and day not in existing
    ]
    return GroupSession.objects.bulk_create(new)


@transaction.atomic
def set_session_staff(*, user: User, session: GroupSession, staff: Iterable[User]) -> None:
    _require_group(user, session.group_id)
    session.staff.set(staff)


@transaction.atomic
def add_participant(
    *, user: User, group: Group, person: Person, today: datetime.date | None = None
) -> GroupParticipant:
    _require_group(user, group.pk)
    today = today or timezone.localdate()
    if not eligible_participants(user, today).filter(pk=person.pk).exists():
        raise ValidationError(
            _("Only people with a granted decision in force now or starting later can take part.")
        )
    participant, _created = GroupParticipant.objects.get_or_create(
        group=group, person=person, defaults={"added_by": user, "added_on": today}
    )
    log_access(
        user=user,
        person=person,
        action=Action.CREATE,
        record_type="group_participant",
        record_id=participant.pk,
    )
    return participant


@transaction.atomic
def remove_participant(*, user: User, participant: GroupParticipant) -> None:
    _require_group(user, participant.group_id)
    log_access(
        user=user,
        person=participant.person_id,
        action=Action.DELETE,
        record_type="group_participant",
        record_id=participant.pk,
    )
    participant.delete()


def attendance_open(session: GroupSession, today: datetime.date | None = None) -> bool:
    """Attendance is recorded for a session that has happened (today's or earlier), never
    ahead: a record of presence says someone was there."""
    return session.date <= (today or timezone.localdate())


@transaction.atomic
def record_attendance(
    *, user: User, session: GroupSession, present: dict, today: datetime.date | None = None
) -> None:
    """present: {person id: True/False}; one log entry per person whose attendance is set."""
    _require_group(user, session.group_id)
    if not attendance_open(session, today):
        raise ValidationError(
            _("Attendance is recorded once the session has taken place, not before.")
        )
    accesses = []
    for person_id, was_there in present.items():
        row, _created = Attendance.objects.update_or_create(
            session=session,
            person_id=person_id,
            defaults={"present": was_there, "recorded_by": user},
        )
        accesses.append(
            Access(
                person_id=person_id,
                record_type="group_attendance",
                record_id=row.pk,
                action=Action.UPDATE,
            )
        )
    log_accesses(user=user, accesses=accesses)


def log_attendance_read(*, user: User, session: GroupSession, person_ids: Iterable[Any]) -> None:
    log_accesses(
        user=user,
        accesses=[
            Access(person_id=pid, record_type="group_attendance", record_id=session.pk)
            for pid in person_ids
        ],
    )


@transaction.atomic
def record_board_decision(
    *,
    user: User,
    place: MeetingPlace,
    reference: str,
    decided_on: datetime.date,
    opened: Opened | None = None,
) -> None:
    """A manager records the board's decision; one opened before another save is refused."""
    _require_place(user, place)
    reference = reference.strip()
    values = {"board_decision_reference": reference, "board_decision_date": decided_on}
    claim(place, opened, values)
    place.board_decision_reference = reference
    place.board_decision_date = decided_on
    place.save(update_fields=[*values, "version"])


@transaction.atomic
def record_head_count(
    *,
    user: User,
    place: MeetingPlace,
    activity: OpenActivity,
    date: datetime.date,
    count: int,
    bands: dict[str, int],
) -> HeadCount:
    """Store or replace the day's count for the activity: numbers only."""
    _require_place(user, place)
    if not place.has_board_decision:
        raise BoardDecisionMissing
    if activity.meeting_place_id != place.pk:
        raise ValidationError(_("The activity belongs to another meeting place."))
    head_count = HeadCount(activity=activity, date=date, count=count, **bands)
    head_count.clean()
    row, _created = HeadCount.objects.update_or_create(
        activity=activity, date=date, defaults={"count": count, **bands}
    )
    return row


def log_participants_read(*, user: User, group: Group, rows: Iterable[Any]) -> None:
    log_accesses(
        user=user,
        accesses=[
            Access(person_id=row.person_id, record_type="group_participant", record_id=row.pk)
            for row in rows
        ],
    )

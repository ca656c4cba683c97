"""Demo data for group activities and meeting places; running it twice changes nothing.

Eftermiddagsgruppen (team North, Monday, Wednesday and Thursday 14–15) with sessions from three
weeks back to next week, two staff on all but one coming session, participants among the
people with a decision in force; Träffpunkt Tinget with its board decision and head counts.
"""

from __future__ import annotations

import datetime

from audit.events import Access, log_accesses
from audit.models import Action
from decisions.models import Decision
from groups import actions
from groups.access import in_force_on
from groups.models import (
    Attendance,
    Group,
    GroupParticipant,
    GroupSession,
    HeadCount,
    MeetingPlace,
    MeetingPlaceKind,
    OpenActivity,
)
from organisation.models import Membership, Role, Unit
from people.models import Person

PARTICIPANTS = [("Elin", "Fiktiv"), ("Jonas", "Påhittad"), ("Sara", "Exempel")]


def load_groups(units: dict[str, Unit], users: dict, today: datetime.date) -> None:
    _group(units, users, today)
    _meeting_places(units, users, today)


def _group(units, users, today) -> None:
    coordinator, second = users["coordinator"], users["coordinator3"]
    group, _ = Group.objects.get_or_create(
        name="Eftermiddagsgruppen",
        unit=units["north"],
        defaults={
            "weekdays": "023",
            "start_time": datetime.time(14),
            "duration_minutes": 60,
            "created_by": coordinator,
        },
    )
    monday = today - datetime.timedelta(days=today.weekday())
    actions.generate_sessions(
        user=coordinator,
        group=group,
        start=monday - datetime.timedelta(weeks=3),
        end=monday + datetime.timedelta(days=13),
    )
    sessions = list(group.sessions.filter(staff__isnull=True).order_by("date"))
    # The first session next week has only one staff member, so the warning shows.
    short = next((s for s in sessions if s.date >= monday + datetime.timedelta(weeks=1)), None)
    for session in sessions:
        session.staff.set([coordinator] if session == short else [coordinator, second])
    rows = _participants(group, coordinator, today)
    _attendance(group, rows, coordinator, today)


def _participants(group, coordinator, today) -> list[GroupParticipant]:
    """Those with a decision in force take part; from three weeks back if it was in force then."""
    rows = []
    since = today - datetime.timedelta(weeks=3)
    for first, last in PARTICIPANTS:
        person = Person.objects.filter(first_name=first, last_name=last).first()
        if person is None or not Decision.objects.filter(in_force_on(today), person=person):
            continue
        early = Decision.objects.filter(in_force_on(since), person=person).exists()
        row, created = GroupParticipant.objects.get_or_create(
            group=group,
            person=person,
            defaults={"added_by": coordinator, "added_on": since if early else today},
        )
        if created:  # logged as groups.actions logs it: the timeline's registration time
            log_accesses(
                user=coordinator,
                accesses=[Access(person.pk, "group_participant", row.pk, Action.CREATE)],
            )
        rows.append(row)
    return rows


def _attendance(group, rows, coordinator, today) -> None:
    past = list(GroupSession.objects.filter(group=group, date__lt=today).order_by("date"))
    for n, session in enumerate(past):
        for i, row in enumerate(rows):
            if session.date < row.added_on:
                continue
            Attendance.objects.get_or_create(
                session=session,
                person_id=row.person_id,
                defaults={"present": (n + i) % 4 != 0, "recorded_by": coordinator},
            )


def _meeting_places(units, users, today) -> None:
    # The manager of the provider side also answers for the meeting place.
    Membership.objects.get_or_create(user=users["manager"], unit=units["tinget"], role=Role.MANAGER)
    tinget, created = MeetingPlace.objects.get_or_create(
        name="Träffpunkt Tinget",
        unit=units["tinget"],
        defaults={
            "board_decision_reference": "SN 2025/214 § 12",
            "board_decision_date": datetime.date(2025, 9, 23),
        },
    )
    # An open activity whose board decision is still missing: its head-count page refuses.
    MeetingPlace.objects.get_or_create(
        name="Promenadgruppen",
        unit=units["tinget"],
        defaults={"kind": MeetingPlaceKind.OPEN_ACTIVITY},
    )
    open_house, _ = OpenActivity.objects.get_or_create(meeting_place=tinget, name="Öppet hus")
    evening, _ = OpenActivity.objects.get_or_create(meeting_place=tinget, name="Vux-kväll 16–35")
    if created:
        _head_counts(open_house, evening, today)


def _head_counts(open_house, evening, today) -> None:
    for days_ago in range(1, 29):
        day = today - datetime.timedelta(days=days_ago)
        if day.weekday() in (1, 3):
            HeadCount.objects.create(activity=open_house, date=day, count=6 + days_ago % 5)
        elif day.weekday() == 2:
            count = 9 + days_ago % 4
            HeadCount.objects.create(
                activity=evening,
                date=day,
                count=count,
                age_under_18=1,
                age_18_24=count // 2,
                age_25_34=count - count // 2 - 1,
            )

"""Each group action checks its own permission: only the group's (or the place's) own staff."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from groups import actions
from groups.models import GroupParticipant, GroupSession, HeadCount


def test_a_coordinator_of_another_team_does_not_add_a_participant(group, colleague, person, decide):
    decide(person, "grant")
    with pytest.raises(PermissionDenied):
        actions.add_participant(user=colleague, group=group, person=person)
    assert not GroupParticipant.objects.exists()


def test_an_officer_does_not_record_attendance(group, officer, coordinator, person, decide, today):
    decide(person, "grant")
    actions.add_participant(user=coordinator, group=group, person=person)
    session = GroupSession.objects.create(
        group=group, date=today, start_time=datetime.time(14), duration_minutes=60
    )
    with pytest.raises(PermissionDenied):
        actions.record_attendance(user=officer, session=session, present={person.pk: True})
    participant = GroupParticipant.objects.get()
    with pytest.raises(PermissionDenied):
        actions.remove_participant(user=officer, participant=participant)


def test_a_coordinator_does_not_record_a_head_count(place, coordinator):
    activity = place.activities.get()
    with pytest.raises(PermissionDenied):
        actions.record_head_count(
            user=coordinator,
            place=place,
            activity=activity,
            date=datetime.date(2026, 3, 4),
            count=5,
            bands={},
        )
    assert not HeadCount.objects.exists()

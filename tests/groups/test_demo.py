"""The demo shows a running group and a meeting place that counts visitors."""

from __future__ import annotations

from django.db.models import Count

from demo.data import load_demo
from groups.models import MIN_STAFF, Attendance, Group, HeadCount, MeetingPlace


def test_the_demo_has_an_afternoon_group_and_tinget_with_head_counts(db, today):
    load_demo(today=today)
    group = Group.objects.get(name="Eftermiddagsgruppen")
    assert group.weekday_numbers == [0, 2, 3]
    sessions = group.sessions.annotate(n=Count("staff"))
    assert sessions.count() >= 14
    assert sessions.filter(n__lt=MIN_STAFF).count() == 1
    assert 2 <= group.participants.count() <= 6
    assert Attendance.objects.filter(session__group=group).exists()
    tinget = MeetingPlace.objects.get(name="Träffpunkt Tinget")
    assert tinget.has_board_decision
    assert HeadCount.objects.filter(activity__meeting_place=tinget).count() >= 8
    assert not MeetingPlace.objects.get(name="Promenadgruppen").has_board_decision

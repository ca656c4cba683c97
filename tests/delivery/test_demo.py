"""The demo shows a coordinator's week: plans, visits with homework, signed notes, a correction
and a draft; loading it twice changes nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from delivery.models import Goal, GoalReview, Homework, Note, Objection, Plan, Visit
from demo.data import load_demo


def test_the_demo_shows_plans_visits_homework_and_the_journal(db, login):
    today = timezone.localdate()
    load_demo(today=today)
    counts = [m.objects.count() for m in (Plan, Goal, Visit, Homework, Note, Objection)]
    load_demo(today=today)
    assert [m.objects.count() for m in (Plan, Goal, Visit, Homework, Note, Objection)] == counts
    assert Plan.objects.count() == 3 and GoalReview.objects.exists()
    assert Homework.objects.exclude(result="").exists()
    assert Note.objects.filter(corrects__isnull=False, signed_at__isnull=False).exists()
    assert Note.objects.filter(signed_at__isnull=True).exists()
    assert Visit.objects.filter(planned_at__date=today).exists()

    coordinator = get_user_model().objects.get(username="coordinator")
    page = login(coordinator).get("/").content.decode()
    # Homework to follow up, and an old draft (opened on its own page, where it is signed).
    assert "/genomforande/hemuppgift/" in page and "/signera/" in page

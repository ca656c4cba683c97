"""The delivery section on the person page and the coordinator's worklist.

Each runs a constant number of queries, whatever the number of visits, notes and plans.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.events import Access, list_access, log_accesses
from core.sections import person_section, worklist
from delivery.models import Homework, Note, Plan, Visit, VisitStatus
from organisation.models import Role
from organisation.permissions import may_do_provider_work
from people.access import Level
from people.models import CaseStaff, CaseStatus

SECTION_ROWS = 5
WORKLIST_ROWS = 25


@person_section(45)
def delivery_section(request, person) -> dict:
    level = getattr(request, "access_level", Level.NONE)
    plan = Plan.objects.filter(person=person).order_by("-version").first()
    upcoming = list(
        Visit.objects.filter(
            person=person, status=VisitStatus.PLANNED, planned_at__gte=timezone.now()
        )
        .only("planned_at", "kind", "place", "transport")  # what the section shows
        .order_by("planned_at")[:SECTION_ROWS]
    )
    notes = list(
        Note.objects.filter(person=person)
        .exclude(signed_at__isnull=True)
        .only("happened_on", "text")
        .order_by("-happened_on", "-created_at")[:SECTION_ROWS]
    )
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "visit", v.pk) for v in upcoming]
        + [Access(person.pk, "journal_note", n.pk) for n in notes]
        + ([Access(person.pk, "plan", plan.pk)] if plan else []),
    )
    return {
        "template": "delivery/_person_section.html",
        "plan": plan,
        "plan_overdue": plan is not None and plan.next_follow_up < timezone.localdate(),
        "upcoming": upcoming,
        "notes": notes,
        "may_write": may_do_provider_work(request.user, level),
    }


def _my_people(user):
    """A subquery filter: the person's open case names this user."""
    return Exists(
        CaseStaff.objects.filter(
            case__person_id=OuterRef("person_id"), case__status=CaseStatus.OPEN, user=user
        )
    )


def coordinator_rows(user, now: datetime.datetime) -> dict:
    today = timezone.localdate(now)
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        week_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    visits = list(
        Visit.objects.filter(_my_people(user), status=VisitStatus.PLANNED)
        .filter(planned_at__gte=start, planned_at__lt=end)
        .select_related("person")
        .order_by("planned_at")[:WORKLIST_ROWS]
    )
    homework = list(
        Homework.objects.filter(result="", given_at__status=VisitStatus.HELD)
        .filter(
            Exists(
                CaseStaff.objects.filter(
                    case__person_id=OuterRef("given_at__person_id"),
                    case__status=CaseStatus.OPEN,
                    user=user,
                )
            )
        )
        .select_related("given_at__person")
        .order_by("given_at__planned_at")[:WORKLIST_ROWS]
    )
    # A planned visit whose day has passed still waits for its outcome (held, cancelled...).
    unrecorded = list(
        Visit.objects.filter(_my_people(user), status=VisitStatus.PLANNED, planned_at__lt=start)
        .select_related("person")
        .order_by("planned_at")[:WORKLIST_ROWS]
    )
    newer = Plan.objects.filter(person_id=OuterRef("person_id"), version__gt=OuterRef("version"))
    plans = list(
        Plan.objects.filter(_my_people(user), next_follow_up__lt=today)
        .exclude(Exists(newer))
        .select_related("person")
        .order_by("next_follow_up")[:WORKLIST_ROWS]
    )
    drafts = list(
        Note.objects.filter(
            written_by=user,
            signed_at__isnull=True,
            created_at__lt=now - datetime.timedelta(days=1),
        )
        .select_related("person")
        .order_by("created_at")[:WORKLIST_ROWS]
    )
    local_day = {v.pk: timezone.localdate(v.planned_at) for v in visits}
    return {
        "today_visits": [v for v in visits if local_day[v.pk] == today],
        "week_visits": [v for v in visits if local_day[v.pk] != today],
        "unrecorded_visits": unrecorded,
        "homework": homework,
        "plans": plans,
        "drafts": drafts,
    }


@worklist(45)
def coordinator_worklist(request, roles) -> dict | None:
    if not roles.has(Role.COORDINATOR):
        return None
    rows = coordinator_rows(request.user, timezone.now())
    visits = [*rows["today_visits"], *rows["week_visits"], *rows["unrecorded_visits"]]
    shown = [
        list_access("visit", [v.person_id for v in visits]),
        list_access("homework", [h.given_at.person_id for h in rows["homework"]]),
        list_access("plan", [p.person_id for p in rows["plans"]]),
        list_access("journal_note", [n.person_id for n in rows["drafts"]]),
    ]
    log_accesses(user=request.user, accesses=[a for a in shown if a is not None])
    return {"template": "delivery/worklist.html", **rows}

"""The delivery section on the person page and the coordinator's worklist.

Each runs a constant number of queries, whatever the number of visits, notes and plans.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import Access, list_access, log_accesses
from core.compiled import CompiledQuery, OnePersonQuery
from core.sections import WorkList, first_rows, full_list, person_rows, person_section, worklist
from delivery.models import Homework, Note, Plan, Visit, VisitStatus
from organisation.models import Role
from organisation.permissions import may_do_provider_work
from people.access import Level
from people.models import CaseStaff, CaseStatus

SECTION_ROWS = 5
PLANS_OF_PERSON = person_rows(Plan)
VISITS_OF_PERSON = person_rows(Visit)
NOTES_OF_PERSON = person_rows(Note)
# The latest plan, the visits to come and the latest signed notes: their SQL built once
# (core/compiled.py).
LATEST_PLAN = OnePersonQuery(
    lambda person_id: Plan.objects.filter(person_id=person_id).order_by("-version")[:1]
)
COMING_VISITS = CompiledQuery(
    lambda person_id, now: (
        Visit.objects.filter(person_id=person_id, status=VisitStatus.PLANNED, planned_at__gte=now)
        .only("planned_at", "kind", "place", "transport")  # what the section shows
        .order_by("planned_at")[:SECTION_ROWS]
    ),
    Visit._meta.get_field("person"),
    Visit._meta.get_field("planned_at"),
)
LATEST_NOTES = OnePersonQuery(
    lambda person_id: (
        Note.objects.filter(person_id=person_id)
        .exclude(signed_at__isnull=True)
        .only("happened_on", "text")  # what the section shows
        .order_by("-happened_on", "-created_at")[:SECTION_ROWS]
    )
)


@person_section(45)
def delivery_section(request, person) -> dict:
    level = getattr(request, "access_level", Level.NONE)
    plan = next(iter(PLANS_OF_PERSON.read(person, LATEST_PLAN)), None)
    upcoming = (
        COMING_VISITS.rows(person.pk, timezone.now()) if VISITS_OF_PERSON.exist(person) else []
    )
    notes = NOTES_OF_PERSON.read(person, LATEST_NOTES)
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


def _my_people(user, person_path: str = "person_id"):
    """A subquery filter: the person's open case names this user."""
    return Exists(
        CaseStaff.objects.filter(
            case__person_id=OuterRef(person_path), case__status=CaseStatus.OPEN, user=user
        )
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _week_visits(user, today: datetime.date):
    """Planned visits from today to the end of the week."""
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    return (
        Visit.objects.filter(_my_people(user), status=VisitStatus.PLANNED)
        .filter(planned_at__gte=_day_start(today))
        .filter(planned_at__lt=_day_start(week_end + datetime.timedelta(days=1)))
        .select_related("person")
    )


def _unrecorded(user, today: datetime.date):
    # A planned visit whose day has passed still waits for its outcome (held, cancelled...).
    return (
        Visit.objects.filter(_my_people(user), status=VisitStatus.PLANNED)
        .filter(planned_at__lt=_day_start(today))
        .select_related("person")
    )


def _homework(user, today: datetime.date):
    return (
        Homework.objects.filter(result="", given_at__status=VisitStatus.HELD)
        .filter(_my_people(user, "given_at__person_id"))
        .select_related("given_at__person")
    )


def _plans(user, today: datetime.date):
    newer = Plan.objects.filter(person_id=OuterRef("person_id"), version__gt=OuterRef("version"))
    return (
        Plan.objects.filter(_my_people(user), next_follow_up__lt=today)
        .exclude(Exists(newer))
        .select_related("person")
    )


def _drafts(user, today: datetime.date):
    return Note.objects.filter(
        written_by=user,
        signed_at__isnull=True,
        created_at__lt=timezone.now() - datetime.timedelta(days=1),
    ).select_related("person")


def _is_coordinator(roles) -> bool:
    return roles.has(Role.COORDINATOR)


VISITS = full_list(
    WorkList(
        name="besok-denna-vecka",
        title=_("Visits this week"),
        template="delivery/_wl_visits.html",
        rows=_week_visits,
        keys=("planned_at", "id"),
        record_type="visit",
        allowed=_is_coordinator,
    )
)
UNRECORDED = full_list(
    WorkList(
        name="besok-utan-utfall",
        title=_("Past visits whose outcome is not recorded"),
        template="delivery/_wl_unrecorded.html",
        rows=_unrecorded,
        keys=("planned_at", "id"),
        record_type="visit",
        allowed=_is_coordinator,
    )
)
HOMEWORK = full_list(
    WorkList(
        name="hemuppgifter",
        title=_("Homework to follow up"),
        template="delivery/_wl_homework.html",
        rows=_homework,
        keys=("given_at__planned_at", "id"),
        record_type="homework",
        people=lambda homework: [homework.given_at.person_id],
        allowed=_is_coordinator,
    )
)
PLANS = full_list(
    WorkList(
        name="planer-att-folja-upp",
        title=_("Plans whose follow-up date has passed"),
        template="delivery/_wl_plans.html",
        rows=_plans,
        keys=("next_follow_up", "id"),
        record_type="plan",
        allowed=_is_coordinator,
    )
)
DRAFTS = full_list(
    WorkList(
        name="osignerade-anteckningar",
        title=_("Your unsigned notes older than a day"),
        template="delivery/_wl_drafts.html",
        rows=_drafts,
        keys=("created_at", "id"),
        record_type="journal_note",
        allowed=_is_coordinator,
    )
)


def coordinator_rows(user, now: datetime.datetime) -> dict:
    """The first rows of each of the coordinator's lists, most urgent first."""
    today = timezone.localdate(now)
    visits = first_rows(VISITS, user, today)
    local_day = {v.pk: timezone.localdate(v.planned_at) for v in visits}
    return {
        "visits": visits,
        "today_visits": [v for v in visits if local_day[v.pk] == today],
        "week_visits": [v for v in visits if local_day[v.pk] != today],
        "unrecorded_visits": first_rows(UNRECORDED, user, today),
        "homework": first_rows(HOMEWORK, user, today),
        "plans": first_rows(PLANS, user, today),
        "drafts": first_rows(DRAFTS, user, today),
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

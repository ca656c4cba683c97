"""Implementation plans with their goals, and visits with their homework: read only."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from api.common import load_person
from api.errors import responses
from audit.events import Access, log_accesses
from delivery.models import Goal, Plan, Visit

router = Router(tags=["plans and visits"])
GOALS = Prefetch("goals", queryset=Goal.objects.select_related("life_area"))


class GoalOut(Schema):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    life_area: str
    text: str
    what: str
    how: str
    when: str
    by_whom: str


class PlanOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    version: int
    visit_frequency: str
    agreed_on: datetime.date
    agreed_how: str
    next_follow_up: datetime.date
    goals: list[GoalOut]


class HomeworkOut(Schema):
    id: uuid.UUID
    text: str
    result: str
    comment: str


class VisitOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    planned_at: datetime.datetime
    place: str
    transport: bool
    participants: str
    status: str
    homework: list[HomeworkOut]


def _log_plans(request, person, plans: list[Plan]) -> None:
    accesses = []
    for plan in plans:
        accesses.append(Access(person.pk, "plan", plan.pk))
        accesses += [Access(person.pk, "goal", g.pk) for g in plan.goals.all()]
    log_accesses(user=request.user, accesses=accesses)


def plan_out(plan: Plan) -> dict:
    goals = list(plan.goals.all())  # prefetched with their life areas
    return {
        **{n: getattr(plan, n) for n in PlanOut.model_fields if n != "goals"},
        "goals": [
            {
                **{n: getattr(g, n) for n in GoalOut.model_fields if n != "life_area"},
                "life_area": g.life_area.name,
            }
            for g in goals
        ],
    }


@router.get(
    "/people/{person_id}/plans",
    response=responses({200: list[PlanOut]}),
    summary="A person's plan versions, latest first",
)
def person_plans(request, person_id: uuid.UUID):
    person, _level = load_person(request, person_id)
    plans = list(Plan.objects.filter(person=person).order_by("-version").prefetch_related(GOALS))
    _log_plans(request, person, plans)
    return [plan_out(p) for p in plans]


@router.get("/plans/{plan_id}", response=responses({200: PlanOut}), summary="A plan")
def read_plan(request, plan_id: uuid.UUID):
    plan = get_object_or_404(Plan.objects.prefetch_related(GOALS), pk=plan_id)
    person, _level = load_person(request, plan.person_id)
    _log_plans(request, person, [plan])
    return plan_out(plan)


def visit_out(visit: Visit) -> dict:
    return {
        **{n: getattr(visit, n) for n in VisitOut.model_fields if n != "homework"},
        "homework": [
            {"id": h.pk, "text": h.text, "result": h.result, "comment": h.comment}
            for h in visit.homework.all()
        ],
    }


@router.get(
    "/people/{person_id}/visits",
    response=responses({200: list[VisitOut]}),
    summary="A person's visits, latest first",
)
def person_visits(request, person_id: uuid.UUID):
    person, _level = load_person(request, person_id)
    visits = list(
        Visit.objects.filter(person=person).prefetch_related("homework").order_by("-planned_at")
    )
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "visits", person.pk)]
        + [Access(person.pk, "homework", h.pk) for v in visits for h in v.homework.all()],
    )
    return [visit_out(v) for v in visits]


@router.get("/visits/{visit_id}", response=responses({200: VisitOut}), summary="A visit")
def read_visit(request, visit_id: uuid.UUID):
    visit = get_object_or_404(Visit.objects.prefetch_related("homework"), pk=visit_id)
    person, _level = load_person(request, visit.person_id)
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "visit", visit.pk)]
        + [Access(person.pk, "homework", h.pk) for h in visit.homework.all()],
    )
    return visit_out(visit)

"""What a coordinator does with a person's support. Each action runs in one transaction and logs
its change in the access log inside it; views, the demo and tests all go through these."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_access, log_accesses
from audit.models import Action
from core.concurrency import Opened, claim
from delivery.models import (
    TAKING_PLACE,
    Goal,
    GoalReview,
    Homework,
    Note,
    Objection,
    Plan,
    SignedNoteError,
    SupersededPlanError,
    Visit,
    VisitKind,
)
from delivery.schedule import tapering_dates
from organisation.permissions import may_do_provider_work, may_finish_own_draft, require
from people.access import access_level
from people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet


def _log(user: User, person_id: Any, action: str, record_type: str, record_id: Any) -> None:
    log_access(
        user=user, person=person_id, action=action, record_type=record_type, record_id=record_id
    )


def _require_provider(user: User, person: Person) -> None:
    """Only the provider side, with write access to the person, changes their support."""
    require(
        may_do_provider_work(user, access_level(user, person)),
        _("Only the provider's coordinators and managers of the person's case may do this."),
    )


def _require_draft_author(user: User, note: Note) -> None:
    """A draft is finished by its author, also after the person's case has moved on (a
    reassignment); anyone else is refused as `_require_provider` refuses them."""
    if note.is_signed or note.written_by_id != user.pk:
        _require_provider(user, note.person)
    else:
        require(
            may_finish_own_draft(user, is_author=True),
            _("Only the provider's coordinators and managers of the person's case may do this."),
        )


# The journal


def create_note(
    *,
    user: User,
    person: Person,
    happened_on: datetime.date,
    text: str,
    visit: Visit | None = None,
    corrects: Note | None = None,
) -> Note:
    _require_provider(user, person)
    if corrects is not None and not corrects.is_signed:
        raise ValidationError(_("Only a signed note is corrected; a draft is simply edited."))
    with transaction.atomic():
        note = Note.objects.create(
            person=person,
            happened_on=happened_on,
            text=text,
            visit=visit,
            corrects=corrects,
            written_by=user,
        )
        _log(user, person.pk, Action.CREATE, "journal_note", note.pk)
    return note


def _own_draft(user: User, note: Note) -> None:
    if note.is_signed:
        raise SignedNoteError("A signed journal note cannot be changed.")
    if note.written_by_id != user.pk:
        raise PermissionDenied(_("Only the author may change a draft."))


def update_note(
    *,
    user: User,
    note: Note,
    happened_on: datetime.date,
    text: str,
    visit: Visit | None = None,
    opened: Opened | None = None,
) -> Note:
    """The author edits their draft; an edit opened before another save of it is refused."""
    _require_draft_author(user, note)
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        _own_draft(user, note)
        claim(note, opened, {"happened_on": happened_on, "text": text, "visit": visit})
        note.happened_on, note.text, note.visit = happened_on, text, visit
        note.save()
        _log(user, note.person_id, Action.UPDATE, "journal_note", note.pk)
    return note


def delete_note(*, user: User, note: Note) -> None:
    _require_draft_author(user, note)
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        _own_draft(user, note)
        person_id, pk = note.person_id, note.pk
        note.delete()
        _log(user, person_id, Action.DELETE, "journal_note", pk)


def sign_note(*, user: User, note: Note, opened: Opened | None = None) -> Note:
    """The author signs their own draft; from then on the note is never altered. With
    `opened`, signing a draft changed since it was read is refused."""
    _require_draft_author(user, note)
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        _own_draft(user, note)
        claim(note, opened)
        note.signed_by = user
        note.signed_at = timezone.now()
        note.save()
        _log(user, note.person_id, Action.UPDATE, "journal_note", note.pk)
    return note


def add_objection(*, user: User, note: Note, given_on: datetime.date, text: str) -> Objection:
    _require_provider(user, note.person)
    with transaction.atomic():
        objection = Objection.objects.create(
            note=note, given_on=given_on, text=text, recorded_by=user
        )
        _log(user, note.person_id, Action.CREATE, "objection", objection.pk)
    return objection


# Visits and homework


def plan_visit(*, user: User, person: Person, **fields: Any) -> Visit:
    _require_provider(user, person)
    with transaction.atomic():
        visit = Visit.objects.create(person=person, created_by=user, **fields)
        _log(user, person.pk, Action.CREATE, "visit", visit.pk)
    return visit


def plan_series(
    *,
    user: User,
    person: Person,
    start: datetime.date,
    time: datetime.time,
    steps: Sequence[tuple[int, int]],
    place: str,
    transport: bool = False,
) -> list[Visit]:
    """Individual visits at a tapering frequency; each can be moved or changed afterwards."""
    _require_provider(user, person)
    series = uuid.uuid4()
    tz = timezone.get_current_timezone()
    visits = [
        Visit(
            person=person,
            kind=VisitKind.VISIT,
            planned_at=datetime.datetime.combine(day, time, tzinfo=tz),
            place=place,
            transport=transport,
            series=series,
            created_by=user,
        )
        for day in tapering_dates(start, steps)
    ]
    with transaction.atomic():
        Visit.objects.bulk_create(visits)
        log_accesses(
            user=user,
            accesses=[Access(person.pk, "visit", v.pk, Action.CREATE) for v in visits],
        )
    return visits


def update_visit(*, user: User, visit: Visit, opened: Opened | None = None, **fields: Any) -> Visit:
    """Change a visit; a change opened before someone else's save is refused."""
    _require_provider(user, visit.person)
    with transaction.atomic():
        claim(visit, opened, fields)
        for name, value in fields.items():
            setattr(visit, name, value)
        visit.save()
        _log(user, visit.person_id, Action.UPDATE, "visit", visit.pk)
    return visit


def give_homework(*, user: User, visit: Visit, text: str) -> Homework:
    _require_provider(user, visit.person)
    if visit.kind != VisitKind.VISIT:
        raise ValidationError(_("Homework is given at individual visits."))
    with transaction.atomic():
        homework = Homework.objects.create(given_at=visit, text=text, created_by=user)
        _log(user, visit.person_id, Action.CREATE, "homework", homework.pk)
    return homework


def homework_to_follow_up(visit: Visit) -> list[Homework]:
    """The homework given at the visit before this one: it is followed up here."""
    if visit.kind != VisitKind.VISIT or visit.status not in TAKING_PLACE:
        return []
    previous = visit.previous()
    if previous is None:
        return []
    return list(previous.homework.all())


def follow_up_homework(
    *,
    user: User,
    homework: Homework,
    visit: Visit,
    result: str,
    comment: str = "",
    opened: Opened | None = None,
) -> Homework:
    _require_provider(user, visit.person)
    if homework not in homework_to_follow_up(visit):
        raise ValidationError(_("Homework is followed up at the visit after the one it was given."))
    with transaction.atomic():
        claim(homework, opened, {"result": result, "comment": comment})
        homework.result, homework.comment = result, comment
        homework.followed_up_at, homework.followed_up_by = visit, user
        homework.save()
        _log(user, visit.person_id, Action.UPDATE, "homework", homework.pk)
    return homework


# The implementation plan


def current_plan(person: Person) -> Plan | None:
    return Plan.objects.filter(person=person).order_by("-version").first()


def create_plan(
    *,
    user: User,
    person: Person,
    visit_frequency: str,
    agreed_on: datetime.date,
    agreed_how: str,
    next_follow_up: datetime.date,
) -> Plan:
    """The first plan, or a revision: a new version carrying the goals of the one before."""
    _require_provider(user, person)
    with transaction.atomic():
        # Lock the person so two revisions made at once cannot take the same number.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        previous = current_plan(person)
        version = (Plan.objects.filter(person=person).aggregate(v=Max("version"))["v"] or 0) + 1
        plan = Plan.objects.create(
            person=person,
            version=version,
            visit_frequency=visit_frequency,
            agreed_on=agreed_on,
            agreed_how=agreed_how,
            next_follow_up=next_follow_up,
            created_by=user,
        )
        if previous is not None:
            _copy_goals(previous, plan)
        _log(user, person.pk, Action.CREATE, "plan", plan.pk)
    return plan


def _copy_goals(source: Plan, target: Plan) -> None:
    copies: dict = {}
    # Parents first, so every sub-goal finds its parent's copy.
    goals = sorted(source.goals.all(), key=lambda g: (g.parent_id is not None, g.position))
    for goal in goals:
        copies[goal.pk] = Goal.objects.create(
            plan=target,
            parent=copies.get(goal.parent_id),
            lineage=goal.lineage,
            life_area_id=goal.life_area_id,
            text=goal.text,
            what=goal.what,
            how=goal.how,
            when=goal.when,
            by_whom=goal.by_whom,
            position=goal.position,
        )


def _latest(plan: Plan) -> None:
    if plan.superseded:
        raise SupersededPlanError("An earlier version of a plan cannot be changed.")


def add_goal(*, user: User, plan: Plan, **fields: Any) -> Goal:
    _require_provider(user, plan.person)
    parent = fields.get("parent")
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError(_("A sub-goal belongs to a goal of the same plan."))
    with transaction.atomic():
        _latest(plan)
        position = plan.goals.count()
        goal = Goal.objects.create(plan=plan, position=position, **fields)
        _log(user, plan.person_id, Action.CREATE, "goal", goal.pk)
    return goal


def review_goal(
    *, user: User, goal: Goal, reviewed_on: datetime.date, outcome: str, comment: str = ""
) -> GoalReview:
    _require_provider(user, goal.plan.person)
    with transaction.atomic():
        _latest(goal.plan)
        review = GoalReview.objects.create(
            goal=goal, reviewed_on=reviewed_on, outcome=outcome, comment=comment, reviewed_by=user
        )
        _log(user, goal.plan.person_id, Action.CREATE, "goal_review", review.pk)
    return review


def goal_history(goal: Goal) -> QuerySet[GoalReview]:
    """Every review of this goal, in this and earlier versions of the plan, latest first."""
    return GoalReview.objects.filter(goal__lineage=goal.lineage).select_related(
        "goal__plan", "reviewed_by"
    )

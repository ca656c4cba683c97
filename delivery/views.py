"""The provider's pages for one person: the journal, visits and homework, the implementation plan.

Every object is reached through its person and `people.access`. Who may read the person reads
these pages (every read logged); only the provider side (a coordinator or manager with write
access to the person) changes them: an officer reads, a reason-access reader gets 403 on writes.
A signed note has no page that changes it.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import Access, log_accesses
from core.forms_util import posted as _data
from core.forms_util import refusal_shown_on
from delivery import actions
from delivery.access import load_note, may_read_person
from delivery.forms import (
    CorrectionForm,
    FollowUpForm,
    GoalForm,
    GoalReviewForm,
    HomeworkForm,
    NoteForm,
    ObjectionForm,
    PlanForm,
    SeriesForm,
    VisitForm,
)
from delivery.models import (
    Goal,
    GoalReview,
    Homework,
    Note,
    Plan,
    SignedNoteError,
    Visit,
    VisitKind,
)
from organisation.permissions import PROVIDER_ROLES, may_do_provider_work
from people.opening import log_read, person_view, record_view


def may_act(request) -> bool:
    """May this user do the provider's work on the person just loaded?"""
    return may_do_provider_work(request.user, request.access_level)


def _log_read(request, person_id, record_type: str, record_id) -> None:
    log_read(
        request.user, person_id, request.access_level, record_type=record_type, record_id=record_id
    )


# A person's page that changes something: provider staff with write access only.
provider_person_view = person_view(write=True, roles=PROVIDER_ROLES)


def _record_page(load, *, record_type: str, write: bool = False):
    """A page about one of the person's records; only the provider side ever changes them, and
    others are refused before any reason is asked. Each page logs what it shows."""
    if write:
        return record_view(load, record_type=record_type, roles=PROVIDER_ROLES, write=True)
    return record_view(load, record_type=record_type)


def _note(pk):
    note = get_object_or_404(Note.objects.select_related("person", "written_by"), pk=pk)
    return note, note.person_id


def _visit(pk):
    visit = get_object_or_404(Visit.objects.select_related("person"), pk=pk)
    return visit, visit.person_id


def _homework(pk):
    homework = get_object_or_404(Homework.objects.select_related("given_at__person"), pk=pk)
    return homework, homework.given_at.person_id


def _plan(pk):
    plan = get_object_or_404(Plan.objects.select_related("person"), pk=pk)
    return plan, plan.person_id


def _goal(pk):
    goal = get_object_or_404(Goal.objects.select_related("plan__person", "life_area"), pk=pk)
    return goal, goal.plan.person_id


def _form_page(request, *, person, form, title, cancel_url, submit, **extra):
    context = {
        "person": person,
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "submit": submit,
        **extra,
    }
    return render(request, "delivery/form.html", context)


# The journal


@person_view()
def journal(request, person):
    notes = list(
        Note.objects.filter(person=person)
        .select_related("written_by", "signed_by", "visit", "corrects")
        .prefetch_related(
            "objections__recorded_by", Prefetch("corrections", queryset=Note.objects.signed())
        )
    )
    # Drafts are the author's working copy: nobody else reads them.
    notes = [n for n in notes if n.is_signed or n.written_by_id == request.user.pk]
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "journal", person.pk)]
        + [Access(person.pk, "journal_note", n.pk) for n in notes],
    )
    return render(
        request,
        "delivery/journal.html",
        {"person": person, "notes": notes, "may_write": may_act(request)},
    )


def _journal_url(person_id) -> str:
    return reverse("delivery:journal", args=[person_id])


@provider_person_view
def note_create(request, person):
    form = NoteForm(_data(request), person=person, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actions.create_note(user=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("The note has been saved as a draft."))
        return redirect("delivery:journal", pk=person.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Write a journal note"),
        cancel_url=_journal_url(person.pk),
        submit=_("Save the draft"),
    )


def _back_to_note(person_pk, note: Note):
    return redirect(f"{_journal_url(person_pk)}#note-{note.pk}-heading")


def _signed_note_refused(request, note: Note):
    """A signed note is never changed, whoever asks: the user is sent back to it and told that a
    mistake is corrected with "Correct" (a new note pointing to it), not refused as if their role
    lacked access."""
    messages.error(
        request,
        _(
            "The note is signed and can no longer be changed. To correct it, choose "
            "“Correct” under the note: the correction is a new note that points to it."
        ),
    )
    return _back_to_note(note.person_id, note)


def _after_draft(request, note: Note, *, anchor: bool = True) -> str:
    """Where the author goes from their draft: its place in the journal, or their start page once
    the person's case has moved to another coordinator and the journal is no longer theirs."""
    if not may_read_person(request.user, note):
        return reverse("home")
    url = _journal_url(note.person_id)
    return f"{url}#note-{note.pk}-heading" if anchor else url


# The author's own draft opens for them even after the person's case has moved on.
_draft_page = record_view(
    check=load_note, record_type="journal_note", roles=PROVIDER_ROLES, write=True
)


def _own_draft_or_403(request, note: Note) -> None:
    if note.written_by_id != request.user.pk:
        raise PermissionDenied(_("Only the author changes a draft; a signed note never changes."))


@_draft_page
def note_edit(request, note, person):
    if note.is_signed:
        return _signed_note_refused(request, note)
    _own_draft_or_403(request, note)
    form = NoteForm(_data(request), instance=note, person=person)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("happened_on", "text", "visit")}
        # The form wrote to the instance; the action re-reads the stored note under a lock.
        try:
            with refusal_shown_on(form):
                actions.update_note(user=request.user, note=note, opened=form.opened, **data)
                messages.success(request, _("The draft has been saved."))
                return redirect(_after_draft(request, note, anchor=False))
        except SignedNoteError:
            return _signed_note_refused(request, note)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Edit a draft note"),
        cancel_url=_after_draft(request, note),
        submit=_("Save the draft"),
    )


@_draft_page
def note_sign(request, note, person):
    """Signing asks first: a signed note can never be changed, only corrected by a new note."""
    if note.is_signed:
        return _signed_note_refused(request, note)
    _own_draft_or_403(request, note)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            actions.sign_note(user=request.user, note=note)
        except SignedNoteError:
            return _signed_note_refused(request, note)
        messages.success(request, _("The note has been signed."))
        return redirect(_after_draft(request, note, anchor=False))
    context = {"person": person, "note": note, "cancel_url": _after_draft(request, note)}
    return render(request, "delivery/sign_confirm.html", context)


@require_POST
@_draft_page
def note_delete(request, note, person):
    if note.is_signed:
        return _signed_note_refused(request, note)
    _own_draft_or_403(request, note)
    try:
        actions.delete_note(user=request.user, note=note)
    except SignedNoteError:
        return _signed_note_refused(request, note)
    messages.success(request, _("The draft has been removed."))
    return redirect(_after_draft(request, note, anchor=False))


@_record_page(_note, record_type="journal_note", write=True)
def note_correct(request, note, person):
    if not note.is_signed:
        messages.error(request, _("Only a signed note is corrected; a draft is simply edited."))
        return _back_to_note(person.pk, note)
    form = CorrectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        actions.create_note(
            user=request.user,
            person=person,
            happened_on=note.happened_on,
            text=form.cleaned_data["text"],
            visit=note.visit,
            corrects=note,
        )
        messages.success(request, _("The correction has been saved as a draft; sign it."))
        return redirect("delivery:journal", pk=person.pk)
    _log_read(request, person.pk, "journal_note", note.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Correct a signed note"),
        cancel_url=_journal_url(person.pk),
        submit=_("Save the correction as a draft"),
        original=note,
    )


@_record_page(_note, record_type="journal_note", write=True)
def objection_create(request, note, person):
    if not note.is_signed:
        messages.error(
            request, _("An objection is attached to a signed note; sign the draft first.")
        )
        return _back_to_note(person.pk, note)
    form = ObjectionForm(_data(request), initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actions.add_objection(user=request.user, note=note, **form.cleaned_data)
        messages.success(request, _("The person's objection has been attached to the note."))
        return redirect("delivery:journal", pk=person.pk)
    _log_read(request, person.pk, "journal_note", note.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Attach the person's objection or comment"),
        cancel_url=_journal_url(person.pk),
        submit=_("Attach"),
        original=note,
    )


# Visits and homework


@person_view()
def visits(request, person):
    rows = list(Visit.objects.filter(person=person).order_by("-planned_at"))
    _log_read(request, person.pk, "visits", person.pk)
    return render(
        request,
        "delivery/visits.html",
        {
            "person": person,
            "visits": rows,
            "now": timezone.now(),
            "may_write": may_act(request),
        },
    )


def _visit_fields(data) -> dict:
    tz = timezone.get_current_timezone()
    return {
        "kind": data["kind"],
        "planned_at": datetime.datetime.combine(data["day"], data["time"], tzinfo=tz),
        "place": data["place"],
        "transport": data["transport"],
        "participants": data["participants"],
        "status": data["status"],
    }


@provider_person_view
def visit_create(request, person):
    kind = request.GET.get("kind", VisitKind.VISIT)
    form = VisitForm(
        _data(request), initial={"kind": kind if kind in VisitKind.values else VisitKind.VISIT}
    )
    if request.method == "POST" and form.is_valid():
        visit = actions.plan_visit(
            user=request.user, person=person, **_visit_fields(form.cleaned_data)
        )
        messages.success(request, _("The visit has been saved."))
        return redirect("delivery:visit_detail", pk=visit.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Plan a visit or network contact"),
        cancel_url=reverse("delivery:visits", args=[person.pk]),
        submit=_("Save"),
    )


@provider_person_view
def series_create(request, person):
    form = SeriesForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        planned = actions.plan_series(
            user=request.user,
            person=person,
            start=data["start"],
            time=data["time"],
            steps=form.steps(),
            place=data["place"],
            transport=data["transport"],
        )
        messages.success(
            request, _("%(count)d visits have been planned.") % {"count": len(planned)}
        )
        return redirect("delivery:visits", pk=person.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Plan a series of visits"),
        cancel_url=reverse("delivery:visits", args=[person.pk]),
        submit=_("Plan the series"),
        intro=_(
            "Visits are planned weekly first, then every second week, then every third week."
            " Each visit can be moved afterwards."
        ),
    )


@_record_page(_visit, record_type="visit")
def visit_detail(request, visit, person):
    carried = actions.homework_to_follow_up(visit)
    given = list(visit.homework.select_related("followed_up_at"))
    notes = [
        n
        for n in visit.notes.select_related("written_by")
        if n.is_signed or n.written_by_id == request.user.pk
    ]
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "visit", visit.pk)]
        + [Access(person.pk, "homework", h.pk) for h in carried + given]
        + [Access(person.pk, "journal_note", n.pk) for n in notes],
    )
    return render(
        request,
        "delivery/visit_detail.html",
        {
            "person": person,
            "visit": visit,
            "carried": carried,
            "given": given,
            "notes": notes,
            "may_write": may_act(request),
        },
    )


@_record_page(_visit, record_type="visit", write=True)
def visit_edit(request, visit, person):
    form = VisitForm(_data(request), record=visit)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.update_visit(
                user=request.user,
                visit=visit,
                opened=form.opened,
                **_visit_fields(form.cleaned_data),
            )
            messages.success(request, _("The visit has been saved."))
            return redirect("delivery:visit_detail", pk=visit.pk)
    _log_read(request, person.pk, "visit", visit.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Change a visit"),
        cancel_url=reverse("delivery:visit_detail", args=[visit.pk]),
        submit=_("Save"),
    )


@_record_page(_visit, record_type="visit", write=True)
def homework_create(request, visit, person):
    form = HomeworkForm(_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.give_homework(user=request.user, visit=visit, **form.cleaned_data)
            messages.success(request, _("The homework has been saved."))
            return redirect("delivery:visit_detail", pk=visit.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Give homework"),
        cancel_url=reverse("delivery:visit_detail", args=[visit.pk]),
        submit=_("Save"),
    )


def _next_visit(homework: Homework) -> Visit | None:
    given = homework.given_at
    return (
        Visit.objects.individual()
        .taking_place()
        .filter(person_id=given.person_id, planned_at__gt=given.planned_at)
        .order_by("planned_at")
        .first()
    )


@_record_page(_homework, record_type="homework", write=True)
def homework_follow_up(request, homework, person):
    visit = _next_visit(homework)
    if visit is None:
        messages.error(request, _("Plan the next visit first: homework is followed up there."))
        return redirect("delivery:visit_detail", pk=homework.given_at_id)
    form = FollowUpForm(_data(request), record=homework)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.follow_up_homework(
                user=request.user,
                homework=homework,
                visit=visit,
                opened=form.opened,
                **form.cleaned_data,
            )
            messages.success(request, _("The homework has been followed up."))
            return redirect("delivery:visit_detail", pk=visit.pk)
    _log_read(request, person.pk, "homework", homework.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Follow up homework"),
        cancel_url=reverse("delivery:visit_detail", args=[visit.pk]),
        submit=_("Save"),
        homework=homework,
    )


# The implementation plan


def _render_plan(request, person, plan: Plan | None):
    versions = list(Plan.objects.filter(person=person).order_by("-version"))
    goals: list[Goal] = []
    reviews: dict[object, list[GoalReview]] = {}
    if plan is not None:
        goals = list(plan.goals.select_related("life_area", "parent"))
        for review in GoalReview.objects.filter(
            goal__lineage__in=[g.lineage for g in goals]
        ).select_related("reviewed_by", "goal__plan"):
            reviews.setdefault(review.goal.lineage, []).append(review)
        for goal in goals:
            goal.history = reviews.get(goal.lineage, [])  # type: ignore[attr-defined]  # for the page
    latest = plan is not None and versions and versions[0].pk == plan.pk
    top = [g for g in goals if g.parent_id is None]
    for goal in top:
        goal.children = [g for g in goals if g.parent_id == goal.pk]  # type: ignore[attr-defined]
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "plan", plan.pk if plan else person.pk)]
        + [Access(person.pk, "goal", g.pk) for g in goals],
    )
    return render(
        request,
        "delivery/plan_detail.html",
        {
            "person": person,
            "plan": plan,
            "goals": top,
            "versions": versions,
            "latest": latest,
            "today": timezone.localdate(),
            "may_write": may_act(request),
        },
    )


@person_view()
def plan_current(request, person):
    return _render_plan(request, person, actions.current_plan(person))


@_record_page(_plan, record_type="plan")
def plan_detail(request, plan, person):
    return _render_plan(request, person, plan)


@provider_person_view
def plan_create(request, person):
    current = actions.current_plan(person)
    initial = {"agreed_on": timezone.localdate()}
    if current is not None:
        initial |= {"visit_frequency": current.visit_frequency, "agreed_how": current.agreed_how}
    form = PlanForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        plan = actions.create_plan(user=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("The plan has been saved."))
        return redirect("delivery:plan_detail", pk=plan.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Revise the implementation plan") if current else _("Make an implementation plan"),
        cancel_url=reverse("delivery:plan", args=[person.pk]),
        submit=_("Save the plan"),
        intro=_(
            "A revision is a new version: the goals are carried over and the earlier version"
            " stays readable."
        )
        if current
        else "",
    )


def _latest_or_403(plan: Plan) -> None:
    if plan.superseded:
        raise PermissionDenied


@_record_page(_plan, record_type="plan", write=True)
def goal_create(request, plan, person):
    _latest_or_403(plan)
    form = GoalForm(_data(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.add_goal(user=request.user, plan=plan, **form.cleaned_data)
            messages.success(request, _("The goal has been added."))
            return redirect("delivery:plan_detail", pk=plan.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Add a goal"),
        cancel_url=reverse("delivery:plan_detail", args=[plan.pk]),
        submit=_("Add the goal"),
    )


@_record_page(_goal, record_type="goal", write=True)
def goal_review(request, goal, person):
    _latest_or_403(goal.plan)
    form = GoalReviewForm(_data(request), initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actions.review_goal(user=request.user, goal=goal, **form.cleaned_data)
        messages.success(request, _("The review has been saved."))
        return redirect("delivery:plan_detail", pk=goal.plan_id)
    _log_read(request, person.pk, "goal", goal.pk)
    return _form_page(
        request,
        person=person,
        form=form,
        title=_("Review a goal"),
        cancel_url=reverse("delivery:plan_detail", args=[goal.plan_id]),
        submit=_("Save the review"),
        goal=goal,
    )

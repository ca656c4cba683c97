"""Plans, goal reviews, visits, network contacts, homework and journal notes on the timeline."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timeline import Entry, short, timeline_source, user_name
from delivery.models import (
    NETWORK_KINDS,
    GoalReview,
    Homework,
    Note,
    Objection,
    Plan,
    Visit,
    VisitKind,
)


@timeline_source("plans", gettext_lazy("Implementation plans"), order=65)
def plans(person, case_ids):
    for plan in Plan.objects.filter(person=person).select_related("created_by"):
        yield Entry(
            when=plan.agreed_on,
            title=_("Implementation plan version %(version)s agreed (%(how)s)")
            % {"version": plan.version, "how": plan.agreed_how},
            detail=_("Visits: %(frequency)s; next follow-up %(date)s")
            % {"frequency": plan.visit_frequency, "date": f"{plan.next_follow_up:%Y-%m-%d}"},
            url=reverse("delivery:plan_detail", args=[plan.pk]),
            recorded_at=plan.created_at,
            by=user_name(plan.created_by),
            record_type="plan",
            record_id=plan.pk,
        )


@timeline_source("goal_reviews", gettext_lazy("Goal reviews"), order=70)
def goal_reviews(person, case_ids):
    reviews = GoalReview.objects.filter(goal__plan__person=person).select_related(
        "goal", "reviewed_by"
    )
    for review in reviews:
        yield Entry(
            when=review.reviewed_on,
            title=_("Goal reviewed: %(outcome)s") % {"outcome": review.get_outcome_display()},
            detail=short(review.goal.text, 15)
            + (" – " + short(review.comment) if review.comment else ""),
            url=reverse("delivery:plan_detail", args=[review.goal.plan_id]),
            recorded_at=review.created_at,
            by=user_name(review.reviewed_by),
            record_type="goal_review",
            record_id=review.pk,
        )


def _visit_entries(visits):
    for visit in visits.select_related("created_by"):
        detail = visit.place
        if visit.participants:
            detail += " – " + visit.participants
        if visit.transport:
            detail += " (" + _("transport arranged") + ")"
        yield Entry(
            when=visit.planned_at,
            title=f"{visit.get_kind_display()}: {visit.get_status_display().lower()}",
            detail=detail,
            url=reverse("delivery:visit_detail", args=[visit.pk]),
            recorded_at=visit.created_at,
            by=user_name(visit.created_by),
            record_type="visit",
            record_id=visit.pk,
        )


@timeline_source("visits", gettext_lazy("Visits"), order=75)
def visits(person, case_ids):
    return _visit_entries(Visit.objects.filter(person=person, kind=VisitKind.VISIT))


@timeline_source("network", gettext_lazy("Network contacts"), order=85)
def network_contacts(person, case_ids):
    return _visit_entries(Visit.objects.filter(person=person, kind__in=NETWORK_KINDS))


@timeline_source("homework", gettext_lazy("Homework"), order=80)
def homework(person, case_ids):
    given = Homework.objects.filter(given_at__person=person).select_related(
        "given_at", "followed_up_at", "created_by", "followed_up_by"
    )
    for item in given:
        yield Entry(
            when=item.given_at.planned_at,
            title=_("Homework given"),
            detail=short(item.text),
            url=reverse("delivery:visit_detail", args=[item.given_at_id]),
            by=user_name(item.created_by),
            record_type="homework",
            record_id=item.pk,
            logged_as=(Action.CREATE, ""),
        )
        if item.result:
            visit = item.followed_up_at or item.given_at
            yield Entry(
                when=visit.planned_at,
                title=_("Homework followed up: %(result)s")
                % {"result": item.get_result_display().lower()},
                detail=short(item.text, 10) + (" – " + short(item.comment) if item.comment else ""),
                url=reverse("delivery:visit_detail", args=[visit.pk]),
                by=user_name(item.followed_up_by),
                record_type="homework",
                record_id=item.pk,
                logged_as=(Action.UPDATE, ""),  # following it up is the only change of homework
            )


@timeline_source("notes", gettext_lazy("Journal notes"), order=90)
def notes(person, case_ids):
    # Only signed notes are documentation; a draft can still change and is not shown here.
    signed = Note.objects.signed().filter(person=person).select_related("corrects", "signed_by")
    journal = reverse("delivery:journal", args=[person.pk])
    for note in signed:
        if note.corrects_id:
            title = _("Correction of the journal note of %(date)s") % {
                "date": f"{note.corrects.happened_on:%Y-%m-%d}"
            }
        else:
            title = _("Journal note")
        yield Entry(
            when=note.happened_on,
            title=title,
            detail=short(note.text),
            url=f"{journal}#note-{note.pk}-heading",
            recorded_at=note.signed_at,
            by=user_name(note.signed_by),
            record_type="journal_note",
            record_id=note.pk,
        )


@timeline_source("notes", gettext_lazy("Journal notes"), order=90)
def objections(person, case_ids):
    found = Objection.objects.filter(note__person=person).select_related("note", "recorded_by")
    journal = reverse("delivery:journal", args=[person.pk])
    for objection in found:
        yield Entry(
            when=objection.given_on,
            title=_("The person's objection to the journal note of %(date)s")
            % {"date": f"{objection.note.happened_on:%Y-%m-%d}"},
            detail=short(objection.text),
            url=f"{journal}#note-{objection.note_id}-heading",
            recorded_at=objection.recorded_at,
            by=user_name(objection.recorded_by),
            record_type="objection",
            record_id=objection.pk,
        )

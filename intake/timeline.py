"""Intakes, their notes, assessment talks and referrals on the person's timeline."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timeline import Entry, short, timeline_source, user_name
from intake.models import AssessmentTalk, Intake, IntakeNote, Referral


def _intakes(person, case_ids):
    return Intake.objects.filter(Q(person=person) | Q(case_id__in=case_ids))


@timeline_source("intakes", gettext_lazy("Intakes"), order=10)
def intakes(person, case_ids):
    for intake in _intakes(person, case_ids).select_related("created_by", "closed_by"):
        url = reverse("intake:detail", args=[intake.pk])
        yield Entry(
            when=intake.received_on,
            title=_("Intake received from %(source)s (%(channel)s)")
            % {"source": intake.get_source_display(), "channel": intake.get_channel_display()},
            detail=short(intake.description),
            url=url,
            recorded_at=intake.created_at,
            by=user_name(intake.created_by),
            record_type="intake",
            record_id=intake.pk,
        )
        if intake.closed_on:
            yield Entry(
                when=intake.closed_on,
                title=_("Intake closed: %(outcome)s") % {"outcome": intake.get_outcome_display()},
                detail=short(intake.outcome_reason),
                url=url,
                by=user_name(intake.closed_by),
                record_type="intake",
                record_id=intake.pk,
                logged_as=(Action.UPDATE, "closed"),
            )


@timeline_source("intakes", gettext_lazy("Intakes"), order=10)
def intake_notes(person, case_ids):
    notes = IntakeNote.objects.filter(
        intake__in=_intakes(person, case_ids).values("pk")
    ).select_related("written_by")
    for note in notes:
        yield Entry(
            when=note.happened_at,
            title=_("Intake note (%(channel)s)") % {"channel": note.get_channel_display()},
            detail=short(note.text),
            url=reverse("intake:detail", args=[note.intake_id]),
            recorded_at=note.written_at,
            by=user_name(note.written_by),
            record_type="intake_note",
            record_id=note.pk,
        )


@timeline_source("talks", gettext_lazy("Assessment talks"), order=20)
def talks(person, case_ids):
    for talk in AssessmentTalk.objects.filter(person=person).select_related("created_by"):
        title = _("Assessment talk (%(place)s)") % {"place": talk.get_place_display()}
        if talk.outcome:
            title += ": " + talk.get_outcome_display()
        yield Entry(
            when=talk.held_on,
            title=title,
            detail=short(talk.outcome_reason),
            url=reverse("intake:talk_detail", args=[talk.pk]),
            recorded_at=talk.created_at,
            by=user_name(talk.created_by),
            record_type="talk",
            record_id=talk.pk,
        )


@timeline_source("referrals", gettext_lazy("Referrals"), order=100)
def referrals(person, case_ids):
    found = Referral.objects.filter(
        Q(person=person) | Q(intake__in=_intakes(person, case_ids).values("pk"))
    ).select_related("service", "created_by")
    for referral in found:
        if referral.intake_id:
            url = reverse("intake:detail", args=[referral.intake_id])
        else:
            url = reverse("people:detail", args=[person.pk]) + "#intake-section-heading"
        yield Entry(
            when=referral.referred_on,
            title=_("Referral to %(service)s") % {"service": referral.service},
            detail=referral.get_result_display(),
            url=url,
            by=user_name(referral.created_by),
            record_type="referral",
            record_id=referral.pk,
            logged_as=(Action.CREATE, ""),
        )

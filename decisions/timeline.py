"""Applications, decisions, the sending of letters and appeals on the person's timeline."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from core.timefmt import date_text
from core.timeline import Entry, short, timeline_source, user_name
from decisions.models import (
    Appeal,
    AppealStatus,
    Application,
    Decision,
    DecisionKind,
    LetterDelivery,
    mark_replaced,
)


@timeline_source("applications", gettext_lazy("Applications"), order=40)
def applications(person, case_ids):
    for application in Application.objects.filter(person=person).select_related(
        "support_kind", "created_by"
    ):
        yield Entry(
            when=application.applied_on,
            title=_("Application for %(kind)s (%(form)s)")
            % {
                "kind": application.support_kind.name.lower(),
                "form": application.get_form_display().lower(),
            },
            detail=short(application.what),
            url=reverse("decisions:application_detail", args=[application.pk]),
            recorded_at=application.created_at,
            by=user_name(application.created_by),
            record_type="application",
            record_id=application.pk,
        )


@timeline_source("decisions", gettext_lazy("Decisions"), order=45)
def decisions(person, case_ids):
    found = mark_replaced(
        Decision.objects.filter(person=person).select_related("support_kind", "decided_by")
    )
    number_of = {decision.pk: decision.number for decision in found}
    for decision in found:
        detail = decision.support_kind.name
        if decision.period_from:
            until = date_text(decision.period_to)
            detail += f", {date_text(decision.period_from)} – {until}"
        if decision.replaces_id in number_of:
            refers = (
                _("renews decision %(number)s")
                if decision.kind == DecisionKind.RENEWAL
                else _("changes decision %(number)s")
            )
            detail += "; " + refers % {"number": number_of[decision.replaces_id]}
        if decision.replaced_note:
            note = decision.replaced_note
            detail += "; " + note[:1].lower() + note[1:]
        yield Entry(
            when=decision.decided_on,
            title=_("Decision %(number)s: %(outcome)s")
            % {"number": decision.number, "outcome": decision.get_outcome_display().lower()},
            detail=detail,
            url=reverse("decisions:detail", args=[decision.pk]),
            recorded_at=decision.created_at,
            by=user_name(decision.decided_by),
            record_type="decision",
            record_id=decision.pk,
        )


@timeline_source("letters", gettext_lazy("Decision letters"), order=50)
def letters(person, case_ids):
    deliveries = LetterDelivery.objects.filter(decision__person=person).select_related(
        "decision", "recorded_by"
    )
    for delivery in deliveries:
        detail = ""
        if delivery.received_on:
            detail = _("Received by the person %(date)s") % {
                "date": f"{delivery.received_on:%Y-%m-%d}"
            }
        yield Entry(
            when=delivery.sent_on,
            title=_("Letter for decision %(number)s sent (%(method)s)")
            % {"number": delivery.decision.number, "method": delivery.get_method_display().lower()},
            detail=detail,
            url=reverse("decisions:detail", args=[delivery.decision_id]),
            recorded_at=delivery.recorded_at,
            by=user_name(delivery.recorded_by),
            record_type="letter_delivery",
            record_id=delivery.pk,
        )


@timeline_source("appeals", gettext_lazy("Appeals"), order=55)
def appeals(person, case_ids):
    for appeal in Appeal.objects.filter(decision__person=person).select_related(
        "decision", "registered_by"
    ):
        in_time = _("in time") if appeal.in_time else _("late")
        yield Entry(
            when=appeal.received_on,
            title=_("Appeal of decision %(number)s received (%(in_time)s)")
            % {"number": appeal.decision.number, "in_time": in_time},
            detail=appeal.get_status_display(),
            url=reverse("decisions:appeal_detail", args=[appeal.pk]),
            by=user_name(appeal.registered_by),
            record_type="appeal",
            record_id=appeal.pk,
            logged_as=(Action.CREATE, ""),
        )
        if appeal.forwarded_on:
            yield Entry(
                when=appeal.forwarded_on,
                title=_("Appeal forwarded to %(court)s")
                % {"court": appeal.court or _("the administrative court")},
                url=reverse("decisions:appeal_detail", args=[appeal.pk]),
                record_type="appeal",
                record_id=appeal.pk,
                logged_as=(Action.UPDATE, AppealStatus.FORWARDED),
            )
        if appeal.judgment_on:
            yield Entry(
                when=appeal.judgment_on,
                title=_("Judgment: %(judgment)s") % {"judgment": appeal.get_judgment_display()},
                url=reverse("decisions:appeal_detail", args=[appeal.pk]),
                record_type="appeal",
                record_id=appeal.pk,
                logged_as=(Action.UPDATE, AppealStatus.JUDGED),
            )

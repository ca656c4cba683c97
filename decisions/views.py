"""The authority's pages: applications, communication, decisions, letters, deliveries, appeals.

Every object is reached through its person and `people.access`: who may not know the person
gets 404, who must give a reason is sent to the reason form, who may read but not change gets
403. Only the authority side (officers, managers) registers and decides; whether someone may
decide on a kind of support on a date is the delegation rule in `decisions.actions`.
There is deliberately no page that changes or removes an issued decision.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import log_access
from audit.models import Action
from core.forms_util import posted as _data
from core.forms_util import refusal_shown_on
from core.timefmt import date_text
from decisions import actions, ending
from decisions.deadlines import appeal_deadline
from decisions.forms import (
    AppealForm,
    AppealStepForm,
    ApplicationForm,
    CommunicationForm,
    DecisionForm,
    DeliveryForm,
    EndDecisionForm,
)
from decisions.letters import letter_pdf
from decisions.models import (
    GRANTED,
    Appeal,
    Application,
    Decision,
    DecisionKind,
    replaced_text,
    replacements,
)
from organisation.permissions import AUTHORITY_ROLES, may_do_authority_work
from people.models import Case, CaseStatus
from people.opening import log_read, person_view, record_view


def may_act(request) -> bool:
    """May this user do the authority's work on the person just loaded?"""
    return may_do_authority_work(request.user, request.access_level)


def _log_get(request, person, record_type: str, record_id) -> None:
    """A form page logs the read of what it shows when it is first opened."""
    if request.method == "GET":
        log_read(
            request.user,
            person.pk,
            request.access_level,
            record_type=record_type,
            record_id=record_id,
        )


def _application(pk):
    application = get_object_or_404(
        Application.objects.select_related("person", "support_kind", "case"), pk=pk
    )
    return application, application.person_id


def _decision(pk):
    decision = get_object_or_404(
        Decision.objects.select_related(
            "person", "support_kind", "application", "decided_by", "presented_by", "replaces"
        ),
        pk=pk,
    )
    return decision, decision.person_id


def _appeal(pk):
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "decision__person", "decision__support_kind", "reconsideration_decision"
        ),
        pk=pk,
    )
    return appeal, appeal.decision.person_id


# Applications and communication


def _case_for(person) -> Case | None:
    """The person's open case, or else the latest one: the application belongs to it."""
    cases = person.cases.order_by("-opened_on")
    return cases.filter(status=CaseStatus.OPEN).first() or cases.first()


@person_view(write=True, roles=AUTHORITY_ROLES)
def application_create(request, person):
    form = ApplicationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        case = _case_for(person)
        with refusal_shown_on(form):
            if case is None:
                raise ValidationError(_("The person has no case to register the application in."))
            application = actions.create_application(
                user=request.user, person=person, case=case, **form.cleaned_data
            )
            messages.success(request, _("The application has been registered."))
            return redirect("decisions:application_detail", pk=application.pk)
    _log_get(request, person, "person", person.pk)
    return render(request, "decisions/application_form.html", {"form": form, "person": person})


@record_view(_application, record_type="application")
def application_detail(request, application, person):
    decisions = application.decisions.select_related("decided_by").order_by("decided_on")
    return render(
        request,
        "decisions/application_detail.html",
        {
            "application": application,
            "person": application.person,
            "decisions": decisions,
            "may_act": may_act(request),
            "communication_frozen": actions.communication_frozen(application),
        },
    )


@record_view(_application, record_type="application", roles=AUTHORITY_ROLES, write=True)
def communication(request, application, person):
    frozen = actions.communication_frozen(application)
    form = CommunicationForm(
        _data(request), initial=_communication_initial(application), record=application
    )
    if request.method == "POST" and not frozen and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            actions.record_communication(
                user=request.user,
                application=application,
                communicated_on=data["communicated_on"],
                method=data["communication_method"],
                response_by=data["response_by"],
                response=data["communication_response"],
                exemption=data["communication_exemption"],
                opened=form.opened,
            )
            messages.success(request, _("The communication has been recorded."))
            return redirect("decisions:application_detail", pk=application.pk)
    _log_get(request, person, "application", application.pk)
    return render(
        request,
        "decisions/communication_form.html",
        {
            "form": form,
            "application": application,
            "person": application.person,
            "frozen": frozen,
        },
    )


def _communication_initial(application: Application) -> dict:
    return {name: getattr(application, name) for name in CommunicationForm.Meta.fields}


# Decisions


@record_view(_application, record_type="application", roles=AUTHORITY_ROLES, write=True)
def decision_create(request, application, person):
    earlier = _earlier_decision(request, application)
    form = DecisionForm(
        _data(request), application=application, initial=_decision_initial(request, earlier)
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            decision = actions.issue_decision(
                officer=request.user, application=application, **form.cleaned_data
            )
            messages.success(
                request,
                _("Decision %(number)s has been issued. Send the letter and record it.")
                % {"number": decision.number},
            )
            return redirect("decisions:detail", pk=decision.pk)
    _log_get(request, person, "application", application.pk)
    return render(
        request,
        "decisions/decision_form.html",
        {
            "form": form,
            "application": application,
            "person": application.person,
            "earlier": earlier,
            "renewal": earlier is not None and _kind_asked(request) == DecisionKind.RENEWAL,
        },
    )


def _earlier_decision(request, application: Application) -> Decision | None:
    """`?andrar=<uuid>`: the person's earlier decision on this kind of support to change."""
    try:
        pk = uuid.UUID(request.GET.get("andrar", ""))
    except ValueError:
        return None
    return (
        Decision.objects.filter(
            pk=pk, person_id=application.person_id, support_kind_id=application.support_kind_id
        )
        .select_related("order")
        .first()
    )


def _kind_asked(request) -> str:
    kind = request.GET.get("typ", DecisionKind.CHANGE)
    return kind if kind in (DecisionKind.CHANGE, DecisionKind.RENEWAL) else DecisionKind.CHANGE


def _decision_initial(request, earlier: Decision | None) -> dict:
    """A decision that changes an earlier one starts as a copy of it, so that the officer edits
    what changes: the outcome, the text, the goals, the reasons, the period and the provider.
    A change runs from today (or the earlier start, if later) to the earlier end; a renewal
    from the day after the earlier end."""
    if earlier is None:
        return {}
    kind = _kind_asked(request)
    initial = {
        "replaces": earlier.pk,
        "kind": kind,
        "outcome": earlier.outcome,
        "content": earlier.content,
        "goals": earlier.goals,
        "reasons": earlier.reasons,
    }
    if earlier.period_from and earlier.period_to:
        if kind == DecisionKind.RENEWAL:
            initial["period_from"] = earlier.period_to + datetime.timedelta(days=1)
        else:
            initial["period_from"] = max(earlier.period_from, timezone.localdate())
            initial["period_to"] = earlier.period_to
    with contextlib.suppress(ObjectDoesNotExist):
        initial["provider_unit"] = earlier.order.provider_unit_id
    return initial


@record_view(_decision, record_type="decision")
def decision_detail(request, decision, person):
    earlier, later = _chain(decision)
    order = order_replaced_by = None
    try:
        order = decision.order
        order_replaced_by = order.replaced_by
    except ObjectDoesNotExist:
        pass
    replaced_by = replacements(later).get(decision.pk)
    return render(
        request,
        "decisions/decision_detail.html",
        {
            "decision": decision,
            "person": decision.person,
            "earlier": earlier,
            "later": later,
            "deliveries": decision.deliveries.select_related("recorded_by"),
            "appeals": decision.appeals.all(),
            "order": order,
            "order_replaced_by": order_replaced_by,
            "replaced_by": replaced_by,
            "in_force": _in_force_text(decision, replaced_by),
            "may_act": may_act(request),
            "may_end": may_act(request)
            and ending.in_force_past(decision.case, timezone.localdate())
            .filter(pk=decision.pk)
            .exists(),
        },
    )


def _in_force_text(decision: Decision, replaced_by: Decision | None) -> str:
    """Whether the decision is in force, as the decision page says it."""
    if replaced_by is not None:
        return replaced_text(replaced_by)
    if decision.outcome not in GRANTED:
        return ""
    today = timezone.localdate()
    if decision.period_to and decision.period_to < today:
        return _("Ended %(date)s") % {"date": date_text(decision.period_to)}
    if decision.period_from and decision.period_from > today:
        return _("In force from %(date)s") % {"date": date_text(decision.period_from)}
    return _("In force")


def _chain(decision: Decision) -> tuple[list[Decision], list[Decision]]:
    """Earlier decisions it refers to (newest first) and later ones referring to it, in one
    query over the person's decisions."""
    everyone = {
        d.pk: d
        for d in Decision.objects.filter(person_id=decision.person_id).select_related(
            "support_kind"
        )
    }
    earlier, current = [], everyone.get(decision.replaces_id)
    while current is not None and current not in earlier:
        earlier.append(current)
        current = everyone.get(current.replaces_id)
    later, frontier = [], {decision.pk}
    while frontier:
        step = [d for d in everyone.values() if d.replaces_id in frontier and d not in later]
        later += step
        frontier = {d.pk for d in step}
    later.sort(key=lambda d: (d.decided_on, d.created_at))
    return earlier, later


@record_view(_decision, record_type="decision")
def decision_letter(request, decision, person):
    pdf = letter_pdf(decision)
    log_access(
        user=request.user,
        person=decision.person_id,
        action=Action.EXPORT,
        record_type="decision_letter",
        record_id=decision.pk,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="beslut-{decision.number}.pdf"'
    return response


@record_view(_decision, record_type="decision", roles=AUTHORITY_ROLES, write=True)
def delivery_create(request, decision, person):
    form = DeliveryForm(_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.record_delivery(user=request.user, decision=decision, **form.cleaned_data)
            messages.success(request, _("The sending of the letter has been recorded."))
            return redirect("decisions:detail", pk=decision.pk)
    _log_get(request, person, "decision", decision.pk)
    return render(
        request,
        "decisions/delivery_form.html",
        {"form": form, "decision": decision, "person": decision.person},
    )


@record_view(_decision, record_type="decision", roles=AUTHORITY_ROLES, write=True)
def decision_end(request, decision, person):
    """End a decision in force before its period is over, by an ending decision of its own."""
    form = EndDecisionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            ended = ending.end_decision(
                officer=request.user,
                decision=decision,
                ends_on=data["ends_on"],
                reasons=data["ending_reasons"],
                at_own_request=data["at_own_request"],
            )
            messages.success(
                request,
                _("Decision %(number)s ends the support. Send the letter to the person.")
                % {"number": ended.number},
            )
            return redirect("decisions:detail", pk=ended.pk)
    _log_get(request, person, "decision", decision.pk)
    return render(
        request,
        "decisions/end_form.html",
        {"form": form, "decision": decision, "person": decision.person},
    )


# Appeals


@record_view(_decision, record_type="decision", roles=AUTHORITY_ROLES, write=True)
def appeal_create(request, decision, person):
    form = AppealForm(_data(request), decision=decision)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            appeal = actions.register_appeal(
                user=request.user, decision=decision, **form.cleaned_data
            )
            messages.success(request, _("The appeal has been registered."))
            return redirect("decisions:appeal_detail", pk=appeal.pk)
    _log_get(request, person, "decision", decision.pk)
    if form.is_bound:
        received = getattr(form, "cleaned_data", {}).get("decision_received_on")
    else:
        received = form["decision_received_on"].initial
    return render(
        request,
        "decisions/appeal_form.html",
        {
            "form": form,
            "decision": decision,
            "person": decision.person,
            "deadline": appeal_deadline(received) if received else None,
        },
    )


@record_view(_appeal, record_type="appeal")
def appeal_detail(request, appeal, person):
    return render(
        request,
        "decisions/appeal_detail.html",
        {
            "appeal": appeal,
            "decision": appeal.decision,
            "person": appeal.decision.person,
            "may_act": may_act(request) and actions.next_appeal_steps(appeal),
        },
    )


@record_view(_appeal, record_type="appeal", roles=AUTHORITY_ROLES, write=True)
def appeal_step(request, appeal, person):
    steps = actions.next_appeal_steps(appeal)
    form = AppealStepForm(_data(request), appeal=appeal, steps=steps)
    if request.method == "POST" and steps and form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        fields = {name: data.get(name) for name in actions.APPEAL_FIELDS.get(status, ())}
        with refusal_shown_on(form):
            actions.update_appeal(
                user=request.user, appeal=appeal, status=status, notes=data["notes"], **fields
            )
            messages.success(request, _("The appeal has been updated."))
            return redirect("decisions:appeal_detail", pk=appeal.pk)
    _log_get(request, person, "appeal", appeal.pk)
    return render(
        request,
        "decisions/appeal_step_form.html",
        {
            "form": form,
            "appeal": appeal,
            "decision": appeal.decision,
            "person": appeal.decision.person,
            "steps": steps,
        },
    )

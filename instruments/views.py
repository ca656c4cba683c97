"""Staff pages: start a rating, enter answers, see the score, send a home link, act on a risk."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import Access, log_access, log_accesses, log_list
from audit.models import Action
from core.forms_util import add_action_errors, posted, refusal_shown_on
from core.timefmt import date_text, time_text
from delivery.models import Visit
from instruments import actions, definitions
from instruments.access import load_alert, load_link, load_response, open_alerts_for
from instruments.forms import (
    AnswersForm,
    CompareForm,
    HomeLinkForm,
    ResolveAlertForm,
    StartForm,
)
from instruments.models import Occasion, Response, ResponseStatus
from instruments.presentation import compared_with_previous, score_view
from mapping.models import MappingSession, numbered_sessions
from organisation.permissions import ALERT_ROLES
from organisation.roles import role_required
from people.access import Level
from people.opening import person_view, record_view
from provision.models import FollowUp
from submissions.resend import remember

LINK_CHOICE_ROWS = 20


def _link_choices(person) -> list[tuple[str, str]]:
    """Mapping sessions, visits and follow-ups of the person, newest first (a few queries)."""
    sessions = numbered_sessions(MappingSession.objects.filter(mapping__person=person)).order_by(
        "-held_on", "-created_at"
    )
    visits = Visit.objects.filter(person=person).order_by("-planned_at")
    follow_ups = FollowUp.objects.filter(person=person).order_by("-due_on")
    return (
        [(f"session:{s.pk}", session_label(s)) for s in sessions[:LINK_CHOICE_ROWS]]
        + [
            (f"visit:{v.pk}", _("Visit %(date)s") % {"date": date_text(v.planned_at)})
            for v in visits[:LINK_CHOICE_ROWS]
        ]
        + [
            (
                f"follow_up:{f.pk}",
                _("Follow-up %(months)s months (%(date)s)")
                % {"months": f.months, "date": f.due_on},
            )
            for f in follow_ups[:LINK_CHOICE_ROWS]
        ]
    )


def session_label(session) -> str:
    """ "Mapping session 2, 2026-12-06 (recorded 10:15)": sessions on one day told apart."""
    return _("Mapping session %(number)d, %(date)s (recorded %(time)s)") % {
        "number": session.number,
        "date": f"{session.held_on:%Y-%m-%d}",
        "time": time_text(session.created_at),
    }


def _linked_objects(person, value: str) -> dict:
    kind, _sep, pk = (value or "").partition(":")
    if kind == "session":
        return {
            "mapping_session": MappingSession.objects.filter(mapping__person=person, pk=pk).first()
        }
    if kind == "visit":
        return {"visit": Visit.objects.filter(person=person, pk=pk).first()}
    if kind == "follow_up":
        return {"follow_up": FollowUp.objects.filter(person=person, pk=pk).first()}
    return {}


def _given_at(request, person) -> dict:
    """A rating started from a mapping session (`?tillfalle=<id>`) is given at that session."""
    initial: dict = {"administered_on": timezone.localdate()}
    session = request.GET.get("tillfalle", "")
    try:
        found = MappingSession.objects.filter(mapping__person=person, pk=session).first()
    except (ValueError, ValidationError):
        found = None
    if found is not None:
        initial.update(link=f"session:{found.pk}", occasion=Occasion.START)
    return initial


@person_view(write=True)
def start(request, person):
    form = StartForm(
        posted(request), link_choices=_link_choices(person), initial=_given_at(request, person)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = actions.start_response(
            user=request.user,
            person=person,
            code=data["code"],
            occasion=data["occasion"],
            administered_on=data["administered_on"],
            **_linked_objects(person, data["link"]),
        )
        return redirect("instruments:answer", pk=response.pk)
    return render(request, "instruments/start_form.html", {"form": form, "person": person})


@record_view(load_response, record_type="instrument_response", write=True)
def answer(request, response, _person):
    if response.status == ResponseStatus.COMPLETE:
        messages.error(request, _("This rating has already been completed and cannot be changed."))
        return redirect("instruments:detail", pk=response.pk)
    wording = actions.wording_for(response.code, response.version)
    defn = wording.definition
    form = AnswersForm(posted(request), definition=defn, answers=response.answers)
    if request.method == "POST" and form.is_valid():
        complete = "complete" in request.POST
        try:
            actions.save_answers(
                user=request.user, response=response, answers=form.answers(), complete=complete
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_item_errors(error.message_dict)
            else:
                add_action_errors(form, error)
        else:
            if complete:
                messages.success(request, _("The rating has been completed and scored."))
                return redirect("instruments:detail", pk=response.pk)
            messages.success(request, _("The draft has been saved."))
            return redirect("instruments:answer", pk=response.pk)
    return render(
        request,
        "instruments/answer_form.html",
        {
            "form": form,
            "response": response,
            "person": response.person,
            "definition": defn,
            "wording": wording,
            "text_refusal": actions.text_refusal(wording),
            "link": getattr(response, "home_link", None),
        },
    )


@record_view(load_response, record_type="instrument_response")
def detail(request, response, _person):
    defn = actions.definition_for(response.code, response.version)
    link = getattr(response, "home_link", None) if hasattr(response, "home_link") else None
    previous = _previous_rating(response)
    if previous is not None:
        # Its date and total are shown beside this one: a read of that rating too.
        log_access(
            user=request.user,
            person=response.person_id,
            action=Action.READ,
            record_type="instrument_response",
            record_id=previous.pk,
        )
    return render(
        request,
        "instruments/detail.html",
        {
            "response": response,
            "person": response.person,
            "definition": defn,
            "rows": _answer_rows(defn, response.answers),
            "score": score_view(response),
            "alerts": list(response.risk_alerts.select_related("resolved_by")),
            "link": link,
            "may_write": request.access_level >= Level.WRITE,
            "newest_version": definitions.versions(response.code)[-1],
            "compared": compared_with_previous(response, previous),
        },
    )


def _previous_rating(response: Response) -> Response | None:
    """The person's computable rating on the same instrument just before this one."""
    if not (response.is_complete and response.computable):
        return None
    day, created = response.administered_on, response.created_at
    return (
        Response.objects.filter(
            person_id=response.person_id,
            code=response.code,
            status=ResponseStatus.COMPLETE,
            computable=True,
        )
        .filter(Q(administered_on__lt=day) | Q(administered_on=day, created_at__lt=created))
        .exclude(pk=response.pk)
        .order_by("-administered_on", "-created_at")
        .first()
    )


def _answer_rows(defn, answers: dict) -> list[dict]:
    rows = []
    for item in defn.answerable_items():
        value = answers.get(item.id)
        option = item.option(value) if value is not None and item.options else None
        shown: object
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = item.option_text(value) if option else value
        # The points in brackets after a scored option; an unscored option's value is a code.
        scored = option is not None and option.score is not None
        rows.append({"item": item, "value": value, "shown": shown, "scored": scored})
    return rows


@record_view(load_response, record_type="instrument_response")
def fhir_export(request, response, _person):
    """The response as a FHIR QuestionnaireResponse (R5, validated by fhir.resources)."""
    from instruments import fhir

    defn = definitions.load(response.code, response.version)
    data = fhir.to_response(
        defn,
        response.answers,
        # When the answers were given (a paper rating typed in later keeps its own date);
        # noon, so the date is the same in every time zone an importer may use.
        authored=datetime.datetime.combine(
            response.administered_on, datetime.time(12), tzinfo=timezone.get_current_timezone()
        ),
        subject=f"urn:uuid:{response.person_id}",
    )
    log_access(
        user=request.user,
        person=response.person_id,
        action=Action.EXPORT,
        record_type="instrument_response",
        record_id=response.pk,
    )
    reply = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/fhir+json"
    )
    reply["Content-Disposition"] = f'attachment; filename="{response.code}-{response.pk}.json"'
    return reply


@person_view(write=True)
def home_link(request, person):
    form = HomeLinkForm(
        posted(request), link_choices=_link_choices(person), initial=_given_at(request, person)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            link, token = actions.send_home_link(
                user=request.user,
                person=person,
                code=data["code"],
                occasion=data["occasion"],
                days=data["days"],
                **_linked_objects(person, data["link"]),
            )
            # The token is kept only as a hash: this is the one time the address can be shown;
            # a resent form leads to the rating's page, where the link is listed.
            remember(request, reverse("instruments:detail", args=[link.response_id]))
            return render(
                request,
                "instruments/home_link_created.html",
                {
                    "person": person,
                    "link": link,
                    "url": actions.link_url(request, token),
                    "definition": definitions.load(link.response.code, link.response.version),
                },
            )
    refused = [(d, reason) for d, reason in actions.home_link_refusals() if reason]
    return render(
        request,
        "instruments/home_link_form.html",
        {"form": form, "person": person, "refused": refused},
    )


@require_POST
@record_view(load_link, record_type="home_link", write=True)
def revoke_link(request, link, _person):
    actions.revoke_link(user=request.user, link=link)
    messages.success(request, _("The link has been withdrawn and can no longer be used."))
    return redirect("instruments:detail", pk=link.response_id)


@record_view(load_alert, record_type="risk_alert")
def alert(request, alert, _person):
    may_write = request.access_level >= Level.WRITE
    form = ResolveAlertForm(posted(request) if may_write else None)
    if request.method == "POST" and may_write and form.is_valid():
        with refusal_shown_on(form):
            actions.resolve_alert(
                user=request.user, alert=alert, action_taken=form.cleaned_data["action_taken"]
            )
            messages.success(request, _("What was done has been recorded; the alert is closed."))
            return redirect("people:detail", pk=alert.person_id)
    return render(
        request,
        "instruments/alert.html",
        {
            "alert": alert,
            "person": alert.person,
            "form": form,
            "may_write": may_write,
            "score": score_view(alert.response),
        },
    )


@role_required(*ALERT_ROLES)
def alert_list(request):
    alerts = list(
        open_alerts_for(request.user).select_related("person", "response").order_by("raised_at")
    )
    log_list(user=request.user, record_type="risk_alert", people=[a.person_id for a in alerts])
    return render(request, "instruments/alert_list.html", {"alerts": alerts})


@person_view()
def compare(request, person, code):
    """A structured account (En vanlig dag) on two dates side by side, slot by slot."""
    try:
        defn = definitions.load(code)
    except definitions.UnknownDefinition:
        from django.http import Http404

        raise Http404 from None
    responses = list(
        Response.objects.filter(person=person, code=code, status=ResponseStatus.COMPLETE).order_by(
            "administered_on", "created_at"
        )
    )
    choices = [(str(r.pk), f"{r.administered_on:%Y-%m-%d}") for r in responses]
    initial = {}
    if len(responses) >= 2:
        initial = {"first": str(responses[0].pk), "second": str(responses[-1].pk)}
    form = CompareForm(request.GET or None, choices=choices, initial=initial)
    chosen = initial
    if request.GET and form.is_valid():
        chosen = form.cleaned_data
    by_pk = {str(r.pk): r for r in responses}
    first, second = by_pk.get(chosen.get("first")), by_pk.get(chosen.get("second"))
    rows = []
    if first and second:
        first_defn = definitions.load(code, first.version)
        rows = _side_by_side(first_defn, first.answers, second.answers)
        log_accesses(
            user=request.user,
            accesses=[Access(person.pk, "instrument_response", r.pk) for r in (first, second)],
        )
    return render(
        request,
        "instruments/compare.html",
        {
            "person": person,
            "definition": defn,
            "form": form,
            "first": first,
            "second": second,
            "rows": rows,
            "enough": len(responses) >= 2,
        },
    )


def _side_by_side(defn, first: dict, second: dict) -> list[dict]:
    rows = []
    for block in _walk_with_group(defn.items, None):
        item, group = block
        shown = [_shown(item, answers.get(item.id)) for answers in (first, second)]
        rows.append(
            {
                "group": group,
                "item": item,
                "first": shown[0],
                "second": shown[1],
                "changed": shown[0] != shown[1],
            }
        )
    return rows


def _walk_with_group(items, group):
    for item in items:
        if item.type == "group":
            yield from _walk_with_group(item.items, item)
        elif item.type != "display":
            yield item, group


def _shown(item, value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return item.option_text(value) if item.options else str(value)

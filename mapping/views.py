"""Mapping pages. Thin: forms parse, mapping.actions decide and log, templates render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_accesses
from core.concurrency import StaleEdit
from instruments.models import Response
from instruments.presentation import instrument_title
from mapping import actions
from mapping.access import load_mapping, session_staff_candidates
from mapping.forms import CompleteForm, InterruptForm, NeedForm, SessionForm, StartMappingForm
from mapping.models import MappingStatus, Need, numbered_sessions
from organisation.models import LifeArea
from people.access import Level
from people.opening import person_view, record_view

EXPECTED_SESSIONS = "3–5"


def mapping_view(*, write: bool = False):
    """The mapping through its person's access rules (`people.opening`); a change also needs an
    ongoing mapping, or the user is sent back to it."""

    def decorator(view):
        @record_view(load_mapping, record_type="mapping", write=write)
        @wraps(view)
        def wrapped(request, mapping, _person, *args, **kwargs):
            if write and mapping.status != MappingStatus.ONGOING:
                messages.error(request, _("The mapping has ended and cannot be changed."))
                return redirect("mapping:detail", pk=mapping.pk)
            return view(request, mapping, *args, **kwargs)

        return wrapped

    return decorator


def _posted(request):
    """The submitted data, even when empty: an empty submission is still a submission."""
    return request.POST if request.method == "POST" else None


def _refused(form, error: ValidationError) -> None:
    """An action's ValidationError shown on the form, field by field where it names fields."""
    form.add_error(None, error)


@person_view(write=True)
def mapping_start(request, person):
    form = StartMappingForm(_posted(request), person=person)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = actions.start_mapping(user=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The mapping has been started."))
            return redirect("mapping:detail", pk=mapping.pk)
    return render(request, "mapping/start_form.html", {"form": form, "person": person})


def _ratings(mapping, sessions) -> list[dict]:
    """Self-ratings given during the mapping: tied to one of its sessions, or given in its
    period and tied to no other meeting."""
    until = mapping.ended_on or timezone.localdate()
    during = Q(
        administered_on__range=(mapping.started_on, until),
        mapping_session__isnull=True,
        visit__isnull=True,
        follow_up__isnull=True,
    )
    responses = (
        Response.objects.filter(person_id=mapping.person_id)
        .filter(Q(mapping_session__mapping=mapping) | during)
        .order_by("administered_on", "created_at")
    )
    numbers = {session.pk: session.number for session in sessions}
    return [
        {
            "response": r,
            "title": instrument_title(r.code, r.version),
            "session_number": numbers.get(r.mapping_session_id),
        }
        for r in responses
    ]


@mapping_view()
def mapping_detail(request, mapping):
    sessions = list(numbered_sessions(mapping.sessions.all()).prefetch_related("staff"))
    ratings = _ratings(mapping, sessions)
    log_accesses(
        user=request.user,
        accesses=[
            Access(mapping.person_id, "mapping", mapping.pk),
            *(
                Access(mapping.person_id, "instrument_response", row["response"].pk)
                for row in ratings
            ),
        ],
    )
    needs = mapping.needs.select_related("life_area")
    ongoing = mapping.status == MappingStatus.ONGOING
    may_change = ongoing and request.access_level >= Level.WRITE
    return render(
        request,
        "mapping/detail.html",
        {
            "mapping": mapping,
            "person": mapping.person,
            "sessions": sessions,
            "needs": needs,
            "ratings": ratings,
            "ongoing": ongoing,
            "may_change": may_change,
            "may_add_session": may_change and len(sessions) < actions.MAX_SESSIONS,
            "max_sessions": actions.MAX_SESSIONS,
            "expected": EXPECTED_SESSIONS,
        },
    )


@mapping_view(write=True)
def session_add(request, mapping):
    candidates = session_staff_candidates(request.user, mapping)
    form = SessionForm(
        _posted(request), candidates=candidates, initial={"staff": [request.user.pk]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_session(user=request.user, mapping=mapping, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The session has been recorded."))
            return redirect("mapping:detail", pk=mapping.pk)
    number = mapping.sessions.count() + 1
    return render(
        request,
        "mapping/session_form.html",
        {
            "form": form,
            "mapping": mapping,
            "person": mapping.person,
            "number": number,
            "expected": EXPECTED_SESSIONS,
            "full": number > actions.MAX_SESSIONS,
            "max_sessions": actions.MAX_SESSIONS,
        },
    )


def _need_forms(request, mapping) -> list[tuple[LifeArea, NeedForm]]:
    """One form per active life area, filled in with what is already recorded."""
    recorded = {need.life_area_id: need for need in Need.objects.filter(mapping=mapping)}
    pairs = []
    for area in LifeArea.objects.filter(active=True).order_by("position", "name"):
        form = NeedForm(_posted(request), prefix=f"area-{area.pk}", record=recorded.get(area.pk))
        pairs.append((area, form))
    return pairs


def _save_needs(user, mapping, pairs) -> bool:
    """Save the areas filled in and changed, all or none; an area someone else saved after the
    page was opened is refused on its own form. True when everything was saved."""
    stale = False
    with transaction.atomic():
        for area, form in pairs:
            if not form.filled_in_and_changed:
                continue
            try:
                with transaction.atomic():
                    actions.save_need(
                        user=user,
                        mapping=mapping,
                        life_area=area,
                        opened=form.opened,
                        **form.cleaned_data,
                    )
            except StaleEdit as error:
                form.show_stale(error)
                stale = True
        if stale:
            transaction.set_rollback(True)
    return not stale


@mapping_view(write=True)
def needs_edit(request, mapping):
    pairs = _need_forms(request, mapping)
    refused = None
    if request.method == "POST" and all(form.is_valid() for _area, form in pairs):
        try:
            # Only the areas filled in (and changed) are saved; the others stay as they are.
            saved = _save_needs(request.user, mapping, pairs)
        except ValidationError as error:
            refused = error.messages
        else:
            if saved:
                messages.success(request, _("The needs have been saved."))
                return redirect("mapping:detail", pk=mapping.pk)
    has_errors = request.method == "POST" and any(form.errors for _area, form in pairs)
    return render(
        request,
        "mapping/needs_form.html",
        {
            "pairs": pairs,
            "mapping": mapping,
            "person": mapping.person,
            "has_errors": has_errors,
            "refused": refused,
        },
    )


@mapping_view(write=True)
def mapping_interrupt(request, mapping):
    form = InterruptForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.interrupt_mapping(
                user=request.user,
                mapping=mapping,
                interrupted_by=form.cleaned_data["interrupted_by"],
                reason=form.cleaned_data["interruption_reason"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The mapping has been interrupted."))
            return redirect("mapping:detail", pk=mapping.pk)
    return render(
        request,
        "mapping/interrupt_form.html",
        {"form": form, "mapping": mapping, "person": mapping.person},
    )


@mapping_view(write=True)
def mapping_complete(request, mapping):
    form = CompleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_mapping(user=request.user, mapping=mapping, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The mapping has been completed."))
            return redirect("mapping:detail", pk=mapping.pk)
    return render(
        request,
        "mapping/complete_form.html",
        {
            "form": form,
            "mapping": mapping,
            "person": mapping.person,
            "session_count": mapping.sessions.count(),
            "needs": mapping.needs.select_related("life_area"),
            "expected": EXPECTED_SESSIONS,
        },
    )

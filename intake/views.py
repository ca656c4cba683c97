"""Staff pages for intakes, assessment talks and referrals. Views parse and render; every rule
lives in intake.actions, whose ValidationErrors become form errors here."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import log_list
from core.forms_util import add_action_errors, refusal_shown_on
from core.pagination import keyset_page
from intake import access, actions
from intake.forms import (
    CloseForm,
    ConcludeTalkForm,
    IntakeForm,
    LinkPersonForm,
    NoteForm,
    ReferralForm,
    ReferralResultForm,
    TalkForm,
    typed_number_key,
)
from intake.models import IntakeStatus, normalised_reference
from organisation.models import CASE_ROLES, Service
from organisation.permissions import AUTHORITY_ROLES
from organisation.roles import role_required
from people.access import Level
from people.opening import person_view, record_view


def intake_view(*, write: bool = False):
    """The intake through its own rules (`access.load_intake`): 404 to outsiders, the reason
    form outside one's own cases, 403 to read-only users; every request is logged as a read."""
    return record_view(check=access.load_intake, record_type="intake", write=write)


def open_intake_view(view):
    """A change that only an open intake accepts; a closed one sends the user back to it."""

    @intake_view(write=True)
    @wraps(view)
    def wrapped(request, intake, person, *args, **kwargs):
        if intake.status == IntakeStatus.CLOSED:
            messages.error(request, _("The intake is closed and can no longer be changed."))
            return redirect("intake:detail", pk=intake.pk)
        return view(request, intake, person, *args, **kwargs)

    return wrapped


def talk_view(*, write: bool = False):
    """A talk is the person's: the person's access decides."""
    return record_view(access.load_talk, record_type="talk", write=write)


def _unit_or_403(user):
    units = access.authority_units(user)
    if not units:
        raise PermissionDenied
    return units


@role_required(*AUTHORITY_ROLES)
def inbox(request):
    wanted = normalised_reference(request.GET.get("referens", ""))
    if wanted:
        # The reference a caller quotes from the web form's receipt, any status, own units only.
        found = access.unit_intakes(request.user).filter(reference=wanted).first()
        if found is not None:
            return redirect("intake:detail", pk=found.pk)
        messages.error(request, _("No intake of your units has that reference."))
    mine = access.unit_intakes(request.user).filter(status=IntakeStatus.OPEN)
    # Keyset pages (core/pagination.py): the unit of a whole authority may have thousands open.
    intakes = keyset_page(
        request, mine.select_related("person", "unit"), ("received_on", "created_at", "id")
    )
    due = keyset_page(
        request,
        mine.filter(
            callback_due__lte=timezone.localdate(), callback_done_at__isnull=True
        ).select_related("person", "unit"),
        ("callback_due", "id"),
        prefix="ring",
    )
    shown = {intake.pk: intake for intake in [*intakes.rows, *due.rows]}.values()
    log_list(user=request.user, record_type="intake", people=[i.person_id for i in shown])
    context = {
        "intakes": intakes.rows,
        "intakes_page": intakes,
        "callbacks_due": due.rows,
        "callbacks_page": due,
        "today": timezone.localdate(),
    }
    return render(request, "intake/inbox.html", context)


@role_required(*AUTHORITY_ROLES)
def intake_create(request):
    units = _unit_or_403(request.user)
    form = IntakeForm(request.POST or None, user=request.user, units=units)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data.get("unit") or units[0]
        intake = actions.create_intake(user=request.user, unit=unit, data=form.intake_data())
        messages.success(request, _("The intake has been registered."))
        return redirect("intake:detail", pk=intake.pk)
    return render(request, "intake/intake_form.html", {"form": form, "unit": units[0]})


@intake_view()
def intake_detail(request, intake, _person):
    context = {
        "intake": intake,
        "notes": intake.notes.select_related("written_by"),
        "talks": intake.talks.prefetch_related("staff"),
        "referrals": intake.referrals.select_related("service"),
        "may_write": request.access_level >= Level.WRITE,
        "is_open": intake.status == IntakeStatus.OPEN,
    }
    return render(request, "intake/intake_detail.html", context)


@open_intake_view
def intake_edit(request, intake, _person):
    form = IntakeForm(request.POST or None, instance=intake, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_intake(
                user=request.user,
                intake=intake,
                data=form.intake_data(),
                changed=form.changed_data,
                opened=form.opened,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("intake:detail", pk=intake.pk)
    return render(request, "intake/intake_form.html", {"form": form, "intake": intake})


@open_intake_view
def link_person(request, intake, _person):
    if request.method == "POST" and "register" in request.POST:
        # Nobody has the number yet: register the person from the intake with it.
        number = request.POST.get("number", "").strip()[:20]
        request.session[typed_number_key(intake)] = number
        return redirect(f"{reverse('people:create')}?aktualisering={intake.pk}")
    form = LinkPersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["number"]
        actions.update_intake(
            user=request.user, intake=intake, data={"person": person}, changed=["person"]
        )
        messages.success(request, _("The intake is now linked to %(name)s.") % {"name": person})
        return redirect("intake:detail", pk=intake.pk)
    return render(request, "intake/link_person.html", {"form": form, "intake": intake})


@intake_view(write=True)
def add_note(request, intake, _person):
    initial = {"happened_at": timezone.localtime(), "channel": "phone"}
    form = NoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.add_note(user=request.user, intake=intake, **form.cleaned_data)
        messages.success(request, _("The note has been saved."))
        return redirect("intake:detail", pk=intake.pk)
    return render(request, "intake/note_form.html", {"form": form, "intake": intake})


@require_POST
@intake_view(write=True)
def mark_called_back(request, intake, _person):
    actions.record_callback(user=request.user, intake=intake)
    messages.success(request, _("The callback has been recorded."))
    return redirect("intake:detail", pk=intake.pk)


@open_intake_view
def close(request, intake, _person):
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_intake(user=request.user, intake=intake, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intake has been closed."))
            return redirect("intake:detail", pk=intake.pk)
    return render(request, "intake/close_form.html", {"form": form, "intake": intake})


@intake_view(write=True)
def intake_talk_create(request, intake, _person):
    if intake.person_id is None:
        messages.error(request, _("Link the intake to a registered person before the talk."))
        return redirect("intake:detail", pk=intake.pk)
    return _talk_form(request, intake.person, intake)


@person_view(write=True)
def person_talk_create(request, person):
    return _talk_form(request, person, None)


def _talk_form(request, person, intake):
    candidates = access.talk_staff_candidates(request.user, person)
    form = TalkForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            talk = actions.record_talk(
                user=request.user,
                person=person,
                intake=intake,
                data=form.talk_data(),
                staff=list(form.cleaned_data["staff"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The assessment talk has been recorded."))
            return redirect("intake:talk_detail", pk=talk.pk)
    context = {"form": form, "person": person, "intake": intake}
    return render(request, "intake/talk_form.html", context)


@talk_view()
def talk_detail(request, talk, _person):
    context = {
        "talk": talk,
        "staff": talk.staff.all(),
        "referrals": talk.person.referrals.filter(origin="talk").select_related("service"),
        "may_write": request.access_level >= Level.WRITE,
    }
    return render(request, "intake/talk_detail.html", context)


@talk_view(write=True)
def talk_conclude(request, talk, _person):
    if talk.outcome:
        messages.error(request, _("The talk already has an outcome."))
        return redirect("intake:talk_detail", pk=talk.pk)
    form = ConcludeTalkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.conclude_talk(
                user=request.user,
                talk=talk,
                outcome=data["outcome"],
                reason=data["outcome_reason"],
                referred_to=data["referred_to"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome of the talk has been recorded."))
            return redirect("intake:talk_detail", pk=talk.pk)
    return render(request, "intake/talk_conclude.html", {"form": form, "talk": talk})


@person_view(write=True)
def person_referral_create(request, person):
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_referral(user=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The referral has been recorded."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "intake/referral_form.html", {"form": form, "person": person})


@record_view(check=access.get_referral_for_user, record_type="referral", write=True)
def referral_result(request, referral, _person):
    form = ReferralResultForm(request.POST or None, record=referral)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.record_referral_result(
                user=request.user,
                referral=referral,
                result=form.cleaned_data["result"],
                noted_on=form.cleaned_data["result_noted_on"],
                note=form.cleaned_data["result_note"],
                opened=form.opened,
            )
            messages.success(request, _("What came of the referral has been recorded."))
            return redirect(_referral_home(referral))
    return render(request, "intake/referral_result.html", {"form": form, "referral": referral})


def _referral_home(referral) -> str:
    if referral.person_id:
        return reverse("people:detail", args=[referral.person_id])
    return reverse("intake:detail", args=[referral.intake_id])


@role_required(*CASE_ROLES)
def service_directory(request):
    services = Service.objects.filter(active=True).order_by("organisation", "name")
    return render(request, "intake/service_directory.html", {"services": services})

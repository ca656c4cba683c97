"""Group activities (coordinators and managers of provider units) and meeting places
(meeting-place staff and managers). Objects are loaded only through `groups.access`."""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms_util import refusal_shown_on
from groups import access, actions
from groups.forms import (
    AddParticipantForm,
    AttendanceForm,
    BoardDecisionForm,
    GenerateSessionsForm,
    GroupForm,
    HeadCountForm,
    StaffForm,
)
from groups.models import MIN_STAFF, Attendance, GroupParticipant, GroupSession, HeadCount
from organisation.models import Role
from organisation.permissions import GROUP_ROLES, MEETING_PLACE_ROLES
from organisation.roles import role_required, roles_of
from people.access import visible_people

SESSIONS_BEFORE = datetime.timedelta(weeks=4)
SESSIONS_AFTER = datetime.timedelta(weeks=6)
HEAD_COUNTS_SHOWN = 100


@role_required(*GROUP_ROLES)
def group_list(request):
    today = timezone.localdate()
    participants = GroupParticipant.objects.filter(group_id=OuterRef("pk")).order_by()
    groups = list(
        access.groups_for_user(request.user)
        .select_related("unit")
        .annotate(participant_count=_grouped_count(participants, "group_id"))
    )
    understaffed = Counter(
        GroupSession.objects.filter(group__in=groups, date__gte=today, cancelled=False)
        .annotate(n_staff=Count("staff"))
        .filter(n_staff__lt=MIN_STAFF)
        .values_list("group_id", flat=True)
    )
    for group in groups:
        group.understaffed = understaffed[group.pk]
    return render(request, "groups/group_list.html", {"groups": groups})


def _grouped_count(queryset, key):
    return Coalesce(
        Subquery(queryset.values(key).annotate(n=Count("pk", distinct=True)).values("n")[:1]), 0
    )


@role_required(*GROUP_ROLES)
def group_create(request):
    unit_ids = roles_of(request.user).unit_ids(*GROUP_ROLES)
    form = GroupForm(request.POST or None, unit_ids=unit_ids)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        group = form.save()
        messages.success(request, _("The group was created. Now generate its sessions."))
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form})


def _participants(user, group):
    """The group's participants the user may see by name, and how many others there are."""
    rows = list(group.participants.select_related("person").order_by("person__last_name"))
    ids = {row.person_id for row in rows}
    visible = set(visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))
    shown = [row for row in rows if row.person_id in visible]
    return shown, len(rows) - len(shown)


@role_required(*GROUP_ROLES)
def group_detail(request, pk):
    group = access.get_group_for_user(request.user, pk)
    today = timezone.localdate()
    participant_total = group.participants.count()
    sessions = (
        group.sessions.filter(date__range=(today - SESSIONS_BEFORE, today + SESSIONS_AFTER))
        .annotate(
            staff_count=Count("staff", distinct=True),
            present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
            recorded_count=Count("attendance", distinct=True),
        )
        .prefetch_related("staff")
    )
    context = {
        "group": group,
        "sessions": sessions,
        "participant_total": participant_total,
        "min_staff": MIN_STAFF,
        "today": today,
    }
    return render(request, "groups/group_detail.html", context)


@role_required(*GROUP_ROLES)
def generate(request, pk):
    group = access.get_group_for_user(request.user, pk)
    form = GenerateSessionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.generate_sessions(
                user=request.user,
                group=group,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(n)d sessions were added.") % {"n": len(made)})
            return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/generate.html", {"group": group, "form": form})


@role_required(*GROUP_ROLES)
def participants(request, pk):
    group = access.get_group_for_user(request.user, pk)
    today = timezone.localdate()
    eligible = access.eligible_participants(request.user, today).exclude(group_places__group=group)
    form = AddParticipantForm(request.POST or None, eligible=eligible)
    if request.method == "POST" and "remove" in request.POST:
        row = get_object_or_404(GroupParticipant, group=group, pk=request.POST["remove"])
        if not visible_people(request.user).filter(pk=row.person_id).exists():
            raise PermissionDenied
        actions.remove_participant(user=request.user, participant=row)
        messages.success(request, _("The participant was removed from the group."))
        return redirect("groups:participants", pk=group.pk)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_participant(
                user=request.user, group=group, person=form.cleaned_data["person"]
            )
        except ValidationError as error:
            form.add_error("person", error)
        else:
            messages.success(request, _("The participant was added."))
            return redirect("groups:participants", pk=group.pk)
    shown, hidden = _participants(request.user, group)
    actions.log_participants_read(user=request.user, group=group, rows=shown)
    context = {"group": group, "form": form, "participants": shown, "hidden": hidden}
    return render(request, "groups/participants.html", context)


@role_required(*GROUP_ROLES)
def session_detail(request, pk):
    session = access.get_session_for_user(request.user, pk)
    shown, hidden = _participants(request.user, session.group)
    people = [row.person for row in shown]
    current = dict(
        Attendance.objects.filter(session=session, person__in=people).values_list(
            "person_id", "present"
        )
    )
    candidates = access.staff_candidates(session.group)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    staff_form = StaffForm(
        posted if which == "staff" else None,
        candidates=candidates,
        initial={"staff": list(session.staff.all())},
    )
    attendance_form = AttendanceForm(
        posted if which == "attendance" else None, people=people, current=current
    )
    if which == "staff" and staff_form.is_valid():
        actions.set_session_staff(
            user=request.user, session=session, staff=staff_form.cleaned_data["staff"]
        )
        messages.success(request, _("The staff were saved."))
        return redirect("groups:session", pk=session.pk)
    if which == "attendance" and attendance_form.is_valid():
        try:
            actions.record_attendance(
                user=request.user, session=session, present=attendance_form.present()
            )
        except ValidationError as error:
            attendance_form.add_error(None, error)
        else:
            messages.success(request, _("The attendance was saved."))
            return redirect("groups:session", pk=session.pk)
    # Every participant the page names is a read, not only those with attendance recorded.
    actions.log_attendance_read(
        user=request.user, session=session, person_ids=[p.pk for p in people]
    )
    staff = list(session.staff.all())
    context = {
        "session": session,
        "group": session.group,
        "staff": staff,
        "understaffed": len(staff) < MIN_STAFF,
        "min_staff": MIN_STAFF,
        "staff_form": staff_form,
        "attendance_form": attendance_form,
        "attendance_open": actions.attendance_open(session),
        "hidden": hidden,
    }
    return render(request, "groups/session.html", context)


# Meeting places: anonymous head counts only.


@role_required(*MEETING_PLACE_ROLES)
def meeting_place_list(request):
    places = access.meeting_places_for_user(request.user).annotate(
        last_count=Max("activities__head_counts__date")
    )
    return render(request, "groups/meeting_place_list.html", {"places": places})


@role_required(*MEETING_PLACE_ROLES)
def meeting_place_detail(request, pk):
    place = access.get_meeting_place_for_user(request.user, pk)
    may_record_decision = roles_of(request.user).has(Role.MANAGER)
    context = {"place": place, "may_record_decision": may_record_decision}
    if not place.has_board_decision:
        # SoL (2025:400): without the board's decision the support must be documented.
        return render(request, "groups/board_decision_missing.html", context)
    form = HeadCountForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_head_count(
                user=request.user,
                place=place,
                activity=form.cleaned_data["activity"],
                date=form.cleaned_data["date"],
                count=form.cleaned_data["count"],
                bands=form.bands(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The head count was saved."))
            return redirect("meeting_places:detail", pk=place.pk)
    counts = (
        HeadCount.objects.filter(activity__meeting_place=place)
        .select_related("activity")
        .order_by("-date", "activity__name")[:HEAD_COUNTS_SHOWN]
    )
    context.update({"form": form, "counts": counts})
    return render(request, "groups/meeting_place_detail.html", context)


@role_required(Role.MANAGER)
def board_decision(request, pk):
    place = access.get_meeting_place_for_user(request.user, pk)
    form = BoardDecisionForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.record_board_decision(
                user=request.user,
                place=place,
                reference=form.cleaned_data["board_decision_reference"],
                decided_on=form.cleaned_data["board_decision_date"],
                opened=form.opened,
            )
            messages.success(request, _("The board's decision was recorded."))
            return redirect("meeting_places:detail", pk=place.pk)
    return render(request, "groups/board_decision_form.html", {"place": place, "form": form})

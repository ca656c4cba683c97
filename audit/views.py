"""The manager's review of the access log, per person and per user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render

from audit.events import Access, log_accesses
from audit.forms import LogFilterForm
from audit.models import AccessLogEntry, Action
from organisation.models import Membership, Role
from organisation.roles import role_required, roles_of
from people.access import own_cases, visible_people
from people.models import Person

PAGE_SIZE = 100


def _reviewable_entries(user):
    """Entries by staff of the manager's units, or about people in the manager's cases."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    staff = Membership.objects.filter(user_id=OuterRef("user_id"), unit_id__in=units)
    people = own_cases(user).filter(person_id=OuterRef("person_id"))
    return AccessLogEntry.objects.filter(Q(Exists(staff)) | Q(Exists(people)))


@role_required(Role.MANAGER)
def log_review(request):
    form = LogFilterForm(request.GET or None, manager=request.user)
    entries = _reviewable_entries(request.user)
    person = None
    if form.is_valid():
        person_id = form.cleaned_data.get("person")
        if person_id is not None:
            entries = entries.filter(person_id=person_id)
            person = visible_people(request.user).filter(pk=person_id).first()
        if form.cleaned_data.get("user"):
            entries = entries.filter(user=form.cleaned_data["user"])
        if form.cleaned_data.get("only_reasons"):
            entries = entries.filter(action=Action.REASON)
    page = Paginator(entries.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = {
        p.pk: p for p in Person.objects.filter(pk__in={e.person_id for e in rows if e.person_id})
    }
    log_accesses(
        user=request.user,
        accesses=[Access(pk, "access_log", "", Action.READ) for pk in names],
    )
    for entry in rows:
        entry.person = names.get(entry.person_id)
    return render(
        request,
        "audit/log_review.html",
        {"form": form, "page": page, "rows": rows, "person": person},
    )


def staff_for_manager(manager):
    units = roles_of(manager).unit_ids(Role.MANAGER)
    return (
        get_user_model()
        .objects.filter(memberships__unit_id__in=units)
        .distinct()
        .order_by("username")
    )

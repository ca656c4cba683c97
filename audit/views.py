"""The manager's review of the access log, per person and per user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render

from audit.events import log_list
from audit.forms import LogFilterForm
from audit.models import AccessLogEntry, AccessLogSubject, Action, attach_people
from core.lookups import ExistsPerRow, among
from core.pagination import keyset_page
from core.widgets import offer_matches
from organisation.models import Membership, Role
from organisation.roles import role_required, roles_of
from people.access import own_cases, works_with_many_cases
from people.models import CaseStaff, Person

# The people a page names are logged as read in one list entry (audit.events.log_list).
PAGE_SIZE = 50


def _reviewable_entries(user):
    """Entries by staff of the manager's units, or about people in the manager's cases (or
    about records merged into theirs).

    Each side an uncorrelated `IN`, which PostgreSQL reads once into a hash: newest first, the
    page then stops after its rows. As correlated `EXISTS` tests per entry, with a count of them
    all, the page took 75 s for a manager whose units hold every case (bench/README.md)."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    staff = Membership.objects.filter(among("unit_id", units)).values("user_id")
    in_cases = own_cases(user).order_by().values("person_id")
    merged = Person.objects.filter(merged_into__isnull=False, merged_into_id__in=in_cases)
    # Three hashes, each found through an index (one `pk IN … OR merged_into_id IN …` over
    # people read the whole register).
    # A list entry (no person of its own) is tested last, per entry, through its people's
    # primary-key index: a hash of every list read of a large manager's people would be huge.
    # `ExistsPerRow`, since PostgreSQL otherwise turns the EXISTS into a hash of every list's
    # people, each tested first (188 ms after a 6-minute load run at a million people).
    about_cases, subjects = Q(person_id__in=in_cases), Q(person_id__in=in_cases)
    if works_with_many_cases(user):
        # Too many people for a hash: each person tested through the cases' index.
        about_cases = subjects = Q(
            ExistsPerRow(own_cases(user).filter(person_id=OuterRef("person_id")))
        )
    named = AccessLogSubject.objects.filter(subjects, entry=OuterRef("pk"))
    return AccessLogEntry.objects.filter(
        Q(user_id__in=staff)
        | about_cases
        | Q(person_id__in=merged.values("pk"))
        | (Q(person_id__isnull=True) & ExistsPerRow(named))
    )


@role_required(Role.MANAGER)
def log_review(request):
    form = LogFilterForm(request.GET or None, manager=request.user)
    # The staff matching the search, not all of a large provider's: a page of them.
    offer_matches(form, "user", request.GET)
    entries = _reviewable_entries(request.user)
    person = None
    if form.is_valid():
        person_id = form.cleaned_data.get("person")
        if person_id is not None:
            # The history of a record merged into this one is this person's history too.
            merged = Person.objects.filter(merged_into_id=person_id).values("pk")
            entries = entries.about([person_id], merged)
            person = _nameable_people(request.user, {person_id}).first()
        if form.cleaned_data.get("user"):
            entries = entries.filter(user=form.cleaned_data["user"])
        if form.cleaned_data.get("only_reasons"):
            entries = entries.filter(action=Action.REASON)
    elif form.is_bound:
        # A filter that cannot be applied must not silently show everything instead.
        entries = entries.none()
    entries = entries.select_related("user")
    page = keyset_page(request, entries, ("-id",), PAGE_SIZE)
    rows = attach_people(page.rows)
    shown = {e.person_id for e in rows} | ({person_id} if person is not None else set())
    names = {p.pk: p for p in _nameable_people(request.user, shown)}
    log_list(user=request.user, record_type="access_log", people=names, action=Action.READ)
    for entry in rows:
        # A list's entry is shown as the person filtered by, or else as how many it named.
        about = person.pk if person is not None and str(person.pk) in entry.people else None
        entry.person = names.get(entry.person_id or about)
    return render(
        request,
        "audit/log_review.html",
        {"form": form, "page": page, "rows": rows, "person": person},
    )


def _nameable_people(user, ids):
    """The people a log page may name: a protected identity only to staff named on the case."""
    named = CaseStaff.objects.filter(case__person_id=OuterRef("pk"), user=user)
    return Person.objects.filter(pk__in=ids - {None}).filter(
        Q(protected_identity=False) | Exists(named)
    )


def staff_for_manager(manager):
    units = roles_of(manager).unit_ids(Role.MANAGER)
    return (
        get_user_model()
        .objects.filter(memberships__unit_id__in=units)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )

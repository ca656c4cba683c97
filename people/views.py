from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import Access, log_access, log_accesses, log_list, one_write
from audit.models import AccessLogEntry, Action
from core.compiled import OnePersonQuery
from core.forms_util import refusal_shown_on
from core.pagination import keyset_page
from core.sections import person_rows, person_sections
from intake import access as intake_access
from intake import actions as intake_actions
from intake import forms as intake_forms
from organisation.models import CASE_ROLES, Unit, UnitKind
from organisation.permissions import REGISTERING_ROLES, may_register_people
from organisation.roles import role_required, roles_of
from people import access, actions, merging
from people.forms import (
    ContactForm,
    MergeChoicesForm,
    MergeForm,
    PersonEditForm,
    PersonForm,
    ReasonForm,
    SearchForm,
)
from people.identity import parse_identity_number
from people.models import Case, CaseStaff, Contact, Person
from people.opening import log_read, person_view
from people.search import found_outside_own_cases, names_someone, search_people

PAGE_SIZE = 50
CONTACTS = person_rows(Contact)
MERGED_RECORDS = person_rows(Person, "merged_into")
# Their SQL built once (core/compiled.py).
CONTACT_LIST = OnePersonQuery(lambda person_id: Contact.objects.filter(person_id=person_id))
MERGED_LIST = OnePersonQuery(
    lambda person_id: Person.objects.filter(merged_into_id=person_id), path="merged_into"
)


def _next_or_person(request, person: Person):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("people:detail", pk=person.pk)


@role_required(*CASE_ROLES)
def person_list(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = search_people(access.visible_people(request.user), query)
    # Keyset pages without a count: a manager's units may hold every case (core/pagination.py).
    page = keyset_page(request, people, ("last_name", "first_name", "id"), PAGE_SIZE)
    outside = found_outside_own_cases(request.user, query, 20) if query else []
    log_list(
        user=request.user,
        record_type="person",
        people=[person.pk for person in [*page.object_list, *outside]],
    )
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "outside": outside,
            "outside_needs_more": bool(query) and not names_someone(query),
            "may_register": may_register_people(request.user),
        },
    )


def _registering_unit(user, intake=None) -> Unit:
    """The intake's unit when the person is registered from an intake, else the user's first
    authority unit where they may register."""
    units = Unit.objects.filter(
        pk__in=roles_of(user).unit_ids(*REGISTERING_ROLES), kind=UnitKind.AUTHORITY
    ).order_by("name")
    unit = units.filter(pk=intake.unit_id).first() if intake is not None else None
    unit = unit or units.first()
    if unit is None:
        raise PermissionDenied
    return unit


def _intake_to_register(request):
    """The open, unlinked intake named by `?aktualisering=`, among the user's units' intakes."""
    pk = request.GET.get("aktualisering")
    if not pk:
        return None
    try:
        intake = intake_access.unit_intakes(request.user).filter(pk=pk).first()
    except ValidationError:
        intake = None
    if intake is None:
        raise Http404
    return intake


@role_required(*REGISTERING_ROLES)
def person_create(request):
    intake = _intake_to_register(request)
    if intake is not None and intake.person_id is not None:
        messages.info(request, _("The intake is already linked to a person."))
        return redirect("intake:detail", pk=intake.pk)
    unit = _registering_unit(request.user, intake)
    initial = {}
    if intake is not None:
        number = request.session.pop(intake_forms.typed_number_key(intake), "")
        initial = intake_forms.person_initial(intake, number)
    form = PersonForm(request.POST or None, initial=initial)
    matches = []
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        matches = actions.possible_matches(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            among=access.visible_people(request.user)
            | access.findable_outside_own_cases(request.user),
        )
        if matches and not form.cleaned_data.get("confirm_new"):
            log_list(user=request.user, record_type="person", people=[p.pk for p in matches])
        else:
            try:
                person = _register(request, unit, intake, data)
            except actions.DuplicateNumber:
                form.add_error("number", _("A person with this number is already registered."))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The person has been registered."))
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "matches": matches, "unit": unit, "intake": intake},
    )


def _register(request, unit, intake, data) -> Person:
    if intake is None:
        return actions.register_person(user=request.user, unit=unit, data=data)
    return intake_actions.register_person_for_intake(
        user=request.user, intake=intake, unit=unit, data=data
    )


@person_view()
def person_detail(request, person):
    # The sections of eight apps each log what they show: one write to the chain for all.
    with one_write():
        log_read(request.user, person.pk, request.access_level, record_type="person")
        # Read once, before the sections: those that show the cases or their staff (provision)
        # take them from `person.cases.all()` instead of asking again.
        _read_cases_with_staff(person)
        return render(
            request,
            "people/person_detail.html",
            {
                "person": person,
                "cases": person.cases.all(),
                "contacts": CONTACTS.read(person, CONTACT_LIST),
                "merged_from": _merged_records(person),
                "may_write": request.access_level >= access.Level.WRITE,
                "sections": person_sections(request, person),
            },
        )


# The person's cases with their units, and the staff named on each with their users: two
# queries, their SQL built once (core/compiled.py).
CASE_LIST = OnePersonQuery(
    lambda person_id: (
        Case.objects.filter(person_id=person_id)
        .select_related("authority_unit", "provider_unit")
        .only("person", "status", "opened_on", "authority_unit__name", "provider_unit__name")
    )
)
CASE_STAFF_LIST = OnePersonQuery(
    lambda person_id: (
        CaseStaff.objects.filter(case__person_id=person_id)
        .select_related("user")
        .only("case", "role", "user__username", "user__first_name", "user__last_name")
    ),
    path="",
)


def _read_cases_with_staff(person: Person) -> None:
    """`person.cases.all()` and each case's `staff_links.all()` read, as
    `prefetch_related_objects` leaves them (each link's case set), without its machinery."""
    cases = CASE_LIST.rows(person)
    staff: dict = {}
    for link in CASE_STAFF_LIST.rows(person) if cases else []:
        staff.setdefault(link.case_id, []).append(link)
    case_of_link = CaseStaff._meta.get_field("case")
    for case in cases:
        links = staff.get(case.pk, [])
        for link in links:
            case_of_link.set_cached_value(link, case)
        _as_prefetched(case, "staff_links", links)
    _as_prefetched(person, "cases", cases)


def _as_prefetched(instance, name: str, rows: list) -> None:
    """Leave `rows` as `prefetch_related_objects` leaves a relation it has read: its manager's
    `all()` gives them without a query, and a filter on it is still the instance's rows."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _merged_records(person: Person) -> list[Person]:
    """Records merged into this one, each with the name of who merged it (from the log). Most
    people have none: then no query (core/sections.py `person_rows`), and the log is read only
    when there are some."""
    merged = MERGED_RECORDS.read(person, MERGED_LIST)
    if not merged:
        return merged
    merges = (
        AccessLogEntry.objects.filter(
            person_id__in=[other.pk for other in merged],
            action=Action.MERGE,
            record_type="person",
        )
        .order_by("-id")
        .values_list("person_id", "username", "user__first_name", "user__last_name")
    )
    latest: dict = {}
    for person_id, username, first_name, last_name in merges:
        latest.setdefault(person_id, (f"{first_name or ''} {last_name or ''}", username))
    for other in merged:
        name, username = latest.get(other.pk, ("", ""))
        other.merged_by = name  # type: ignore[attr-defined]
        other.merged_by_username = username  # type: ignore[attr-defined]
    return merged


@person_view(write=True)
def person_edit(request, person):
    form = PersonEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.update_person(
                user=request.user,
                person=person,
                data=form.cleaned_data,
                changed=form.changed_data,
                opened=form.opened,
            )
            messages.success(request, _("The changes have been saved."))
            return redirect("people:detail", pk=person.pk)
    if request.method == "GET":
        log_access(user=request.user, person=person, action=Action.READ)
    return render(request, "people/person_edit.html", {"form": form, "person": person})


@person_view(write=True)
def contact_edit(request, person, contact_pk=None):
    contact = None
    if contact_pk is not None:
        contact = get_object_or_404(Contact, pk=contact_pk, person=person)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            actions.save_contact(
                user=request.user,
                person=person,
                contact=form.save(commit=False),
                opened=form.opened,
            )
            messages.success(request, _("The network contact has been saved."))
            return redirect("people:detail", pk=person.pk)
    if request.method == "GET" and contact is not None:
        log_access(
            user=request.user,
            person=person,
            action=Action.READ,
            record_type="contact",
            record_id=contact.pk,
        )
    return render(
        request,
        "people/contact_form.html",
        {"form": form, "person": person, "contact": contact},
    )


@require_POST
@person_view(write=True)
def contact_delete(request, person, contact_pk):
    contact = get_object_or_404(Contact, pk=contact_pk, person=person)
    actions.delete_contact(user=request.user, contact=contact)
    messages.success(request, _("The network contact has been removed."))
    return redirect("people:detail", pk=person.pk)


@role_required(*CASE_ROLES)
def person_reason(request, pk):
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    level = access.access_level(request.user, person)
    if level == access.Level.NONE:
        raise Http404
    if level >= access.Level.READ:
        return _next_or_person(request, person)
    if person.merged_into_id:
        return redirect("people:reason", pk=person.merged_into_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access.grant_reasoned_access(
            user=request.user, person=person, reason=form.cleaned_data["reason"]
        )
        return _next_or_person(request, person)
    next_url = request.GET.get("next", "")
    return render(
        request,
        "people/reason_form.html",
        {"form": form, "person": person, "next": next_url},
    )


@person_view(write=True)
def person_merge(request, person):
    """Two steps: the other record's number, then its differences and the choices, then merge."""
    form = MergeForm(request.POST or None)
    context: dict = {"form": form, "person": person}
    if request.method == "POST" and form.is_valid():
        other = _merge_candidate(request.user, person, form.cleaned_data["other_number"])
        if other is None:
            form.add_error(
                "other_number",
                _("No other record with that number among the people you may change."),
            )
        else:
            differences = merging.differences(person, other)
            pairs = merging.open_case_pairs(person, other)
            second_step = request.POST.get("step") == "merge"
            choices = MergeChoicesForm(
                request.POST if second_step else None, differences=differences, case_pairs=pairs
            )
            seen = f"{person.version}:{other.version}"
            if second_step and choices.is_valid():
                with refusal_shown_on(choices):
                    kept = actions.merge_people(
                        user=request.user,
                        keep=person,
                        other=other,
                        take_from_other=choices.take_from_other(),
                        continuing_cases=choices.continuing_cases(),
                        opened=_versions(request.POST.get("opened", "")),
                    )
                    messages.success(request, _merged_message(kept, other, pairs))
                    return redirect("people:detail", pk=person.pk)
            log_accesses(
                user=request.user,
                accesses=[Access(other.pk, "person", other.pk, Action.READ)]
                + [Access(c.person_id, "case", c.pk, Action.READ) for p in pairs for c in p.cases],
            )
            context.update(
                other=other,
                choices=choices,
                opened=seen,
                rows=[
                    (row, choices[f"field_{row.field}"] if row.both else None)
                    for row in differences
                ],
                case_fields=[(pair, choices[f"case_{pair.unit_id}"]) for pair in pairs],
                number_moves=bool(other.personal_number and not person.personal_number),
            )
    return render(request, "people/merge_form.html", context)


def _versions(text: str) -> tuple[int, int]:
    """The two records' versions the user compared ("3:1"); anything else matches nothing."""
    keep, _sep, other = text.partition(":")
    if not (keep.isdigit() and other.isdigit()):
        return (0, 0)
    return (int(keep), int(other))


def _merged_message(person: Person, other: Person, pairs) -> str:
    message = _("%(other)s (%(number)s) has been merged into %(name)s.") % {
        "other": other.full_name,
        "number": other.display_number,
        "name": person.full_name,
    }
    if pairs:
        message += " " + _("Open cases in the same unit have become one.")
    return message


def _merge_candidate(user, person: Person, number: str) -> Person | None:
    number = number.strip()
    try:
        digits = parse_identity_number(number).digits
        other = Person.objects.current().filter(personal_number=digits).first()
    except ValidationError:
        other = Person.objects.current().filter(reserve_number__iexact=number).first()
    if other is None or other.pk == person.pk:
        return None
    if access.access_level(user, other) < access.Level.WRITE:
        return None
    return other

"""The provider's pages: new orders, accepting them, capacity, reassignment, closure, follow-up.

Orders are visible to the provider unit's coordinators and managers even before anyone is named
on the case (see `actions.order_unit_ids`); everyone else reaches an order through its person
and `people.access`. A protected person's name is shown only to staff named on the case.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.events import Access, list_access, log_accesses, log_list
from audit.models import Action
from core.forms_util import posted as _data
from core.forms_util import refusal_shown_on
from core.lookups import among
from core.pagination import KeysetPage, keyset_page
from core.widgets import SEARCH_LISTED, chosen_id, offer_matches
from delivery.handover import unfinished_work
from organisation.models import CASE_ROLES, Role
from organisation.permissions import PROVIDER_ROLES
from organisation.roles import role_required, roles_of
from people.models import CaseStaff, CaseStaffRole, CaseStatus
from people.opening import log_read, open_for_page, person_view, record_view
from provision import actions, closure
from provision.forms import (
    AcceptForm,
    CaseloadDateForm,
    ClosureForm,
    FollowUpRecordForm,
    LeaverForm,
    ReassignForm,
)
from provision.models import FollowUp, Order, OrderStatus
from reports.capacity import todays_forecasts


def _named(user):
    return Exists(CaseStaff.objects.filter(case__person_id=OuterRef("person_id"), user=user))


@role_required(*PROVIDER_ROLES)
def order_inbox(request):
    orders = keyset_page(
        request,
        actions.orders_for_provider(request.user)
        .filter(status=OrderStatus.NEW)
        .select_related("person", "decision", "support_kind", "provider_unit")
        .annotate(named=_named(request.user)),
        ("decided_on", "created_at", "id"),
    )
    log_list(
        user=request.user,
        record_type="order",
        people=[o.person_id for o in orders.rows],
        action=Action.READ,
    )
    return render(
        request, "provision/order_inbox.html", {"orders": orders.rows, "orders_page": orders}
    )


@role_required(*CASE_ROLES)
def order_detail(request, pk):
    order = get_object_or_404(
        Order.objects.select_related(
            "person",
            "decision",
            "support_kind",
            "provider_unit",
            "case",
            "replaces__decision",
            "replaced_by__decision",
        ).annotate(named=_named(request.user)),
        pk=pk,
    )
    # The provider may accept a protected person's order, but sees the name only once named.
    may_accept = actions.may_accept(request.user, order)
    if not may_accept:
        opened = open_for_page(request, order.person_id, log=False)
        if isinstance(opened, HttpResponse):
            return opened
    form = None
    if may_accept and order.status == OrderStatus.NEW:
        form = AcceptForm(
            _data(request),
            coordinators=actions.coordinator_choices(order.provider_unit.descendant_ids()),
        )
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                actions.accept_order(user=request.user, order=order, **form.cleaned_data)
                messages.success(request, _("The order has been accepted."))
                return redirect("provision:order", pk=order.pk)
    elif request.method == "POST":
        raise PermissionDenied
    log_accesses(
        user=request.user, accesses=[Access(order.person_id, "order", order.pk, Action.READ)]
    )
    staff = CaseStaff.objects.filter(
        case=order.case, role__in=actions.COORDINATOR_ROLES
    ).select_related("user")
    loads = []
    if form is not None:
        users = list(form.fields["coordinator"].queryset)
        load_of = actions.caseloads(u.pk for u in users)
        ceiling_of = actions.ceilings(u.pk for u in users)
        loads = [(u, load_of.get(u.pk, 0), ceiling_of[u.pk]) for u in users]
    return render(
        request,
        "provision/order_detail.html",
        {
            "order": order,
            "form": form,
            "staff": list(staff),
            "loads": loads,
            "show_name": not order.person.protected_identity or order.named,
        },
    )


@role_required(Role.MANAGER)
def capacity(request):
    when = CaseloadDateForm(request.GET or None)
    valid = when.is_valid() if when.is_bound else True
    on = when.cleaned_data.get("on") if when.is_bound and valid else None
    data = actions.capacity_figures(request.user)
    on = actions.past_date(on, data["today"])
    data["caseload_form"] = when
    data["caseload_on"] = on
    units = roles_of(request.user).unit_ids(Role.MANAGER)
    made = todays_forecasts(units, data["kinds"], data["today"], data["average_ceiling"])
    data["forecasts"], data["forecast_made_at"] = made.forecasts, made.computed_at
    # Keyset pages (core/pagination.py): a large provider has hundreds of coordinators.
    coordinators = keyset_page(
        request,
        actions.coordinator_memberships(units),
        ("user__first_name", "user__last_name", "id"),
        prefix="samordnare",
    )
    waiting = keyset_page(
        request,
        actions.waiting_orders(request.user),
        ("decided_on", "created_at", "id"),
        prefix="vantar",
    )
    data["coordinators"] = actions.coordinator_loads(units, coordinators.rows, on)
    data["coordinators_page"] = coordinators
    data["waiting"] = actions.with_days_waited(waiting.rows, data["today"])
    data["waiting_page"] = waiting
    shown = [
        list_access("order", [o.person_id for o in data["waiting"]], Action.READ),
        list_access("assignment", [e.person_id for e in data["history"]], Action.READ),
    ]
    log_accesses(user=request.user, accesses=[a for a in shown if a is not None])
    return render(request, "provision/capacity.html", data, status=200 if valid else 400)


@role_required(Role.MANAGER)
def reassign(request):
    """Whose cases first, then to whom and which of them; see what moves and what is
    unfinished, then move: nothing moves unseen."""
    units = roles_of(request.user).unit_ids(Role.MANAGER)
    leaver = _chosen(request, "from_user")
    if request.method != "POST" and (leaver is None or "find" in request.GET):
        return _choose_leaver(request, units)
    # Only the leaver's people, the only ones a move takes (`actions.reassign`), a keyset page at
    # a time (core/pagination.py). A posted form is checked against the cases it ticked.
    open_links = CaseStaff.objects.filter(
        among("case__provider_unit_id", units),
        role=CaseStaffRole.COORDINATOR,
        case__status=CaseStatus.OPEN,
        user_id=leaver,
    ).select_related("case__person")
    page = (
        keyset_page(request, open_links, ("case__person__last_name", "id"))
        if leaver is not None
        else KeysetPage(rows=[])
    )
    links = list(page.rows)
    if request.method == "POST" and leaver is not None:
        ticked = _uuids(request.POST.getlist("cases"))
        links += list(
            open_links.filter(case_id__in=ticked).exclude(pk__in=[link.pk for link in links])
        )
    choices = [(str(link.case_id), _person_label(link.case.person)) for link in links]
    # "Search" sends the form back to list other coordinators: nothing is checked or previewed,
    # and what was filled in stays filled in.
    searching = request.method == "POST" and "find" in request.POST
    coordinators = actions.coordinator_choices(units)
    if searching:
        form = ReassignForm(
            initial=_filled_in(request.POST), coordinators=coordinators, cases=choices
        )
    else:
        form = ReassignForm(_data(request), coordinators=coordinators, cases=choices)
    _offer_coordinators(request, form, units)
    context: dict = {"form": form}
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "user": request.user,
            "from_user": data["from_user"],
            "to_user": data["to_user"],
            "case_ids": data["cases"] or None,
            "confirm_beyond_ceiling": data["confirm_beyond_ceiling"],
        }
        seen = _selection_key(data)
        with refusal_shown_on(form):
            if request.POST.get("confirm") and request.POST.get("previewed") == seen:
                events = actions.reassign(**arguments)
                messages.success(request, _moved_message(events, data["to_user"]))
                return redirect("provision:capacity")
            moves = actions.reassignment_preview(**arguments)
            context.update(_preview(request, moves, data["from_user"], data["to_user"], seen))
    log_list(
        user=request.user,
        record_type="case",
        people=[link.case.person_id for link in links],
        action=Action.READ,
    )
    context["page"] = page
    context["leaver_chosen"] = leaver is not None
    return render(request, "provision/reassign.html", context)


def _choose_leaver(request, units):
    """The page before a leaver is chosen asks only whose cases are to move, and lists nobody:
    listing every open case of the units first sorted all their coordinator links (59,000 at a
    million people, half a second) for a page of 50 that a manager reassigning one person's
    cases does not need (bench/README.md). A search sends the address back with the matches."""
    # "Show their cases" with nobody chosen says so; a search never does.
    asked = "from_user" in request.GET and "find" not in request.GET
    form = LeaverForm(
        request.GET if asked else None,
        initial={"from_user": _chosen(request, "from_user")},
        coordinators=actions.coordinator_choices(units),
    )
    if asked:
        form.is_valid()
    offer_matches(form, "from_user", request.GET, COORDINATORS_LISTED)
    return render(request, "provision/reassign.html", {"form": form, "choosing": True})


COORDINATORS_LISTED = SEARCH_LISTED


def _offer_coordinators(request, form: ReassignForm, units) -> None:
    """Each select lists the coordinators matching its search (at most COORDINATORS_LISTED,
    the one chosen first): a large provider's 1,389 coordinators written out twice took most of
    the page's time. One query per select."""
    values = request.POST if request.method == "POST" else request.GET
    for name in ("from_user", "to_user"):
        offer_matches(form, name, values, COORDINATORS_LISTED)


def _chosen(request, name: str) -> int | None:
    """The user id sent in `name` (posted, or in the address), None when there is none."""
    return chosen_id(request.POST if request.method == "POST" else request.GET, name)


def _filled_in(posted) -> dict:
    """What the manager had filled in, shown again after a search."""
    return {
        "from_user": posted.get("from_user", ""),
        "to_user": posted.get("to_user", ""),
        "cases": posted.getlist("cases"),
        "confirm_beyond_ceiling": bool(posted.get("confirm_beyond_ceiling")),
    }


def _selection_key(data: dict) -> str:
    """What the manager saw in the preview: a move is made only for that same choice."""
    cases = ",".join(sorted(data["cases"]))
    ceiling = "1" if data["confirm_beyond_ceiling"] else "0"
    return f"{data['from_user'].pk}:{data['to_user'].pk}:{cases}:{ceiling}"


def _preview(request, moves, leaver, successor, seen: str) -> dict:
    """Per person what moves and what the leaver leaves unfinished, and what happens to it."""
    work = unfinished_work([move.person.pk for move in moves], leaver)
    rows = [
        {"move": move, "label": _person_label(move.person), "work": work[move.person.pk]}
        for move in moves
    ]

    def having(kind) -> list:
        return [row["move"].person.pk for row in rows if kind(row["work"])]

    shown = [
        list_access("case", [m.person.pk for m in moves], Action.READ),
        list_access("journal_note", having(lambda w: w.drafts), Action.READ),
        list_access("visit", having(lambda w: w.planned + w.unrecorded), Action.READ),
        list_access("homework", having(lambda w: w.homework), Action.READ),
    ]
    log_accesses(user=request.user, accesses=[a for a in shown if a is not None])
    return {
        "rows": rows,
        "leaver": leaver,
        "successor": successor,
        "previewed": seen,
        "people": len({move.person.pk for move in moves}),
        "drafts": sum(len(row["work"].drafts) for row in rows),
        "team_changes": [row["move"] for row in rows if row["move"].team_changes],
    }


def _moved_message(events, to_user) -> str:
    count = len({event.person_id for event in events})
    return ngettext(
        "The case of %(count)s person has been moved to %(name)s.",
        "The cases of %(count)s people have been moved to %(name)s.",
        count,
    ) % {"count": count, "name": to_user.get_full_name() or to_user.get_username()}


def _uuids(values) -> list[uuid.UUID]:
    """The posted values that are ids at all (a tampered one is left out, never a 500)."""
    ids = []
    for value in values[:1000]:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return ids


def _person_label(person) -> str:
    return str(_("Protected identity")) if person.protected_identity else person.full_name


@person_view(write=True, roles=PROVIDER_ROLES)
def close(request, person):
    """The closing page lists what is still open and what closing does with each; confirming
    settles it all in one transaction (`closure.close_case`)."""
    case = person.cases.filter(status=CaseStatus.OPEN).order_by("-opened_on").first()
    form = overview = None
    if case is not None:
        overview = closure.open_at_closing(request.user, case)
        form = ClosureForm(_data(request), ending=overview.ending_needed)
    if form is not None and request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            closure.close_case(
                user=request.user, case=case, seen=request.POST.get("seen"), **form.cleaned_data
            )
            messages.success(request, _("The case has been closed."))
            return redirect("people:detail", pk=person.pk)
        overview = closure.open_at_closing(request.user, case)  # as it stands now
    log_read(
        request.user, person.pk, request.access_level, record_type="person", record_id=person.pk
    )
    return render(
        request,
        "provision/closure_form.html",
        {"form": form, "person": person, "overview": overview},
    )


def _follow_up(pk):
    item = get_object_or_404(FollowUp.objects.select_related("closure", "person"), pk=pk)
    return item, item.person_id


@record_view(_follow_up, record_type="follow_up", roles=PROVIDER_ROLES, write=True)
def follow_up(request, item, person):
    form = FollowUpRecordForm(_data(request))
    if item.status != "pending":
        form = None
    elif request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            closure.record_follow_up(user=request.user, follow_up=item, **form.cleaned_data)
            messages.success(request, _("The follow-up has been recorded."))
            return redirect("people:detail", pk=item.person_id)
    log_read(
        request.user, person.pk, request.access_level, record_type="follow_up", record_id=item.pk
    )
    return render(
        request,
        "provision/follow_up_form.html",
        {"form": form, "follow_up": item, "person": item.person},
    )

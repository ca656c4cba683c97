"""Orders and capacity on the provider side: accept, assign, reassign, and the figures.

Each action takes the acting user, runs in one transaction and writes the access log inside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, append_accesses, log_accesses
from audit.models import Action
from core.lookups import among
from decisions.models import Decision
from organisation.models import CASELOAD_CEILING, Membership, Role, SupportKind, Unit
from organisation.roles import roles_of
from people import staffing
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person
from provision.models import AssignmentEvent, FollowUpPlace, Order, OrderStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

COORDINATOR_ROLES = (CaseStaffRole.COORDINATOR, CaseStaffRole.SECOND_COORDINATOR)
# Follow-up places: a case closed with consent to follow-up holds one for the twelve months
# in which its follow-ups (6 and 12 months) are due. See docs/provision.md.
FOLLOW_UP_WINDOW = datetime.timedelta(days=365)


# Who on the provider side handles which orders


def order_unit_ids(user: User) -> set[int]:
    """Units whose orders the user may see and accept.

    Managers: their units and those below. Coordinators: their teams, and the units their teams
    are part of, since an order may be addressed to the provider unit before a team is chosen.
    """
    roles = roles_of(user)
    ids = set(roles.unit_ids(Role.MANAGER))
    coordinator_units = roles.unit_ids(Role.COORDINATOR)
    if coordinator_units:
        ids |= coordinator_units
        parents = Unit.objects.filter(pk__in=coordinator_units, parent__isnull=False)
        ids |= set(parents.values_list("parent_id", flat=True))
    return ids


def orders_for_provider(user: User) -> QuerySet[Order]:
    return Order.objects.filter(among("provider_unit_id", order_unit_ids(user)))


def may_accept(user: User, order: Order, unit_ids: set | None = None) -> bool:
    """`unit_ids`: `order_unit_ids(user)`, when already at hand (a batch of orders)."""
    return order.provider_unit_id in (order_unit_ids(user) if unit_ids is None else unit_ids)


def coordinators_for(unit: Unit) -> dict[int, int]:
    """Coordinators who may be assigned an order to this unit: user id -> their team's id."""
    rows = Membership.objects.filter(
        role=Role.COORDINATOR, unit_id__in=unit.descendant_ids(), unit__active=True
    ).values_list("user_id", "unit_id")
    return dict(rows)


def caseloads(user_ids: Iterable[int]) -> dict[int, int]:
    """Open cases naming each user as coordinator."""
    rows = (
        CaseStaff.objects.filter(
            user_id__in=list(user_ids),
            role=CaseStaffRole.COORDINATOR,
            case__status=CaseStatus.OPEN,
        )
        .values("user_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    return {row["user_id"]: row["n"] for row in rows}


def ceilings(user_ids: Iterable[int]) -> dict[int, int]:
    """Each user's caseload ceiling: the lowest of their coordinator memberships, or the usual
    ceiling (`CASELOAD_CEILING`) for someone who holds none."""
    user_ids = list(user_ids)
    rows = (
        Membership.objects.filter(user_id__in=user_ids, role=Role.COORDINATOR)
        .values("user_id")
        .annotate(ceiling=Min("caseload_ceiling"))
    )
    found = {row["user_id"]: row["ceiling"] for row in rows}
    return {pk: found.get(pk, CASELOAD_CEILING) for pk in user_ids}


def _check_ceiling(
    by: User, coordinator: User, *, adding: int, confirm: bool, team_id: int, field: str
) -> bool:
    """Beyond the ceiling only a manager of the coordinator's team may assign, and must confirm."""
    if adding <= 0:
        return False
    load = caseloads([coordinator.pk]).get(coordinator.pk, 0)
    ceiling = ceilings([coordinator.pk])[coordinator.pk]
    if load + adding <= ceiling:
        return False
    values = {"name": coordinator.get_full_name() or coordinator, "load": load, "ceiling": ceiling}
    if team_id not in roles_of(by).unit_ids(Role.MANAGER):
        raise ValidationError(
            {
                field: _(
                    "%(name)s already carries %(load)s people (ceiling %(ceiling)s). "
                    "Only the unit manager can assign beyond the ceiling."
                )
                % values
            }
        )
    if not confirm:
        raise ValidationError(
            {
                field: _(
                    "%(name)s already carries %(load)s people (ceiling %(ceiling)s). "
                    "Tick the confirmation to assign beyond the ceiling."
                )
                % values
            }
        )
    return True


# Accepting an order


@transaction.atomic
def accept_order(
    *,
    user: User,
    order: Order,
    coordinator: User | None,
    second_coordinator: User | None = None,
    confirm_beyond_ceiling: bool = False,
    today: datetime.date | None = None,
    history: bool = False,
) -> Order:
    """Accept an order and name its coordinator(s); the case moves to the coordinator's team.

    `history`: support started in an earlier system on `today`; its coordinator is not in
    Brygga, so none is named (nor counted against a caseload ceiling).
    """
    order = (
        Order.objects.select_for_update()
        .select_related("case", "provider_unit", "decision")
        .get(pk=order.pk)
    )
    if not may_accept(user, order):
        raise PermissionDenied
    if order.status != OrderStatus.NEW:
        raise ValidationError(_("The order has already been accepted or has ended."))
    accepted_on = today or timezone.localdate()
    refuse_start_before_decision(order, accepted_on)
    if history and coordinator is None:
        return _accept(user, order, accepted_on, [])
    eligible = coordinators_for(order.provider_unit)
    if coordinator is None or coordinator.pk not in eligible:
        raise ValidationError({"coordinator": _("Choose a coordinator of the provider unit.")})
    if second_coordinator is not None:
        if second_coordinator.pk not in eligible:
            raise ValidationError(
                {"second_coordinator": _("Choose a coordinator of the provider unit.")}
            )
        if second_coordinator.pk == coordinator.pk:
            raise ValidationError(
                {"second_coordinator": _("The second coordinator must be someone else.")}
            )
    case = order.case
    team_id = eligible[coordinator.pk]
    already = CaseStaff.objects.filter(
        case=case, user=coordinator, role=CaseStaffRole.COORDINATOR
    ).exists()
    beyond = _check_ceiling(
        user,
        coordinator,
        adding=0 if already else 1,
        confirm=confirm_beyond_ceiling,
        team_id=team_id,
        field="coordinator",
    )
    events = [(coordinator, CaseStaffRole.COORDINATOR, beyond)]
    if second_coordinator is not None:
        events.append((second_coordinator, CaseStaffRole.SECOND_COORDINATOR, False))
    for staff, role, _beyond in events:
        staffing.name(case, staff, role, accepted_on)
    case.provider_unit_id = team_id
    case.save(update_fields=["provider_unit", "last_entry_at"])
    created = AssignmentEvent.objects.bulk_create(
        AssignmentEvent(
            kind=AssignmentEvent.Kind.ASSIGNED,
            case=case,
            person_id=order.person_id,
            role=role,
            to_user=staff,
            beyond_ceiling=over,
            by=user,
        )
        for staff, role, over in events
    )
    return _accept(user, order, accepted_on, created)


def refuse_start_before_decision(order: Order, accepted_on: datetime.date) -> None:
    if accepted_on < order.decision.decided_on:
        raise ValidationError(
            {"accepted_on": _("Support cannot start before the decision was made.")}
        )


def _accept(user: User, order: Order, accepted_on: datetime.date, assignments: list) -> Order:
    order.status = OrderStatus.ACCEPTED
    order.accepted_on = accepted_on
    order.save(update_fields=["status", "accepted_on"])
    log_accesses(
        user=user,
        accesses=[Access(order.person_id, "order", order.pk, Action.UPDATE)]
        + [Access(order.person_id, "assignment", event.pk, Action.CREATE) for event in assignments],
    )
    return order


@transaction.atomic
def correct_history_order(
    *,
    user: User,
    order: Order,
    accepted_on: datetime.date | None,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
) -> Order:
    """A corrected re-import: the order follows its corrected decision and start of support."""
    check_history_order(user, order, accepted_on, period_from, period_to)
    order.save(update_fields=list(HISTORY_ORDER_FIELDS))
    log_accesses(user=user, accesses=[_history_access(order)])
    return order


HISTORY_ORDER_FIELDS = ("accepted_on", "period_from", "period_to", "status")


def check_history_order(
    user: User,
    order: Order,
    accepted_on: datetime.date | None,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    unit_ids: set | None = None,
) -> None:
    """Permission and rules of a corrected order; the values are set on it (unsaved).
    `unit_ids`: `order_unit_ids(user)`, when already at hand."""
    if not may_accept(user, order, unit_ids):
        raise PermissionDenied
    if accepted_on is not None:
        refuse_start_before_decision(order, accepted_on)
    order.accepted_on, order.period_from, order.period_to = accepted_on, period_from, period_to
    if order.status != OrderStatus.ENDED:
        order.status = OrderStatus.ACCEPTED if accepted_on else OrderStatus.NEW


def _history_access(order: Order) -> Access:
    return Access(order.person_id, "order", order.pk, Action.UPDATE, detail="history")


@transaction.atomic
def correct_history_orders(*, user: User, corrections: list[tuple[Order, dict]]) -> None:
    """`correct_history_order` for a corrected re-import's batch, each item (order, its
    accepted_on, period_from and period_to): the same permission, rules and log entries, with
    one update and one log write."""
    unit_ids = order_unit_ids(user)
    for order, fields in corrections:
        check_history_order(user, order, **fields, unit_ids=unit_ids)
    orders = [order for order, _fields in corrections]
    if orders:
        Order.objects.bulk_update(orders, list(HISTORY_ORDER_FIELDS))
    append_accesses(user=user, accesses=[_history_access(order) for order in orders])


# Reassignment


def _manager_team_of(to_user: User, manager: User) -> int:
    units = roles_of(manager).unit_ids(Role.MANAGER)
    team = (
        Membership.objects.filter(among("unit_id", units), user=to_user, role=Role.COORDINATOR)
        .values_list("unit_id", flat=True)
        .first()
    )
    if team is None:
        raise ValidationError({"to_user": _("Choose a coordinator in one of your units.")})
    return team


@dataclass
class Move:
    """One person's case in a reassignment, as the manager sees it before confirming."""

    case: Case
    role: str
    from_team: Unit | None
    to_team: Unit | None

    @property
    def person(self) -> Person:
        return self.case.person

    @property
    def team_changes(self) -> bool:
        """The case follows its coordinator to their team (a second coordinator's does not)."""
        return self.from_team != self.to_team


def _selection(
    user: User, from_user: User, to_user: User, case_ids: Iterable | None, *, lock: bool
) -> tuple[list[CaseStaff], int, set]:
    """The coordinator links that move, the new coordinator's team, and the links they hold."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    if not units:
        raise PermissionDenied
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose another coordinator to move the cases to.")})
    team_id = _manager_team_of(to_user, user)
    to_move = CaseStaff.objects.filter(
        among("case__provider_unit_id", units),
        user=from_user,
        role__in=COORDINATOR_ROLES,
        case__status=CaseStatus.OPEN,
    )
    if lock:
        # Only the links are locked: a case's team may be empty (an outer join PostgreSQL will
        # not lock).
        to_move = to_move.select_for_update(of=("self",))
    if case_ids is not None:
        to_move = to_move.filter(case_id__in=list(case_ids))
    links = list(to_move.select_related("case__person", "case__provider_unit"))
    if not links:
        raise ValidationError(_("There are no open cases to move."))
    held = set(
        CaseStaff.objects.filter(user=to_user, case_id__in=[link.case_id for link in links])
        .filter(role__in=COORDINATOR_ROLES)
        .values_list("case_id", "role")
    )
    return links, team_id, held


def _beyond_ceiling(
    user: User, to_user: User, links: list[CaseStaff], held: set, team_id: int, confirm: bool
) -> bool:
    adding = sum(
        1
        for link in links
        if link.role == CaseStaffRole.COORDINATOR and (link.case_id, link.role) not in held
    )
    return _check_ceiling(
        user, to_user, adding=adding, confirm=confirm, team_id=team_id, field="to_user"
    )


def reassignment_preview(
    *,
    user: User,
    from_user: User,
    to_user: User,
    case_ids: Iterable | None = None,
    confirm_beyond_ceiling: bool = False,
) -> list[Move]:
    """What `reassign` would move, refused for the same reasons, without moving anything."""
    links, team_id, held = _selection(user, from_user, to_user, case_ids, lock=False)
    _beyond_ceiling(user, to_user, links, held, team_id, confirm_beyond_ceiling)
    team = Unit.objects.get(pk=team_id)
    links.sort(key=lambda link: (link.case.person.last_name, link.case.person.first_name))
    return [
        Move(
            link.case,
            link.role,
            link.case.provider_unit,
            team if link.role == CaseStaffRole.COORDINATOR else link.case.provider_unit,
        )
        for link in links
    ]


@transaction.atomic
def reassign(
    *,
    user: User,
    from_user: User,
    to_user: User,
    case_ids: Iterable | None = None,
    confirm_beyond_ceiling: bool = False,
) -> list[AssignmentEvent]:
    """Move a coordinator's open cases (all, or the chosen ones) to another coordinator.

    Planned visits and homework belong to the person and follow the case; an unsigned note stays
    its author's to sign (`delivery.access`)."""
    links, team_id, held = _selection(user, from_user, to_user, case_ids, lock=True)
    beyond = _beyond_ceiling(user, to_user, links, held, team_id, confirm_beyond_ceiling)
    events = []
    today = timezone.localdate()
    for link in links:
        staffing.move(link, to_user, today)  # dropped if to_user already holds the role
        events.append(
            AssignmentEvent(
                kind=AssignmentEvent.Kind.REASSIGNED,
                case_id=link.case_id,
                person_id=link.case.person_id,
                role=link.role,
                from_user=from_user,
                to_user=to_user,
                beyond_ceiling=beyond and link.role == CaseStaffRole.COORDINATOR,
                by=user,
            )
        )
    moved_cases = [link.case_id for link in links if link.role == CaseStaffRole.COORDINATOR]
    Case.objects.filter(pk__in=moved_cases).update(provider_unit_id=team_id)
    created = AssignmentEvent.objects.bulk_create(events)
    log_accesses(
        user=user,
        accesses=[Access(e.person_id, "assignment", e.pk, Action.CREATE) for e in created],
    )
    return created


# The manager's capacity page. A fixed number of queries, whatever the amount of data.


def _in_period(today: datetime.date) -> Q:
    return (Q(period_from__isnull=True) | Q(period_from__lte=today)) & (
        Q(period_to__isnull=True) | Q(period_to__gte=today)
    )


def capacity(
    user: User, today: datetime.date | None = None, *, caseload_on: datetime.date | None = None
) -> dict:
    """The whole capacity page's data, every coordinator and every waiting order listed (the
    page itself shows those a keyset page at a time: `capacity_figures` and the querysets); the
    caseload on `caseload_on` when a past date is asked."""
    data = capacity_figures(user, today)
    caseload_on = past_date(caseload_on, data["today"])
    units = roles_of(user).unit_ids(Role.MANAGER)
    data["coordinators"] = coordinator_loads(units, on=caseload_on)
    data["caseload_on"] = caseload_on
    data["waiting"] = waiting_list(user, data["today"])
    return data


def past_date(on: datetime.date | None, today: datetime.date) -> datetime.date | None:
    """A caseload date before today; today or later is today's live caseload (None)."""
    return on if on is not None and on < today else None


def capacity_figures(user: User, today: datetime.date | None = None) -> dict:
    """The places per kind of support, the average caseload ceiling, the latest assignments."""

    today = today or timezone.localdate()
    units = roles_of(user).unit_ids(Role.MANAGER)
    kinds = forecast_kinds(units)
    orders = Order.objects.filter(among("provider_unit_id", units))
    # Counted from the index alone (`order_places_idx`): every column the count reads is in it.
    used = dict(
        orders.filter(status=OrderStatus.ACCEPTED)
        .filter(_in_period(today))
        .values_list("support_kind_id")
        .annotate(n=Count("*"))
    )
    follow_up_used = _follow_up_places_used(units, kinds, today)
    for kind in kinds:
        # Counts for the page, set on the rows (mypy cannot type such attributes).
        kind.used = used.get(kind.pk, 0)  # type: ignore[attr-defined]
        kind.follow_up_used = follow_up_used.get(kind.pk, 0)  # type: ignore[attr-defined]
    return {
        "kinds": kinds,
        "average_ceiling": average_ceiling(units),
        "history": list(
            AssignmentEvent.objects.filter(
                among("case__provider_unit_id", units) | Q(by=user)
            ).select_related("person", "from_user", "to_user", "by")[:50]
        ),
        "today": today,
    }


def _follow_up_places_used(
    units: set[int], kinds: list[SupportKind], today: datetime.date
) -> dict[int, int]:
    """Per kind of support: the closures with consent to follow-up within the window whose case
    had an order of that kind in the units. Counted from the rows the database keeps for each
    consenting closure and kind and unit of its case's orders (`FollowUpPlace`), read from one
    index (`followupplace_count_idx`) unit by unit: a closure counted once per kind even when
    its case had orders of the kind in several of the units.

    Before, each of a year's consenting closures (22,493 at a million people) tested its
    case's orders once per kind: 70–105 ms for the manager of everything (bench/README.md)."""
    if not kinds:
        return {}
    rows = (
        FollowUpPlace.objects.filter(
            among("provider_unit_id", units),
            closed_on__gt=today - FOLLOW_UP_WINDOW,
            support_kind_id__in=[kind.pk for kind in kinds],
        )
        .values_list("support_kind_id")
        .annotate(n=Count("closure_id", distinct=True))
        .order_by()
    )
    return {kind.pk: 0 for kind in kinds} | dict(rows)


def forecast_kinds(units: set[int]) -> list[SupportKind]:
    """The kinds of support with places that the units provide, by name."""
    return list(
        SupportKind.objects.filter(among("provider_units", units), needs_decision=True)
        .distinct()
        .order_by("name")
    )


def average_ceiling(units: set[int]) -> float | None:
    return coordinator_memberships(units).aggregate(n=Avg("caseload_ceiling"))["n"]


def coordinator_memberships(units: set[int]) -> QuerySet[Membership]:
    return Membership.objects.filter(
        among("unit_id", units), role=Role.COORDINATOR, user__is_active=True
    ).select_related("user", "unit")


def coordinator_loads(
    units: set[int], memberships: list | None = None, on: datetime.date | None = None
) -> list:
    """The coordinators of these units (or these memberships of theirs) with caseload and
    ceiling, in two queries.

    Today: the open cases naming them (what the ceiling is checked against). A past date `on`:
    the assignments in force that day (`people.staffing.caseloads_on`, as the statistics'
    caseload on that date)."""
    if memberships is None:
        memberships = list(
            coordinator_memberships(units).order_by("user__first_name", "user__last_name")
        )
    user_ids = {m.user_id for m in memberships}
    loads = caseloads(user_ids) if on is None else staffing.caseloads_on(on, user_ids)
    rows, seen = [], set()
    for membership in memberships:
        if membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        load = loads.get(membership.user_id, 0)
        # For the page, set on the rows.
        membership.load = load
        membership.over = load > membership.caseload_ceiling
        rows.append(membership)
    return rows


def waiting_orders(user: User) -> QuerySet[Order]:
    """Granted decisions whose order is not yet accepted (unordered)."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    return Order.objects.filter(
        among("provider_unit_id", units), status=OrderStatus.NEW
    ).select_related("person", "decision", "support_kind", "provider_unit")


def with_days_waited(rows: list[Order], today: datetime.date) -> list[Order]:
    for order in rows:
        order.days_waited = (today - order.decision.decided_on).days
    return rows


def waiting_list(user: User, today: datetime.date | None = None) -> list[Order]:
    """Granted decisions whose order is not yet accepted, oldest decision first."""
    today = today or timezone.localdate()
    rows = list(waiting_orders(user).order_by("decided_on", "created_at", "id"))
    return with_days_waited(rows, today)


def coordinator_choices(unit_ids: Iterable[int]) -> QuerySet[User]:
    coordinators = Membership.objects.filter(among("unit_id", unit_ids), role=Role.COORDINATOR)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=coordinators.values("user_id"))
        .order_by("first_name", "last_name")
    )


def order_for_granted_decision(
    officer: User, decision: Decision, provider_unit: Unit | None
) -> list[Access]:
    """A granted decision becomes an order to a unit that delivers its kind of support.

    Run by `decisions.actions.issue_decision` through GRANT_FOLLOWS (registered in apps.py),
    inside the decision's transaction: a refusal here undoes the decision too.

    A decision that changes or renews an earlier one sends no second order: the order in force
    under the earlier decision ends and a new one takes over from it (`Order.replaces`), with
    the new decision's goals and end. With the same provider it stays as it was, accepted with
    its coordinators, so the provider does not accept it again; the support goes on, and the
    order keeps the day the support began.
    """
    units = list(decision.support_kind.provider_units.all())
    earlier = _order_in_force_before(decision)
    if provider_unit is None and earlier is not None:
        provider_unit = next((u for u in units if u.pk == earlier.provider_unit_id), None)
    if provider_unit is None:
        if not units:
            raise ValidationError(
                _("No provider unit delivers %(kind)s; ask the administrator to set one.")
                % {"kind": decision.support_kind.name}
            )
        provider_unit = units[0]
    elif provider_unit not in units:
        raise ValidationError(
            {"provider_unit": [_("That unit does not deliver this kind of support.")]}
        )
    values: dict[str, Any] = {
        "status": OrderStatus.NEW,
        "accepted_on": None,
        "period_from": decision.period_from,
    }
    accesses = []
    if earlier is not None:
        # Support recorded from an earlier system started again on its own day (the import
        # accepts it then); another provider accepts it anew.
        goes_on = not decision.from_history and earlier.provider_unit_id == provider_unit.pk
        if goes_on:
            values = {
                "status": earlier.status,
                "accepted_on": earlier.accepted_on,
                "period_from": _earliest(earlier.period_from, decision.period_from),
            }
        earlier.status = OrderStatus.ENDED
        earlier.save(update_fields=["status"])
        accesses.append(Access(decision.person_id, "order", earlier.pk, Action.UPDATE))
    order = Order.objects.create(
        decision=decision,
        person=decision.person,
        case=decision.case,
        support_kind=decision.support_kind,
        provider_unit=provider_unit,
        goals=decision.goals,
        period_to=decision.period_to,
        created_by=officer,
        replaces=earlier,
        **values,
    )
    case = decision.case
    if case.provider_unit_id is None or case.status == CaseStatus.CLOSED:
        case.provider_unit = provider_unit
        case.status = CaseStatus.OPEN
        case.save(update_fields=["provider_unit", "status", "last_entry_at"])
    return [*accesses, Access(decision.person_id, "order", order.pk, Action.CREATE)]


def _earliest(*days: datetime.date | None) -> datetime.date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _order_in_force_before(decision: Decision) -> Order | None:
    """The order not yet ended under the decisions this one changes or renews, locked: the
    one it takes over from. None for a first decision."""
    earlier = [d.pk for d in decision.chain()]
    if not earlier:
        return None
    return (
        Order.objects.select_for_update()
        .filter(decision_id__in=earlier)
        .exclude(status=OrderStatus.ENDED)
        .order_by("-created_at")
        .first()
    )


def order_after_ending(officer: User, ending: Decision) -> list[Access]:
    """An ending decision ends the order of the decision it ends: its period stops on the
    support's last day, and once that day has come the provider's work with it has ended.

    Run by `decisions.ending.end_decision` through ENDING_FOLLOWS (registered in apps.py)."""
    if ending.replaces_id is None:
        return []
    order = (
        Order.objects.select_for_update()
        .filter(decision_id=ending.replaces_id)
        .exclude(status=OrderStatus.ENDED)
        .first()
    )
    if order is None:
        return []
    order.period_to = ending.period_to
    fields = ["period_to"]
    if ending.period_to is not None and ending.period_to <= timezone.localdate():
        order.status = OrderStatus.ENDED
        fields.append("status")
    order.save(update_fields=fields)
    return [Access(order.person_id, "order", order.pk, Action.UPDATE, detail="ending")]

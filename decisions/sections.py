"""The decisions' part of the person page and the officer's worklist on the start page.

Each runs a fixed number of queries, however many applications, decisions and appeals there are.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import list_access, log_accesses
from core.compiled import OnePersonQuery
from core.sections import (
    FirstRows,
    WorkList,
    first_rows,
    full_list,
    person_rows,
    person_section,
    worklist,
)
from decisions.ending import replaced_by_later
from decisions.models import (
    Appeal,
    AppealStatus,
    Application,
    Decision,
    Outcome,
    mark_replaced,
)
from organisation.models import Role
from organisation.permissions import may_do_authority_work
from people import access
from people.models import CaseStaff

EXPIRY_WINDOW = datetime.timedelta(days=30)
OPEN_APPEAL = (AppealStatus.RECEIVED, AppealStatus.FORWARDED)
APPLICATION_SHOWN = (
    "applied_on",
    "form",
    "what",
    "communicated_on",
    "communication_exemption",
    "support_kind__name",
)
DECISIONS = person_rows(Decision)
APPLICATIONS = person_rows(Application)
APPEALS_OF_PERSON = person_rows(Appeal, "decision__person")
# The section's lists, their SQL built once (core/compiled.py).
DECISION_LIST = OnePersonQuery(
    lambda person_id: Decision.objects.filter(person_id=person_id).select_related("support_kind")
)
APPLICATION_LIST = OnePersonQuery(
    lambda person_id: (
        Application.objects.filter(person_id=person_id)
        .select_related("support_kind")
        .only(*APPLICATION_SHOWN)
    )
)
APPEAL_LIST = OnePersonQuery(
    lambda person_id: (
        Appeal.objects.filter(decision__person_id=person_id)
        .select_related("decision")
        .only("received_on", "deadline", "in_time", "status", "decision__number")
        .order_by("-received_on")
    ),
    path="",
)


@person_section(40)
def person_decisions(request, person) -> dict:
    decisions = mark_replaced(DECISIONS.read(person, DECISION_LIST))
    applications = APPLICATIONS.read(person, APPLICATION_LIST)
    # Each application's decisions are among the person's (a decision is the applicant's):
    # given from those read above, in their order, rather than asked for again.
    by_application: dict = {}
    for decision in decisions:
        by_application.setdefault(decision.application_id, []).append(decision)
    for application in applications:
        made = by_application.get(application.pk, [])
        application.decisions_made = made  # type: ignore[attr-defined]
    level = getattr(request, "access_level", access.Level.NONE)
    return {
        "template": "decisions/person_section.html",
        "person": person,
        "applications": applications,
        "decisions": decisions,
        "appeals": APPEALS_OF_PERSON.read(person, APPEAL_LIST),
        # Orders are shown once, in the provider's section (provision/sections.py).
        "may_act": may_do_authority_work(request.user, level),
    }


def _in_my_cases(queryset: QuerySet, user, person_path: str = "person") -> QuerySet:
    """Rows of the user's own cases; a protected person's only for staff named on the case."""
    case_path = person_path.removesuffix("person") + "case"
    return _unprotected_or_named(
        queryset.filter(**{f"{case_path}__in": access.own_cases(user).values("pk")}),
        user,
        person_path,
    )


def _unprotected_or_named(queryset: QuerySet, user, person_path: str) -> QuerySet:
    """A protected person's rows only for staff named on one of the person's cases."""
    named = CaseStaff.objects.filter(case__person_id=OuterRef(f"{person_path}_id"), user=user)
    return queryset.filter(Q(**{f"{person_path}__protected_identity": False}) | Exists(named))


def later_decision_exists() -> Exists:
    """A later decision for the same person and kind of support replaces this one's period."""
    return Exists(
        Decision.objects.filter(
            person_id=OuterRef("person_id"), support_kind_id=OuterRef("support_kind_id")
        ).filter(
            Q(decided_on__gt=OuterRef("decided_on"))
            | Q(decided_on=OuterRef("decided_on"), created_at__gt=OuterRef("created_at"))
        )
    )


def _appeals(user, today: datetime.date) -> QuerySet:
    return _in_my_cases(
        Appeal.objects.filter(status__in=OPEN_APPEAL), user, "decision__person"
    ).select_related("decision__person")


def _expiring(user, today: datetime.date) -> QuerySet:
    return (
        _in_my_cases(Decision.objects.all(), user)
        .filter(
            outcome__in=[Outcome.GRANT, Outcome.PARTIAL],
            period_to__gte=today,
            period_to__lte=today + EXPIRY_WINDOW,
        )
        .exclude(later_decision_exists())
        .select_related("person", "support_kind")
    )


def _waiting(user, today: datetime.date) -> QuerySet:
    # The stored flag and its partial index (`application_undecided_idx`): the few undecided
    # applications, not every application tested against the decisions.
    return _in_my_cases(Application.objects.filter(decided=False), user).select_related(
        "person", "support_kind"
    )


def _unsent(user, today: datetime.date) -> QuerySet:
    # A decision recorded from an earlier system had its letter there, if any. The stored
    # mark (decisions.0014) and its partial index `decision_unsent_idx`: the few unsent, in the
    # list's order, not every decision tested for a delivery (all of them once most are sent).
    return _in_my_cases(
        Decision.objects.filter(letter_sent=False, from_history=False), user
    ).select_related("person", "support_kind")


def _left_in_force(user, today: datetime.date) -> QuerySet:
    # A coordinator closed the case but cannot end its decision: the authority decides.
    # The database keeps on each grant of a closed case the case's closing day
    # (`case_ended_on`) and, while it has not passed, the last day of its period
    # (`left_running_until`, cleared by the daily jobs once passed): `decision_left_in_force_
    # index` holds those, in this list's order, and is walked until a page is full. This is
    # `running_past(today)` of the decisions of closed cases, for today or a later day
    # (tests/decisions/test_left_in_force.py). Read and sorted whole, the 12,600 running at a
    # million people took 45 ms; joined to the cases, 0.33 s (bench/README.md).
    return (
        _in_my_cases(Decision.objects.filter(left_running_until__gt=today), user)
        .exclude(replaced_by_later())
        .select_related("person", "support_kind", "case")
    )


def _is_officer(roles) -> bool:
    return roles.has(Role.OFFICER)


APPEALS = full_list(
    WorkList(
        name="overklaganden",
        title=_("Appeals under way"),
        template="decisions/_wl_appeals.html",
        rows=_appeals,
        keys=("deadline", "received_on", "id"),
        record_type="appeal",
        people=lambda appeal: [appeal.decision.person_id],
        allowed=_is_officer,
    )
)
LEFT_IN_FORCE = full_list(
    WorkList(
        name="beslut-i-avslutade-arenden",
        title=_("Decisions still in force in a closed case"),
        template="decisions/_wl_left_in_force.html",
        rows=_left_in_force,
        keys=("case_ended_on", "number"),
        record_type="decision",
        allowed=_is_officer,
    )
)
EXPIRING = full_list(
    WorkList(
        name="beslut-som-upphor",
        title=_("Decisions that end within 30 days"),
        template="decisions/_wl_expiring.html",
        rows=_expiring,
        keys=("period_to", "number"),
        record_type="decision",
        allowed=_is_officer,
    )
)
WAITING = full_list(
    WorkList(
        name="ansokningar-utan-beslut",
        title=_("Applications waiting for a decision"),
        template="decisions/_wl_waiting.html",
        rows=_waiting,
        keys=("applied_on", "created_at", "id"),
        record_type="application",
        allowed=_is_officer,
    )
)
UNSENT = full_list(
    WorkList(
        name="beslut-utan-brev",
        title=_("Decisions whose letter has not been sent"),
        template="decisions/_wl_unsent.html",
        rows=_unsent,
        keys=("decided_on", "number"),
        record_type="decision",
        allowed=_is_officer,
    )
)
OFFICER_LISTS = {
    "appeals": APPEALS,
    "left_in_force": LEFT_IN_FORCE,
    "expiring": EXPIRING,
    "waiting": WAITING,
    "unsent": UNSENT,
}


def officer_worklist_rows(user, today: datetime.date | None = None) -> dict[str, FirstRows]:
    """The first rows of each of the officer's lists, most urgent first."""
    today = today or timezone.localdate()
    return {key: first_rows(spec, user, today) for key, spec in OFFICER_LISTS.items()}


@worklist(40)
def officer_worklist(request, roles) -> dict | None:
    if not roles.has(Role.OFFICER):
        return None
    today = timezone.localdate()
    rows = officer_worklist_rows(request.user, today)
    decisions = [*rows["left_in_force"], *rows["expiring"], *rows["unsent"]]
    shown = [
        list_access("appeal", [appeal.decision.person_id for appeal in rows["appeals"]]),
        list_access("decision", [decision.person_id for decision in decisions]),
        list_access("application", [application.person_id for application in rows["waiting"]]),
    ]
    log_accesses(user=request.user, accesses=[a for a in shown if a is not None])
    return {"template": "decisions/worklist.html", "today": today, **rows}

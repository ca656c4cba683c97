"""Need-to-know: the one place that decides who may see and change a person.

Views never filter by role themselves; they call `get_person_for_user` or `visible_people`.
Someone who may not know a person exists gets 404; someone who may see but not change, 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404
from django.utils import timezone

from audit.events import log_access
from audit.models import Action
from core.compiled import CompiledQuery
from core.lookups import AnyOf, ExistsPerRow, among
from core.pagination import bounded_count
from organisation.models import Role
from organisation.permissions import Level
from organisation.roles import roles_of
from people.models import Case, CaseStaff, Person, ReasonedAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ReasonRequired(Exception):
    """The user may open this person only after giving a reason."""

    def __init__(self, person: Person) -> None:
        super().__init__("reason required")
        self.person = person


def own_cases(user: User) -> QuerySet[Case]:
    """Cases the user works with: their unit's, their team's, or naming them."""
    if not roles_of(user).works_with_cases:
        return Case.objects.none()
    return Case.objects.filter(of_own_cases(user))


def of_own_cases(
    user: User,
    *,
    authority_unit: str = "authority_unit_id",
    provider_unit: str = "provider_unit_id",
    case: str = "pk",
) -> Q:
    """`own_cases`' test, on a row that holds a case's units and id under these names: the
    case's own, or copies the database keeps equal to them (a follow-up's, provision.0012), which
    an index on the row can then find. Only for a user who works with cases."""
    roles = roles_of(user)
    authority_units = roles.unit_ids(Role.OFFICER, Role.MANAGER)
    provider_units = roles.unit_ids(Role.COORDINATOR, Role.MANAGER)
    # The units first: PostgreSQL tests an OR's terms in the order written, and a case of one's
    # units is then taken without searching the array of named cases, which for someone named on
    # every case (the officer of a whole authority) has as many ids as there are cases: tested
    # first, it cost a linear search per case (109 s for the caseload page at 100,000 people).
    # Each list one array parameter (`AnyOf`): a manager over a whole provider has 1,740 units,
    # and a placeholder each cost this page and every query built from it ~10 ms of Python.
    q = Q()
    if authority_units:
        q |= among(authority_unit, authority_units)
    if provider_units:
        q |= among(provider_unit, provider_units)
    # A subquery, not a join: a join on staff_links repeats a case once per named staff member.
    named = CaseStaff.objects.filter(user=user)
    if _named_on_many(user):
        # Read into an array, the named cases of someone named on every case cost a read of
        # the whole staff table in each query (30–40 ms a query at 100,000 people). Tested per
        # case instead, after the units, the test is made only for cases outside the units.
        q |= Q(ExistsPerRow(named.filter(case_id=OuterRef(case))))
    else:
        # An array: usable as an index condition inside the OR (a coordinator's few cases).
        q |= Q(AnyOf(F(case), Subquery(named.values("case_id"))))
    return q


NAMED_MANY = 1000


def _named_on_many(user: User) -> bool:
    """Whether the user is named on more than NAMED_MANY cases. Both ways of writing the named
    cases give the same rows; this only chooses the one that is fast for the user."""
    return more_than(
        user, "_brygga_named_many", NAMED_MANY, lambda: CaseStaff.objects.filter(user=user)
    )


MANY_CASES = 20_000


def works_with_many_cases(user: User) -> bool:
    """Whether the user's own cases are more than MANY_CASES. Their people, read into a hash to
    test rows against, would then no longer fit PostgreSQL's default `work_mem` (4 MB), and
    PostgreSQL would instead scan the whole list for every row tested (1.8 s for the access-log
    review of a manager over every case at a million people); such users' rows are tested per
    row."""
    return more_than(user, "_brygga_many_cases", MANY_CASES, lambda: own_cases(user))


def more_than(user: User, attribute: str, bound: int, rows: Callable[[], QuerySet]) -> bool:
    """Whether `rows()` has more than `bound` rows: one bounded count, its answer kept on the
    user object for the request (as `roles_of`) under `attribute`."""
    cached = getattr(user, attribute, None)
    if cached is None:
        cached = bounded_count(rows().values("pk"), bound).more
        setattr(user, attribute, cached)
    return cached


def visible_people(user: User) -> QuerySet[Person]:
    """People the user may see without giving a reason (the person list and search)."""
    if not roles_of(user).works_with_cases:
        return Person.objects.none()
    named = CaseStaff.objects.filter(case__person_id=OuterRef("pk"), user=user)
    return (
        Person.objects.current()
        # IN, not a correlated EXISTS: PostgreSQL then reads the user's cases once instead of
        # testing every person (bench/README.md: most of the caseload page's time).
        .filter(pk__in=own_cases(user).values("person_id"))
        .filter(Q(protected_identity=False) | Exists(named))
    )


def findable_outside_own_cases(user: User) -> QuerySet[Person]:
    """People a case worker may find by search but open only with a reason."""
    if not roles_of(user).works_with_cases:
        return Person.objects.none()
    mine = own_cases(user).filter(person_id=OuterRef("pk"))
    return Person.objects.current().filter(protected_identity=False).exclude(Exists(mine))


def access_level(user: User, person: Person, *, named: bool | None = None) -> Level:
    """`named`: whether the user is named on one of the person's cases, when the caller read it
    with the person (`get_person_for_user`); otherwise it is looked up."""
    if person.merged_into_id and person.merged_into is not None:
        # A merged record is only a pointer: what counts is access to the record it points to.
        person = person.merged_into
        named = None  # read for the pointer, not for the record it points to
    roles = roles_of(user)
    if not roles.works_with_cases:
        return Level.NONE
    if named is None:
        named = CaseStaff.objects.filter(case__person=person, user=user).exists()
    if named:
        return Level.WRITE
    if person.protected_identity:
        return Level.NONE
    if own_cases(user).filter(person=person).exists():
        return Level.WRITE
    if ReasonedAccess.objects.filter(
        user=user, person=person, expires_at__gt=timezone.now()
    ).exists():
        return Level.READ
    return Level.REASON_REQUIRED


def access_levels(user: User, people: list[Person]) -> dict[Any, Level]:
    """`access_level` for many people with a few queries whatever their number (the history
    import's batches): the same checks in the same order."""
    current = {p.pk: (p.merged_into if p.merged_into_id else None) or p for p in people}
    roles = roles_of(user)
    if not roles.works_with_cases:
        return dict.fromkeys(current, Level.NONE)
    # Each list of ids one array parameter (`among`): a placeholder per id cost the import's
    # batch of a thousand people 20 ms of Python, in the thread that waits for the database.
    ids = {p.pk for p in current.values()}
    named = set(
        CaseStaff.objects.filter(among("case__person_id", ids), user=user).values_list(
            "case__person_id", flat=True
        )
    )
    own = set(own_cases(user).filter(among("person_id", ids)).values_list("person_id", flat=True))
    reasoned = set(
        ReasonedAccess.objects.filter(
            among("person_id", ids), user=user, expires_at__gt=timezone.now()
        ).values_list("person_id", flat=True)
    )

    def level(person: Person) -> Level:
        if person.pk in named:
            return Level.WRITE
        if person.protected_identity:
            return Level.NONE
        if person.pk in own:
            return Level.WRITE
        return Level.READ if person.pk in reasoned else Level.REASON_REQUIRED

    return {pk: level(person) for pk, person in current.items()}


# The person with whether the user is named on their cases (one query), as `get(pk=pk)` asks
# it: its SQL built once (core/compiled.py).
_PERSON_FOR_STAFF = CompiledQuery(
    lambda pk, user_id: (
        Person.objects.select_related("merged_into")
        .annotate(
            user_is_named=Exists(
                CaseStaff.objects.filter(case__person_id=OuterRef("pk"), user_id=user_id)
            )
        )
        .filter(pk=pk)
        .order_by()[:MAX_GET_RESULTS]
    ),
    Person._meta.pk,
    CaseStaff._meta.get_field("user"),
)


def get_person_for_user(user: User, pk: Any, *, write: bool = False) -> tuple[Person, Level]:
    """Load a person for a view: 404, ReasonRequired, 403, or the person and the level."""
    if roles_of(user).works_with_cases:
        found = _PERSON_FOR_STAFF.rows(pk, user.pk)
        if not found:
            raise Http404
        person = found[0]
    else:
        try:
            # get(): without the model's ordering, which costs CPU
            person = Person.objects.select_related("merged_into").get(pk=pk)
        except Person.DoesNotExist:
            raise Http404 from None
    level = access_level(user, person, named=getattr(person, "user_is_named", None))
    if level == Level.NONE:
        raise Http404
    if level == Level.REASON_REQUIRED:
        # The reason is given for the current record, never for a merged-away pointer.
        raise ReasonRequired(person.merged_into or person)
    if write and level < Level.WRITE:
        raise PermissionDenied
    return person, level


def may_give_reason(user: User, person: Person) -> bool:
    return access_level(user, person) == Level.REASON_REQUIRED


def grant_reasoned_access(*, user: User, person: Person, reason: str) -> ReasonedAccess:
    """Record the reason and open the person read-only for a few hours; logged."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required.")
    with transaction.atomic():
        grant = ReasonedAccess.objects.create(
            user=user,
            person=person,
            reason=reason,
            expires_at=timezone.now() + timedelta(hours=settings.REASONED_ACCESS_HOURS),
        )
        log_access(
            user=user,
            person=person,
            action=Action.REASON,
            record_type="person",
            reason=reason,
        )
    return grant

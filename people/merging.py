"""What merging two records of the same person would change, shown before anything moves.

`differences` lists the register fields where the records disagree or only one has a value;
`open_case_pairs` the units where both have an open case. `people.actions.merge_people` applies
the user's choice: per field which value to keep, per unit which case continues (the other case's
records move into it), so that a merge never leaves two open cases in one unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Field, Prefetch

from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person, Sex

# The fields the user chooses between when both records have a value (in the order shown).
CHOSEN_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "municipality",
)
KEEP, OTHER = "keep", "other"


@dataclass
class Difference:
    field: str
    label: str
    keep: Any
    other: Any

    @property
    def both(self) -> bool:
        """Both records have a value: the user chooses; otherwise the one value is kept."""
        return bool(self.keep) and bool(self.other)

    def shown(self, value: Any) -> str:
        if self.field == "sex":
            return str(dict(Sex.choices).get(value, value))
        return "" if value in (None, "") else str(value)

    @property
    def keep_shown(self) -> str:
        return self.shown(self.keep)

    @property
    def other_shown(self) -> str:
        return self.shown(self.other)


def _blank(field: str, value: Any) -> bool:
    # "Other or not stated" is no stated sex: the other record's stated one fills it.
    return value in (None, "") or (field == "sex" and value == "X")


def differences(keep: Person, other: Person) -> list[Difference]:
    rows = []
    for name in CHOSEN_FIELDS:
        if name == "birth_date" and (keep.personal_number or other.personal_number):
            continue  # the birth date in a real number is authoritative (see merge_people)
        mine, theirs = getattr(keep, name), getattr(other, name)
        if mine == theirs or _blank(name, theirs):
            continue
        label = str(cast("Field", Person._meta.get_field(name)).verbose_name)
        rows.append(Difference(name, label, None if _blank(name, mine) else mine, theirs))
    return rows


@dataclass
class CasePair:
    """Both records have an open case in this unit: one continues, the others move into it."""

    unit_id: int
    unit_name: str
    cases: list[Case]
    keep_id: Any

    @property
    def default(self) -> Case:
        """The earlier opened case continues: the support began then; on the same day, the kept
        record's."""
        return min(self.cases, key=lambda case: (case.opened_on, case.person_id != self.keep_id))


def open_case_pairs(keep: Person, other: Person) -> list[CasePair]:
    staff = Prefetch("staff_links", queryset=CaseStaff.objects.select_related("user"))
    cases = list(
        Case.objects.filter(person__in=[keep, other], status=CaseStatus.OPEN)
        .select_related("person", "authority_unit", "provider_unit")
        .prefetch_related(staff)
        .order_by("opened_on", "pk")
    )
    units: dict[int, list[Case]] = {}
    for case in cases:
        units.setdefault(case.authority_unit_id, []).append(case)
    return [
        CasePair(unit_id, in_unit[0].authority_unit.name, in_unit, keep.pk)
        for unit_id, in_unit in units.items()
        if {case.person_id for case in in_unit} == {keep.pk, other.pk}
    ]


def merge_case(into: Case, other: Case) -> None:
    """Move everything of `other` onto `into` and remove the emptied case.

    Every relation to Case is moved, also those of apps added later. Staff named on both stay
    once; a second coordinator from the other case joins as second coordinator (or other staff
    when the case has one), so that the case keeps one coordinator.
    """
    _merge_staff(into, other)
    for relation in Case._meta.related_objects:
        model = relation.related_model
        if model is CaseStaff or relation.many_to_many or isinstance(model, str):
            continue
        model._base_manager.filter(**{relation.field.name: other}).update(
            **{relation.field.name: into}
        )
    into.opened_on = min(into.opened_on, other.opened_on)
    into.provider_unit_id = into.provider_unit_id or other.provider_unit_id
    into.save(update_fields=["opened_on", "provider_unit", "last_entry_at"])
    other.delete()


COORDINATING = (CaseStaffRole.COORDINATOR, CaseStaffRole.SECOND_COORDINATOR)


def _merge_staff(into: Case, other: Case) -> None:
    held = set(CaseStaff.objects.filter(case=into).values_list("user_id", "role"))
    for link in CaseStaff.objects.filter(case=other).order_by("pk"):
        role = link.role
        if role in COORDINATING:
            if any(user == link.user_id and r in COORDINATING for user, r in held):
                role = ""  # already coordinating the case that continues
            elif role == CaseStaffRole.COORDINATOR and _taken(held, role):
                role = CaseStaffRole.SECOND_COORDINATOR
            if role == CaseStaffRole.SECOND_COORDINATOR and _taken(held, role):
                role = CaseStaffRole.OTHER
        if not role or (link.user_id, role) in held:
            link.delete()
            continue
        link.case, link.role = into, role
        link.save(update_fields=["case", "role"])
        held.add((link.user_id, role))


def _taken(held: set, role: str) -> bool:
    return any(r == role for _user, r in held)


def chosen_cases(pairs: Iterable[CasePair], chosen: dict[int, Any]) -> list[tuple[Case, Case]]:
    """(the case that continues, a case that moves into it); `chosen` maps a unit's id to the
    id of its case that continues, by default the earliest opened."""
    result = []
    for pair in pairs:
        pick = str(chosen.get(pair.unit_id, pair.default.pk))
        into = next((case for case in pair.cases if str(case.pk) == pick), pair.default)
        result += [(into, case) for case in pair.cases if case is not into]
    return result

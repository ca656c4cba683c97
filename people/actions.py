"""Operations on the person register. Each takes the acting user and logs inside its transaction."""

from __future__ import annotations

import datetime
import difflib
import json
import secrets
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_access, log_accesses
from audit.models import Action
from core.concurrency import Opened, claim
from organisation.models import Unit
from people import merging, staffing
from people.identity import RESERVE
from people.models import Case, CaseStaffRole, Contact, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DuplicateNumber(Exception):
    """The personal number is already registered."""


def _normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _normalise(a), _normalise(b)).ratio()


def possible_matches(
    *,
    first_name: str,
    last_name: str,
    birth_date: datetime.date | None,
    exclude: Person | None = None,
    among: QuerySet[Person] | None = None,
) -> list[Person]:
    """People whose birth date is the same and whose name resembles the one given.

    `among` limits the candidates to the people the user may know exist: a match list must never
    reveal a person with protected identity.
    """
    if birth_date is None:
        return []
    candidates = (among if among is not None else Person.objects.current()).filter(
        birth_date=birth_date
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    wanted = f"{first_name} {last_name}"
    return [
        person
        for person in candidates[:50]
        if name_similarity(wanted, person.full_name) >= 0.75
        or name_similarity(last_name, person.last_name) >= 0.85
    ]


def new_reserve_number(birth_date: datetime.date | None) -> str:
    """A local reserve number: R, the birth date if known, and a random part."""
    stem = birth_date.strftime("%Y%m%d") if birth_date else "00000000"
    return f"R{stem}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def register_person(*, user: User, unit: Unit, data: dict) -> Person:
    """Register a person and open a case for them in the registering officer's unit."""
    fields = dict(data)
    if fields.get("number_kind") == RESERVE:
        fields["personal_number"] = None
        fields["reserve_number"] = new_reserve_number(fields.get("birth_date"))
    person = Person(**fields)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise DuplicateNumber from exc
    case = Case.objects.create(person=person, authority_unit=unit, opened_on=timezone.localdate())
    staffing.name(case, user, CaseStaffRole.OFFICER, case.opened_on)
    log_accesses(
        user=user,
        accesses=[
            Access(person.pk, "person", person.pk, Action.CREATE),
            Access(person.pk, "case", case.pk, Action.CREATE),
        ],
    )
    return person


@transaction.atomic
def update_person(
    *, user: User, person: Person, data: dict, changed: list[str], opened: Opened | None = None
) -> Person:
    """Change the personal details; an edit opened before someone else's save is refused. The log
    entry holds what each changed field was changed from and to.

    The values are personal data: the access log's `detail` is shown on no page and in no
    application log (docs/access-log.md).
    """
    claim(person, opened, data)
    stored = Person.objects.select_for_update().get(pk=person.pk)
    for field, value in data.items():
        setattr(person, field, value)
    person.save()
    changes = {
        field: {"from": getattr(stored, field), "to": getattr(person, field)}
        for field in sorted(changed)
    }
    log_access(
        user=user,
        person=person,
        action=Action.UPDATE,
        detail=json.dumps(changes, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True),
    )
    return person


@transaction.atomic
def save_contact(
    *, user: User, person: Person, contact: Contact, opened: Opened | None = None
) -> Contact:
    """Add a network contact, or change one (a change opened before someone else's is refused)."""
    adding = contact._state.adding
    if not adding:
        claim(contact, opened, {f.name: getattr(contact, f.name) for f in _contact_fields()})
    contact.person = person
    contact.save()
    log_access(
        user=user,
        person=person,
        action=Action.CREATE if adding else Action.UPDATE,
        record_type="contact",
        record_id=contact.pk,
    )
    return contact


def _contact_fields() -> list:
    return [f for f in Contact._meta.concrete_fields if f.name not in ("id", "version")]


@transaction.atomic
def delete_contact(*, user: User, contact: Contact) -> None:
    person, pk = contact.person, contact.pk
    contact.delete()
    log_access(user=user, person=person, action=Action.DELETE, record_type="contact", record_id=pk)


@transaction.atomic
def merge_people(
    *,
    user: User,
    keep: Person,
    other: Person,
    take_from_other: Iterable[str] = (),
    continuing_cases: dict[int, Any] | None = None,
    opened: tuple[int, int] | None = None,
) -> Person:
    """Move everything of `other` onto `keep`; `other` stays as a pointer to `keep`.

    Every relation to Person is moved, including those of apps added later, so nothing is lost.
    A field blank on `keep` takes the other record's value; where both have one, `keep`'s stays
    unless the field is in `take_from_other` (the user's choice, `merging.differences`). Where
    both have an open case in the same unit, the cases become one: `continuing_cases` maps the
    unit to the case that continues (by default the earlier opened one). With `opened` (the two
    records' versions when the user saw the differences), a merge after another change of either
    record is refused.
    """
    if keep.pk == other.pk:
        raise ValueError("A record cannot be merged with itself.")
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    other = Person.objects.select_for_update().get(pk=other.pk)
    if opened is not None and opened != (keep.version, other.version):
        raise ValidationError(
            _("One of the records was changed after you compared them: compare them again.")
        )
    cases = merging.chosen_cases(merging.open_case_pairs(keep, other), continuing_cases or {})
    for relation in Person._meta.related_objects:
        model = relation.related_model  # a model class once the apps are loaded
        if model is Person or relation.many_to_many or isinstance(model, str):
            continue
        model._base_manager.filter(**{relation.field.name: other}).update(
            **{relation.field.name: keep}
        )
    for into, moved in cases:
        merging.merge_case(into, moved)
    chosen = set(take_from_other)
    for row in merging.differences(keep, other):
        if row.keep is None or row.field in chosen:
            setattr(keep, row.field, row.other)
    if other.personal_number and not keep.personal_number:
        # The real number wins over a reserve number; free it on the old record first.
        number, kind = other.personal_number, other.number_kind
        other.personal_number, other.number_kind = None, RESERVE
        other.reserve_number = other.reserve_number or new_reserve_number(other.birth_date)
        other.save(update_fields=["personal_number", "number_kind", "reserve_number"])
        keep.personal_number, keep.number_kind = number, kind
        # The birth date in a real number is authoritative; a reserve record's was a guess.
        keep.birth_date = other.birth_date or keep.birth_date
    keep.protected_identity = keep.protected_identity or other.protected_identity
    keep.version += 1
    keep.save()
    Person.objects.filter(merged_into=other).update(merged_into=keep)
    other.merged_into = keep
    other.version += 1
    other.save(update_fields=["merged_into", "updated_at", "version"])
    log_accesses(
        user=user,
        accesses=[
            Access(keep.pk, "person", keep.pk, Action.MERGE, detail=f"merged from {other.pk}"),
            Access(other.pk, "person", other.pk, Action.MERGE, detail=f"merged into {keep.pk}"),
        ]
        + [
            Access(keep.pk, "case", into.pk, Action.MERGE, detail=f"case {moved.pk} merged into it")
            for into, moved in cases
        ],
    )
    return keep

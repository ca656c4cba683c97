"""People: search and read, and the reason that opens a person outside one's own cases."""

from __future__ import annotations

import datetime
import uuid

from django.http import Http404
from ninja import Field, Query, Router, Schema

from api.common import load_person, require_roles, valid
from api.errors import responses
from audit.events import log_list
from organisation.models import CASE_ROLES
from people import access
from people.forms import ReasonForm, SearchForm
from people.models import Person
from people.search import check_number_query, found_outside_own_cases, search_people

router = Router(tags=["people"])
SEARCH_LIMIT = 50
OUTSIDE_LIMIT = 20
LEVELS = {
    access.Level.WRITE: "write",
    access.Level.READ: "read",
    access.Level.REASON_REQUIRED: "reason_required",
}


class PersonSummary(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    number: str = Field(description="Personal, coordination or reserve number, formatted.")
    birth_date: datetime.date | None
    access: str = Field(description="write, read, or reason_required (give a reason to open).")


class CaseOut(Schema):
    id: uuid.UUID
    status: str
    opened_on: datetime.date
    closed_on: datetime.date | None
    authority_unit: str
    provider_unit: str | None


class PersonOut(PersonSummary):
    sex: str
    phone: str
    email: str
    address: str
    postal_code: str
    city: str
    municipality: str
    protected_identity: bool
    cases: list[CaseOut]


class ReasonIn(Schema):
    reason: str = Field(description="Why you need to open the record; logged, shown to managers.")


def summary(person: Person, level) -> dict:
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "number": person.display_number,
        "birth_date": person.birth_date,
        "access": LEVELS[level],
    }


@router.get("", response=responses({200: list[PersonSummary]}), summary="Search people")
def search(request, q: str = Query("", max_length=100)):
    """The person list's search: your own cases first, then people you may open after giving a
    reason, when the query names someone (a personal or reserve number, or first and last
    name; one word searches only your own cases). A whole number that is not a valid personal
    or coordination number is refused (422) with what is wrong with it. Every hit is logged as
    a search, as on the page."""
    require_roles(request, *CASE_ROLES)
    q = valid(SearchForm({"q": q}))["q"]
    check_number_query(q)  # 422 saying what is wrong with a mistyped number
    own = list(
        search_people(access.visible_people(request.user), q).order_by(
            "last_name", "first_name", "id"
        )[:SEARCH_LIMIT]
    )
    outside = found_outside_own_cases(request.user, q, OUTSIDE_LIMIT)
    log_list(user=request.user, record_type="person", people=[p.pk for p in [*own, *outside]])
    # visible_people holds exactly the people of the user's own cases: they may change them.
    return [summary(p, access.Level.WRITE) for p in own] + [
        summary(p, access.Level.REASON_REQUIRED) for p in outside
    ]


@router.get("/{person_id}", response=responses({200: PersonOut}), summary="Read a person")
def read(request, person_id: uuid.UUID):
    person, level = load_person(request, person_id, record_type="person")
    cases = person.cases.select_related("authority_unit", "provider_unit")
    return {
        **summary(person, level),
        "sex": person.sex,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "postal_code": person.postal_code,
        "city": person.city,
        "municipality": person.municipality,
        "protected_identity": person.protected_identity,
        "cases": [
            {
                "id": c.pk,
                "status": c.status,
                "opened_on": c.opened_on,
                "closed_on": c.closed_on,
                "authority_unit": c.authority_unit.name,
                "provider_unit": c.provider_unit.name if c.provider_unit else None,
            }
            for c in cases
        ],
    }


@router.post(
    "/{person_id}/reason",
    response=responses({200: PersonSummary}),
    summary="Give a reason to open a person outside your cases",
)
def give_reason(request, person_id: uuid.UUID, payload: ReasonIn):
    """The reason form: logged and shown to the manager; opens the person read-only for a few
    hours. Someone who may already read gets the person's summary and nothing is recorded."""
    require_roles(request, *CASE_ROLES)
    person = Person.objects.filter(pk=person_id).select_related("merged_into").first()
    level = access.access_level(request.user, person) if person else access.Level.NONE
    if person is None or level == access.Level.NONE:
        raise Http404
    person = person.merged_into or person
    if level == access.Level.REASON_REQUIRED:
        data = valid(ReasonForm({"reason": payload.reason}))
        access.grant_reasoned_access(user=request.user, person=person, reason=data["reason"])
        level = access.access_level(request.user, person)
    return summary(person, level)

"""Instrument responses (self-ratings): read them, and register a staff-administered rating
through the instruments app's own form and actions (scored and checked for risks there)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from api.common import load_person, valid
from api.errors import responses
from audit.events import Access, log_accesses
from instruments import actions
from instruments.forms import StartForm
from instruments.models import Response

router = Router(tags=["instrument responses"])


class ResponseOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    code: str
    version: str = Field(description="The instrument definition's version.")
    occasion: str
    administered_on: datetime.date
    status: str
    channel: str
    answers: dict[str, Any]
    total: float | None
    computable: bool
    band_code: str
    completed_at: datetime.datetime | None


class ResponseIn(Schema):
    code: str = Field(description="The instrument, e.g. madrs-s")
    occasion: str
    administered_on: datetime.date
    answers: dict[str, Any] = Field(default_factory=dict, description="item id -> answer")
    complete: bool = Field(
        False,
        description="Complete and score now (every required item must be answered); else a "
        "draft is kept.",
    )


def response_out(r: Response) -> dict:
    return {n: getattr(r, n) for n in ResponseOut.model_fields}


@router.get(
    "/people/{person_id}/responses",
    response=responses({200: list[ResponseOut]}),
    summary="A person's instrument responses",
)
def person_responses(request, person_id: uuid.UUID):
    person, _level = load_person(request, person_id)
    rows = list(Response.objects.filter(person=person).order_by("administered_on", "created_at"))
    log_accesses(
        user=request.user, accesses=[Access(person.pk, "instrument_response", r.pk) for r in rows]
    )
    return [response_out(r) for r in rows]


@router.get(
    "/responses/{response_id}",
    response=responses({200: ResponseOut}),
    summary="An instrument response",
)
def read_response(request, response_id: uuid.UUID):
    response = get_object_or_404(Response, pk=response_id)
    load_person(
        request, response.person_id, record_type="instrument_response", record_id=response.pk
    )
    return response_out(response)


@router.post(
    "/people/{person_id}/responses",
    response=responses({201: ResponseOut}),
    summary="Register a rating administered by staff",
)
def create_response(request, person_id: uuid.UUID, payload: ResponseIn):
    person, _level = load_person(request, person_id, write=True)
    data = valid(StartForm(payload.dict(include={"code", "occasion", "administered_on"})))
    # One transaction: answers the instrument refuses leave no half-started rating behind.
    with transaction.atomic():
        response = actions.start_response(
            user=request.user,
            person=person,
            code=data["code"],
            occasion=data["occasion"],
            administered_on=data["administered_on"],
        )
        if payload.answers or payload.complete:
            response = actions.save_answers(
                user=request.user,
                response=response,
                answers=payload.answers,
                complete=payload.complete,
                all_required=True,
            )
    return Status(201, response_out(Response.objects.get(pk=response.pk)))

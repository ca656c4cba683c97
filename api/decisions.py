"""Applications and decisions: read them; issue a decision under the UI's delegation rule
(`decisions.actions.validate_decision`), through the same form and action as the page."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from api.common import load_person, valid
from api.errors import responses
from audit.events import Access, log_accesses
from decisions import actions
from decisions.forms import DecisionForm
from decisions.models import Application, Decision
from organisation.permissions import AUTHORITY_ROLES

router = Router(tags=["decisions"])


class DecisionOut(Schema):
    id: uuid.UUID
    number: str
    person_id: uuid.UUID
    application_id: uuid.UUID
    support_kind: str
    kind: str
    outcome: str
    decided_on: datetime.date
    content: str
    goals: str
    period_from: datetime.date | None
    period_to: datetime.date | None
    legal_basis: str = Field(description="as the letter cites it: the law in force on its date")
    reasons: str
    replaces_id: uuid.UUID | None
    decided_by: str


class ApplicationOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    support_kind: str
    applied_on: datetime.date
    form: str
    what: str
    communicated_on: datetime.date | None
    communication_exemption: str
    decisions: list[DecisionOut]


class DecisionIn(Schema):
    outcome: str = Field(description="grant, partial or rejection")
    kind: str = Field("new", description="new, change, renewal or correction")
    replaces: uuid.UUID | None = None
    content: str
    decided_on: datetime.date
    period_from: datetime.date | None = None
    period_to: datetime.date | None = None
    reasons: str = ""
    goals: str = ""
    participants: str = ""
    provider_unit: int | None = None


def decision_out(d: Decision) -> dict:
    return {
        **{
            name: getattr(d, name)
            for name in DecisionOut.model_fields
            if name not in ("support_kind", "decided_by")
        },
        "support_kind": d.support_kind.name,
        "decided_by": d.decided_by.get_full_name() or d.decided_by.get_username(),
    }


DECISIONS = Decision.objects.select_related("support_kind", "decided_by")


@router.get(
    "/people/{person_id}/decisions",
    response=responses({200: list[DecisionOut]}),
    summary="A person's decisions",
)
def person_decisions(request, person_id: uuid.UUID):
    person, _level = load_person(request, person_id)
    rows = list(DECISIONS.filter(person=person).order_by("decided_on", "created_at"))
    log_accesses(user=request.user, accesses=[Access(person.pk, "decision", d.pk) for d in rows])
    return [decision_out(d) for d in rows]


@router.get(
    "/decisions/{decision_id}", response=responses({200: DecisionOut}), summary="A decision"
)
def read_decision(request, decision_id: uuid.UUID):
    decision = get_object_or_404(DECISIONS, pk=decision_id)
    load_person(request, decision.person_id, record_type="decision", record_id=decision.pk)
    return decision_out(decision)


def _application(request, pk, **kwargs):
    """The application, once its person is opened (`load_person`'s keywords)."""
    application = get_object_or_404(Application.objects.select_related("support_kind"), pk=pk)
    _person, level = load_person(request, application.person_id, **kwargs)
    return application, level


@router.get(
    "/applications/{application_id}",
    response=responses({200: ApplicationOut}),
    summary="An application and its decisions",
)
def read_application(request, application_id: uuid.UUID):
    application, _level = _application(
        request, application_id, record_type="application", record_id=application_id
    )
    decisions = DECISIONS.filter(application=application).order_by("decided_on")
    return {
        **{
            name: getattr(application, name)
            for name in ApplicationOut.model_fields
            if name not in ("support_kind", "decisions")
        },
        "support_kind": application.support_kind.name,
        "decisions": [decision_out(d) for d in decisions],
    }


@router.post(
    "/applications/{application_id}/decisions",
    response=responses({201: DecisionOut}, 409),
    summary="Issue a decision (needs delegation for the kind of support on the date)",
)
def issue(request, application_id: uuid.UUID, payload: DecisionIn):
    application, _level = _application(request, application_id, write=True, roles=AUTHORITY_ROLES)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    form = DecisionForm(data, application=application)
    cleaned = valid(form)
    try:
        decision = actions.issue_decision(officer=request.user, application=application, **cleaned)
    except ValidationError as error:
        if getattr(error, "code", None) == "already_decided":  # decided once; sent again: 409
            raise HttpError(409, error.messages[0]) from error
        raise
    return Status(201, decision_out(DECISIONS.get(pk=decision.pk)))

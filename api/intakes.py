"""Intakes: the authority unit's inbox, registering one, reading one, and closing it."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from api.common import opened_at, require_roles, valid, version_of
from api.errors import responses
from audit.events import log_list
from intake import access as intake_access
from intake import actions
from intake.forms import ANSWER_FIELDS, CHECK_FIELDS, CloseForm, IntakeForm
from intake.models import Intake, IntakeStatus
from organisation.models import CASE_ROLES
from organisation.permissions import AUTHORITY_ROLES
from people.opening import log_read

router = Router(tags=["intakes"])
ANSWERS = "yes, no or unknown"


class IntakeIn(Schema):
    unit: int | None = Field(None, description="Authority unit id; needed if you have several.")
    received_on: datetime.date | None = None
    channel: str = Field(description="phone, email, web, letter or in_person")
    source: str = Field(
        description="self, relative, psychiatry, health_centre, municipal, social_insurance, "
        "school or anonymous"
    )
    notifier_name: str = ""
    notifier_contact: str = ""
    notifier_relation: str = ""
    person_number: str = Field(
        "", description="The person's number, if in your unit's cases; else describe the person."
    )
    person_description: str = ""
    age: int | None = None
    residence: str = ""
    isolation_duration: str = ""
    social_anxiety: str = Field("unknown", description=ANSWERS)
    psychosis_signs: str = Field("unknown", description=ANSWERS)
    substance_use: str = Field("unknown", description=ANSWERS)
    person_knows: str = Field("unknown", description=ANSWERS)
    person_agrees: str = Field("unknown", description=ANSWERS)
    description: str = ""
    check_adult: str = Field("unknown", description=ANSWERS)
    check_resident: str = Field("unknown", description=ANSWERS)
    check_isolated: str = Field("unknown", description=ANSWERS)
    check_no_psychosis: str = Field("unknown", description=ANSWERS)
    callback_due: datetime.date | None = None


class IntakeOut(Schema):
    id: uuid.UUID
    version: str = Field(description="Send it back when closing: a stale one gives 409.")
    unit: str
    received_on: datetime.date
    channel: str
    source: str
    notifier_name: str
    notifier_contact: str
    notifier_relation: str
    person_id: uuid.UUID | None
    person_description: str
    age: int | None
    residence: str
    isolation_duration: str
    answers: dict[str, str]
    description: str
    meets_target_group: bool | None
    callback_due: datetime.date | None
    status: str
    outcome: str
    outcome_reason: str
    referred_to: str | None
    closed_on: datetime.date | None


class CloseIn(Schema):
    version: str
    outcome: str = Field(
        description="talk_offered, referred, declined, not_target_group or no_action"
    )
    reason: str
    referred_to: int | None = Field(None, description="Service id, when referred elsewhere.")


def out(intake: Intake) -> dict:
    return {
        **{
            name: getattr(intake, name)
            for name in IntakeOut.model_fields
            if name not in ("version", "unit", "answers", "referred_to", "meets_target_group")
        },
        "version": version_of(intake),
        "unit": intake.unit.name,
        "answers": {name: getattr(intake, name) for name in ANSWER_FIELDS + CHECK_FIELDS},
        "meets_target_group": intake.meets_target_group,
        "referred_to": intake.referred_to.name if intake.referred_to else None,
    }


@router.get("", response=responses({200: list[IntakeOut]}), summary="The unit's open intakes")
def inbox(request):
    require_roles(request, *AUTHORITY_ROLES)
    intakes = list(
        intake_access.unit_intakes(request.user)
        .filter(status=IntakeStatus.OPEN)
        .select_related("unit", "referred_to")
        .order_by("received_on", "created_at", "id")
    )
    log_list(user=request.user, record_type="intake", people=[i.person_id for i in intakes])
    return [out(i) for i in intakes]


@router.post("", response=responses({201: IntakeOut}), summary="Register an intake")
def create(request, payload: IntakeIn):
    require_roles(request, *AUTHORITY_ROLES)
    units = intake_access.authority_units(request.user)
    if not units:
        raise PermissionDenied
    data = {k: v for k, v in payload.dict().items() if v is not None}
    data.setdefault("received_on", datetime.date.today())
    form = IntakeForm(data, user=request.user, units=units)
    cleaned = valid(form)
    unit = cleaned.get("unit") or units[0]
    intake = actions.create_intake(user=request.user, unit=unit, data=form.intake_data())
    return Status(201, out(intake))


def _load(request, intake_id, *, write=False, log=False) -> Intake:
    require_roles(request, *CASE_ROLES)
    intake, level = intake_access.load_intake(request.user, intake_id, write=write)
    if log:
        log_read(request.user, intake.person_id, level, record_type="intake", record_id=intake.pk)
    return intake


@router.get("/{intake_id}", response=responses({200: IntakeOut}), summary="Read an intake")
def read(request, intake_id: uuid.UUID):
    intake = _load(request, intake_id, log=True)
    return out(intake)


@router.post(
    "/{intake_id}/close",
    response=responses({200: IntakeOut}, 409),
    summary="Close an intake with its outcome and reason",
)
def close(request, intake_id: uuid.UUID, payload: CloseIn):
    intake = _load(request, intake_id, write=True)
    data = valid(CloseForm(payload.dict(exclude={"version"})))
    intake = actions.close_intake(
        user=request.user, intake=intake, opened=opened_at(payload.version), **data
    )
    return out(Intake.objects.select_related("unit", "referred_to").get(pk=intake.pk))

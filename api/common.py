"""What every router shares: role guards, loading a person as the pages do, logging reads, and
optimistic locking by version."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import models

from audit.events import log_access
from audit.models import Action
from organisation.models import CASE_ROLES
from organisation.roles import roles_of
from people import access
from people.models import Person, ReasonedAccess


def require_roles(request, *roles: str) -> None:
    """The pages' `role_required`: a user without any of the roles gets 403."""
    if not roles_of(request.user).has(*roles):
        raise PermissionDenied


def load_person(
    request, pk, *, write: bool = False, roles=CASE_ROLES
) -> tuple[Person, access.Level]:
    """As `people.views.person_view`: 404, 403 with reason_required, 403, or the current record."""
    require_roles(request, *roles)
    person, level = access.get_person_for_user(request.user, pk, write=write)
    if person.merged_into_id and person.merged_into is not None:
        person = person.merged_into
    return person, level


def read_reason(user, person_id, level) -> str:
    """A read outside one's own cases is logged with the reason given for it, as in the UI."""
    if level != access.Level.READ:
        return ""
    grant = (
        ReasonedAccess.objects.filter(user=user, person_id=person_id)
        .order_by("-created_at")
        .values_list("reason", flat=True)
        .first()
    )
    return grant or ""


def log_read(request, person_id, record_type: str, record_id, level=None) -> None:
    log_access(
        user=request.user,
        person=person_id,
        action=Action.READ,
        record_type=record_type,
        record_id=record_id,
        reason=read_reason(request.user, person_id, level) if level is not None else "",
    )


def version_of(obj: models.Model) -> str:
    """A fingerprint of the stored record: any change to any field gives a new version."""
    parts = [f"{f.attname}={f.value_to_string(obj)}" for f in obj._meta.concrete_fields]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def check_version(model: type[models.Model], pk, version: str):
    """Lock the row and refuse a stale version (call inside a transaction)."""
    from api.errors import Conflict

    obj = model._default_manager.select_for_update().get(pk=pk)
    if version_of(obj) != version:
        raise Conflict
    return obj


def valid(form):
    """The form's cleaned data, or its errors as a ValidationError naming the fields (422)."""
    from django.core.exceptions import ValidationError

    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data

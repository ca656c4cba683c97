"""What every router shares: role guards, opening a person's record as the pages do (through
`people.opening`, which also logs the read), and optimistic locking by version."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from organisation.permissions import CASE_ROLES, Level
from organisation.roles import roles_of
from people.models import Person
from people.opening import log_read, open_record

__all__ = ["check_version", "load_person", "require_roles", "valid", "version_of"]


def require_roles(request, *roles: str) -> None:
    """The pages' `role_required`: a user without any of the roles gets 403."""
    if not roles_of(request.user).has(*roles):
        raise PermissionDenied


def load_person(
    request,
    pk,
    *,
    write: bool = False,
    roles=CASE_ROLES,
    record_type: str | None = None,
    record_id: Any = None,
) -> tuple[Person, Level]:
    """Open a person's record as the pages do (`people.opening.open_record`): 404, 403 with
    reason_required, 403, or the current record (a merged-away pointer leads to the kept one).

    With `record_type`, the read of that record (by default the person) is logged, with the
    reason in force when the user reads outside their own cases; lists log their rows
    themselves.
    """
    require_roles(request, *roles)
    person, level = open_record(request.user, pk, write=write, log=False)
    if person.merged_into_id and person.merged_into is not None:
        person = person.merged_into
    if record_type is not None:
        log_read(
            request.user,
            person.pk,
            level,
            record_type=record_type,
            record_id=record_id if record_id is not None else person.pk,
        )
    return person, level


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

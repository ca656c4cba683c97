"""What every router shares: role guards, opening a person's record as the pages do (through
`people.opening`, which also logs the read), and the version a client sends back (compared by
the actions through `core.concurrency`, as the pages' edit forms are)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from core.concurrency import Opened
from organisation.permissions import CASE_ROLES, Level
from organisation.roles import roles_of
from people.models import Person
from people.opening import log_read, open_record

__all__ = ["load_person", "opened_at", "require_roles", "valid", "version_of"]


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
    """The record's version: every saved change takes the next one."""
    return str(obj.version)  # type: ignore[attr-defined]  # every versioned model has it


def opened_at(version: str) -> Opened:
    """The version the client read, for the action to compare (an unreadable one is stale)."""
    return Opened.parse(version)


def valid(form):
    """The form's cleaned data, or its errors as a ValidationError naming the fields (422)."""
    from django.core.exceptions import ValidationError

    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data

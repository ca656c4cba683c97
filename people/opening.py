"""The one way to open a person's record: access level, the reason when one is needed, the log.

Every page and API endpoint that shows a person's data goes through `open_record` (pages through
the `record_view` decorator), so that the rules of `people.access` and the access-log entry are
written once:

- someone who may not know the person exists gets 404 (`Http404`);
- someone outside their own cases first gives a reason (`ReasonRequired`; a page sends them to
  the reason form and back), and every read after that is logged with that reason;
- someone who may read but is asked to change gets 403;
- otherwise the read is logged (action READ, the record's type and id) and the person and the
  user's level are returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from audit.events import log_access
from audit.models import Action
from organisation.permissions import CASE_ROLES, Level
from organisation.roles import role_required
from people import access
from people.access import ReasonRequired
from people.models import Person, ReasonedAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["ReasonRequired", "open_record", "reason_in_force", "reason_redirect", "record_view"]


def reason_in_force(user: User, person_id: Any) -> str:
    """The reason the user gave to open this person, while it lasts; '' when none."""
    grant = (
        ReasonedAccess.objects.filter(user=user, person_id=person_id, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .values_list("reason", flat=True)
        .first()
    )
    return grant or ""


def open_record(
    user: User,
    person_id: Any,
    *,
    record_type: str = "person",
    record_id: Any = None,
    write: bool = False,
    log: bool = True,
) -> tuple[Person, Level]:
    """Check access to the person and log the read of one of their records (see module doc)."""
    person, level = access.get_person_for_user(user, person_id, write=write)
    if log:
        log_read(user, person.pk, level, record_type=record_type, record_id=record_id)
    return person, level


def log_read(
    user: User, person_id: Any, level: Level, *, record_type: str, record_id: Any = None
) -> None:
    """The access-log entry of a read, with the reason when the user read outside their cases."""
    reason = reason_in_force(user, person_id) if level < Level.WRITE else ""
    log_access(
        user=user,
        person=person_id,
        action=Action.READ,
        record_type=record_type,
        record_id=record_id if record_id is not None else person_id,
        reason=reason,
    )


def reason_redirect(person: Person, back_to: str) -> HttpResponse:
    """To the reason form; once a reason is given, the user comes back to the page asked for."""
    return redirect(f"{reverse('people:reason', args=[person.pk])}?{urlencode({'next': back_to})}")


Loader = Callable[[Any], tuple[Any, Any]]


def record_view(
    load: Loader,
    *,
    record_type: str,
    roles: Iterable[str] = CASE_ROLES,
    write: bool = False,
    log: bool = True,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page about one record of a person: `load(pk) -> (record, person_id)`, then
    `open_record`; the view gets `(request, record, person, ...)` and `request.access_level`.

    Every request is logged as a read, whatever its method: a form that is posted back shows
    the record again.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @role_required(*roles)
        @wraps(view)
        def wrapped(request: HttpRequest, pk: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            record, person_id = load(pk)
            user = cast("User", request.user)  # role_required let only a signed-in user through
            try:
                person, level = access.get_person_for_user(user, person_id, write=write)
            except ReasonRequired as required:
                return reason_redirect(required.person, request.get_full_path())
            if log:
                log_read(user, person.pk, level, record_type=record_type, record_id=pk)
            request.access_level = level  # type: ignore[attr-defined]
            return view(request, record, person, *args, **kwargs)

        return wrapped

    return decorator

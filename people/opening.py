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

from audit.events import log_access, read_logged, remember_reason, remembered_reason
from audit.models import Action
from organisation.permissions import CASE_ROLES, Level
from organisation.roles import role_required
from people import access
from people.access import ReasonRequired
from people.models import Person, ReasonedAccess
from submissions.resend import not_a_result

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "ReasonRequired",
    "log_read",
    "open_for_page",
    "open_record",
    "person_view",
    "reason_in_force",
    "reason_redirect",
    "record_view",
]


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
    """Check access to the person and log the read of one of their records (see module doc).

    With `log=False` the caller logs what it shows itself (a list of records, an export); the
    reason in force is still remembered for the request, so those entries carry it too.
    """
    person, level = access.get_person_for_user(user, person_id, write=write)
    reason = _remember_reason(user, person.pk, level)
    if log:
        _log_read(user, person.pk, reason, record_type=record_type, record_id=record_id)
    return person, level


def _remember_reason(user: User, person_id: Any, level: Level) -> str:
    """Outside their own cases, the reason the user gave: looked up once when the record is
    opened, and remembered so that every read logged in this request carries it."""
    if level >= Level.WRITE:
        return ""
    reason = reason_in_force(user, person_id)
    remember_reason(user.pk, person_id, reason)
    return reason


def log_read(
    user: User, person_id: Any, level: Level, *, record_type: str, record_id: Any = None
) -> None:
    """The access-log entry of a read, with the reason when the user read outside their cases.

    The reason remembered when the record was opened in this request is used; otherwise (a
    record opened by its own loader, or no request) it is looked up.
    """
    reason = ""
    if level < Level.WRITE:
        reason = remembered_reason(user.pk, person_id) or reason_in_force(user, person_id)
    _log_read(user, person_id, reason, record_type=record_type, record_id=record_id)


def _log_read(
    user: User, person_id: Any, reason: str, *, record_type: str, record_id: Any = None
) -> None:
    log_access(
        user=user,
        person=person_id,
        action=Action.READ,
        record_type=record_type,
        record_id=record_id if record_id is not None else person_id,
        reason=reason,
    )


def reason_redirect(person: Person, back_to: str) -> HttpResponse:
    """To the reason form; once a reason is given, the user comes back to the page asked for.
    A form sent here was not handled: its token stays unused (`submissions.resend`)."""
    url = f"{reverse('people:reason', args=[person.pk])}?{urlencode({'next': back_to})}"
    return not_a_result(redirect(url))


Loader = Callable[[Any], tuple[Any, Any]]
# `check(user, pk, write=...) -> (record, level)`: a record with rules of its own beyond its
# person's (an intake before it is linked to a person); it raises Http404, ReasonRequired or
# PermissionDenied as `people.access.get_person_for_user` does.
Checker = Callable[..., tuple[Any, Level]]


def open_for_page(
    request: HttpRequest,
    person_id: Any,
    *,
    record_type: str = "person",
    record_id: Any = None,
    write: bool = False,
    log: bool = True,
) -> tuple[Person, Level] | HttpResponse:
    """`open_record` for a page: the person and the level (also set as `request.access_level`),
    or the redirect to the reason form, which brings the user back to this page."""
    user = cast("User", request.user)  # a page behind role_required: a signed-in user
    try:
        person, level = open_record(
            user,
            person_id,
            record_type=record_type,
            record_id=record_id,
            write=write,
            log=log,
        )
    except ReasonRequired as required:
        return reason_redirect(required.person, request.get_full_path())
    request.access_level = level  # type: ignore[attr-defined]
    return person, level


def record_view(
    load: Loader | None = None,
    *,
    record_type: str,
    roles: Iterable[str] = CASE_ROLES,
    write: bool = False,
    check: Checker | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page about one record of a person: `load(pk) -> (record, person_id)`, then the person
    is opened as `open_record` does; the view gets `(request, record, person, ...)` and
    `request.access_level`.

    A record whose access is not simply its person's gives `check` instead of `load`; the view
    then gets the record's `person` (None while the record has none).

    Logging: every page that shows the person (answers 200, whatever the method: a form posted
    back shows the record again) leaves at least one read entry. A view may log what it shows
    in detail itself; if it logged nothing about the person, the wrapper logs the record read.
    Every read logged during the request carries the reason in force, whoever logs it.
    """
    if (load is None) == (check is None):
        raise TypeError("record_view needs either load or check")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @role_required(*roles)
        @wraps(view)
        def wrapped(request: HttpRequest, pk: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            user = cast("User", request.user)  # role_required let only a signed-in user through
            try:
                if check is not None:
                    record, level = check(user, pk, write=write)
                    person = getattr(record, "person", None)
                    if person is not None:
                        _remember_reason(user, person.pk, level)
                else:
                    assert load is not None  # record_view refused a missing load above
                    record, person_id = load(pk)
                    person, level = open_record(user, person_id, write=write, log=False)
            except ReasonRequired as required:
                return reason_redirect(required.person, request.get_full_path())
            request.access_level = level  # type: ignore[attr-defined]
            response = view(request, record, person, *args, **kwargs)
            # A record without a person yet (an unidentified intake) is logged as a read too.
            person_id = person.pk if person is not None else None
            ensure_read_logged(request, person_id, level, record_type, pk, response)
            return response

        return wrapped

    return decorator


def ensure_read_logged(
    request: HttpRequest,
    person_id: Any,
    level: Level,
    record_type: str,
    record_id: Any,
    response: HttpResponse,
) -> None:
    """A page that showed a person (200) and logged nothing about them logs the record read."""
    user = cast("User", request.user)  # called by record_view, behind role_required
    if response.status_code == 200 and not read_logged(user.pk, person_id):
        log_read(user, person_id, level, record_type=record_type, record_id=record_id)


def person_view(
    *,
    write: bool = False,
    roles: Iterable[str] = CASE_ROLES,
    record_type: str = "person",
    merged_to: str = "people:detail",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page keyed by the person's own pk: `record_view` of the person record itself; the view
    gets `(request, person, ...)`. A merged-away record sends the user to the one it points to
    (the page named `merged_to`). Logged as `record_view` logs."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @record_view(_the_person, record_type=record_type, roles=roles, write=write)
        @wraps(view)
        def wrapped(
            request: HttpRequest, _record: None, person: Person, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if person.merged_into_id:
                return not_a_result(redirect(merged_to, pk=person.merged_into_id))
            return view(request, person, *args, **kwargs)

        return wrapped

    return decorator


def _the_person(pk: Any) -> tuple[None, Any]:
    return None, pk

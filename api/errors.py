"""Every refusal as JSON `{"detail": ..., "field"?: ...}` with the status the UI's rule implies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from core.concurrency import RemovedMeanwhile, StaleEdit
from people.access import ReasonRequired


class Error(Schema):
    detail: str
    field: str | None = None
    reason_required: bool | None = None


def responses(ok: dict, *codes: int) -> dict:
    """The documented answers of an endpoint: its successes, then the errors it may give."""
    result = dict(ok)
    for code in (400, 401, 403, 404, 422, *codes):
        result[code] = Error
    return result


def _error(api, request, status: int, detail: str, **extra):
    body = {"detail": detail, **{k: v for k, v in extra.items() if v is not None}}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _first_field(error: DjangoValidationError) -> tuple[str | None, str]:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        messages = [m for e in errors for m in e.messages]
        return (None if field == "__all__" else field), " ".join(messages)
    return None, " ".join(error.messages)


def _ninja_field(error: NinjaValidationError) -> tuple[str | None, str]:
    first = error.errors[0] if error.errors else {}
    # loc is e.g. ("body", "payload", "reason") or ("query", "q"): the last part names the field.
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "payload")]
    field = ".".join(loc[1:] if loc and loc[0] in ("query", "path") else loc) or None
    return field, pydantic_message(first, field)


# Pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/), said in
# the user's language, as the forms' own messages are; each names the field.
_DATE = gettext_lazy("%(field)s: enter a valid date, for example 2026-03-05.")
_DATETIME = gettext_lazy(
    "%(field)s: enter a valid date and time, for example 2026-03-05T14:30:00+01:00."
)
_WHOLE = gettext_lazy("%(field)s: enter a whole number.")
_NUMBER = gettext_lazy("%(field)s: enter a number.")
_OBJECT = gettext_lazy("%(field)s: send an object ({...}).")
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("%(field)s is required."),
    **dict.fromkeys(
        ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"),
        _DATE,
    ),
    **dict.fromkeys(
        (
            "datetime_parsing",
            "datetime_from_date_parsing",
            "datetime_type",
            "datetime_object_invalid",
        ),
        _DATETIME,
    ),
    **dict.fromkeys(
        ("time_parsing", "time_type"),
        gettext_lazy("%(field)s: enter a valid time, for example 14:30."),
    ),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float", "int_parsing_size"), _WHOLE),
    **dict.fromkeys(("float_parsing", "float_type", "decimal_parsing", "decimal_type"), _NUMBER),
    **dict.fromkeys(("bool_parsing", "bool_type"), gettext_lazy("%(field)s: enter true or false.")),
    "string_type": gettext_lazy("%(field)s: enter text, in quotes."),
    "string_too_long": gettext_lazy("%(field)s: at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("%(field)s: at least %(min_length)s characters."),
    **dict.fromkeys(
        ("uuid_parsing", "uuid_type", "uuid_version"),
        gettext_lazy("%(field)s: enter a valid id (a UUID)."),
    ),
    "list_type": gettext_lazy("%(field)s: send a list ([...])."),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), _OBJECT),
    "greater_than": gettext_lazy("%(field)s: must be greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("%(field)s: must be at least %(ge)s."),
    "less_than": gettext_lazy("%(field)s: must be less than %(lt)s."),
    "less_than_equal": gettext_lazy("%(field)s: must be at most %(le)s."),
    **dict.fromkeys(
        ("enum", "literal_error"), gettext_lazy("%(field)s: choose one of %(expected)s.")
    ),
    "extra_forbidden": gettext_lazy("%(field)s is not a field here."),
}
UNKNOWN_ERROR = gettext_lazy("%(field)s: the value is not valid.")


def pydantic_message(error: dict, field: str | None) -> str:
    """The error pydantic found, in the active language, naming the field (or the body)."""
    template = PYDANTIC_MESSAGES.get(str(error.get("type", "")), UNKNOWN_ERROR)
    values = {str(k): v for k, v in (error.get("ctx") or {}).items()}
    values["field"] = field or _("The request body")
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):  # a context pydantic did not give: say it plainly
        return str(UNKNOWN_ERROR) % {"field": values["field"]}


def install_handlers(api) -> None:
    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return _error(api, request, 401, _("Authentication required: send a valid token."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return _error(api, request, 403, str(exc) or _("You may not do this."))

    @api.exception_handler(ReasonRequired)
    def reason_required(request, exc):
        return _error(
            api,
            request,
            403,
            _(
                "This person is outside your cases: give a reason first "
                "(POST /api/v1/people/%(id)s/reason)."
            )
            % {"id": exc.person.pk},
            reason_required=True,
        )

    @api.exception_handler(StaleEdit)
    @api.exception_handler(RemovedMeanwhile)
    def conflict(request, exc):
        # The same refusal as on the pages' edit forms (core.concurrency), as a 409.
        return _error(
            api,
            request,
            409,
            _(
                "The record has changed since you read it: read it again and resend with the "
                "new version. Nothing was changed."
            ),
            field="version",
        )

    @api.exception_handler(DjangoValidationError)
    def invalid(request, exc):
        field, detail = _first_field(exc)
        return _error(api, request, 422, detail, field=field)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc):
        field, detail = _ninja_field(exc)
        return _error(api, request, 422, detail, field=field)

    @api.exception_handler(DataError)
    def unstorable(request, exc):
        # The database refused a value the forms let through (e.g. a NUL character in JSON).
        return _error(api, request, 422, _("A value contains characters that cannot be stored."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return _error(api, request, exc.status_code, str(exc))

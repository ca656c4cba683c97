"""Small pieces every journey view shares: bind on POST, show an action's refusal, log a read."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError

from audit.events import log_access
from audit.models import Action


def posted(request):
    """The posted data, or None for a GET: an empty POST still binds (and fails) the form."""
    return request.POST if request.method == "POST" else None


def add_action_errors(form, error: ValidationError) -> None:
    """Show an action's refusal on the form, next to the field it concerns."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def log_read(request, person_id, record_type: str, record_id) -> None:
    """Obsolete: use `people.opening.log_read` (logs the reason in force). Kept only while
    instruments/views.py imports it; delete it and the audit imports above with that import."""
    log_access(
        user=request.user,
        person=person_id,
        action=Action.READ,
        record_type=record_type,
        record_id=record_id,
    )


@contextmanager
def refusal_shown_on(form):
    """Run an action; if it refuses (ValidationError), show why on the form and carry on.

    Statements after the action in the block run only when it succeeded, so the usual shape is:
    `with refusal_shown_on(form): act(...); messages.success(...); return redirect(...)`, and the
    form page is rendered after the block when the action was refused.
    """
    try:
        yield
    except ValidationError as error:
        add_action_errors(form, error)

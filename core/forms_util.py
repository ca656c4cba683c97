"""Small pieces every journey view shares: bind on POST, show an action's refusal."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from core.concurrency import StaleEdit


def posted(request):
    """The posted data, or None for a GET: an empty POST still binds (and fails) the form."""
    return request.POST if request.method == "POST" else None


def required_by_the_action(form, *names: str) -> None:
    """Show fields the action insists on as required: the marker by the label and `required` on
    the control. The form leaves them optional, so that all of the action's reasons reach the
    user at once, in its own words (the pages' forms are `novalidate`: the browser does not stop
    the sending either)."""
    for name in names:
        form.fields[name].widget.attrs["required"] = True


def add_action_errors(form, error: ValidationError) -> None:
    """Show an action's refusal on the form, next to the field it concerns; a stale save is
    shown with the record's new version, so that saving again succeeds."""
    if isinstance(error, StaleEdit) and hasattr(form, "show_stale"):
        form.show_stale(error)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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


def _required_when(*labels) -> str:
    if len(labels) == 1:
        return _("Required when “%(choice)s” is chosen.") % {"choice": labels[0]}
    return _("Required when “%(first)s” or “%(second)s” is chosen.") % {
        "first": labels[0],
        "second": labels[1],
    }


# A hint that names the choices as the form shows them (their labels, in the user's language),
# never a paraphrase that can drift from them ("annat" for a choice shown as "Övrigt").
required_when_chosen = lazy(_required_when, str)

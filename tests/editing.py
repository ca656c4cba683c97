"""Two staff editing the same record: each opens the edit page and posts the form as shown."""

from __future__ import annotations

from django import forms
from django.test import Client


def client_of(user) -> Client:
    client = Client()
    client.force_login(user, backend="organisation.auth.BryggaModelBackend")
    return client


def posted_as_shown(response, **changes) -> dict:
    """What a browser posts from the form on this page (hidden version included), with the
    user's changes typed in."""
    return posted_from([response.context["form"]], **changes)


def posted_from(forms_shown, **changes) -> dict:
    """The same for a page of several forms (changes named by their prefixed names)."""
    data = {}
    for form in forms_shown:
        for field in form:
            value = _as_posted(field)
            if value is not None:
                data[field.html_name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _as_posted(field) -> str | None:
    widget, value = field.field.widget, field.value()
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    shown = widget.format_value(value)
    if isinstance(shown, list):
        return shown[0] if shown else ""
    return "" if shown is None else str(shown)


def shown_value(response, name: str, form=None) -> str | None:
    """The value the re-shown form holds for a field, as the browser would post it."""
    return _as_posted((form or response.context["form"])[name])

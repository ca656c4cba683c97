"""Widgets for long lists of choices."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


class QuickSelect(forms.Select):
    """A `<select>` written out directly rather than through a template per option: the staff of
    a large provider are well over a thousand options, which took half a second to render.
    Flat choices only (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}</select>')  # noqa: S308


class SearchSelect(QuickSelect):
    """A `<select>` of the choices that match a search, followed by the search field and its
    button: for lists too long to write out in full (the coordinators of a large provider,
    over a thousand). Works without JavaScript: the button sends the form back, and the page
    returns with the matches; what was already chosen stays chosen.

    The view sets the choices (the matches, at most a page of them), `query` (the search
    shown in the field) and `cut` (there were more matches than shown). The search field is
    named after the field with `_q` appended; the button sends `find=<field name>`."""

    def __init__(self, attrs=None, choices=()) -> None:
        super().__init__(attrs, choices)
        self.query = ""
        self.cut = False

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or f"id_{name}"
        search_id = f"{field_id}_q"
        note_id = f"{field_id}_shown"
        note = ""
        if self.cut:
            text = _("Only the first matches are listed: search by name to find others.")
            note = f'<p class="help" id="{note_id}">{escape(str(text))}</p>'
        described = f' aria-describedby="{note_id}"' if self.cut else ""
        label = escape(str(_("Search by name")))
        search = (
            f'<div class="search-choice"><label for="{search_id}">{label}</label> '
            f'<input type="search" name="{escape(name)}_q" id="{search_id}" '
            f'value="{escape(self.query)}"{described}> <button type="submit" name="find" '
            f'value="{escape(name)}">{escape(str(_("Search")))}</button></div>'
        )
        return mark_safe(f"{select}{note}{search}")  # noqa: S308

"""Widgets for long lists of choices."""

from __future__ import annotations

from html import escape
from typing import cast

from django import forms
from django.db.models import Case, Q, QuerySet, Value, When
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
    shown in the field) and `cut` (there were more matches than shown), for users through
    `offer_matches`. The search field is
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


# How many matches a SearchSelect lists.
SEARCH_LISTED = 50


def matching_users(users: QuerySet, search: str, chosen: int | None, limit: int) -> list:
    """At most `limit` of `users` whose name or username holds every word of `search` (all of
    them when it is empty), in the queryset's order; the one `chosen` first whatever the
    search, so that a choice made stays listed. One query."""
    words = search.split()[:4]
    if words:
        matches = Q()
        for word in words:
            matches &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
            )
        users = users.filter(matches | Q(pk=chosen) if chosen else matches)
    if chosen:
        first = Case(When(pk=chosen, then=Value(0)), default=Value(1))
        users = users.annotate(not_chosen=first).order_by("not_chosen", *users.query.order_by)
    return list(users[:limit])


def offer_matches(form: forms.Form, name: str, values, listed: int = SEARCH_LISTED) -> None:
    """List in the SearchSelect `name` the users of its field's queryset (what a choice is
    checked against) that match the search sent in `values` (`<name>_q`): at most `listed`,
    the one chosen first. One query, whatever the number of users."""
    search = values.get(f"{name}_q", "")[:100].strip()
    users = cast(forms.ModelChoiceField, form.fields[name]).queryset
    assert users is not None, f"{name}: the form sets the field's queryset"
    found = matching_users(users, search, chosen_id(values, name), listed + 1)
    offer(form, name, found[:listed], query=search, cut=len(found) > listed)


def offer(form: forms.Form, name: str, users: list, *, query: str, cut: bool) -> None:
    """List `users` in the SearchSelect `name`, with the search that found them."""
    field = cast(forms.ModelChoiceField, form.fields[name])
    widget = cast(SearchSelect, field.widget)
    widget.choices = [
        ("", field.empty_label or ""),
        *[(user.pk, field.label_from_instance(user)) for user in users],
    ]
    widget.query, widget.cut = query, cut


def chosen_id(values, name: str) -> int | None:
    """The id sent in `name`, None when there is none (or it is not a number)."""
    try:
        return int(values.get(name) or 0) or None
    except ValueError:
        return None

"""Widgets for long lists of choices."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A `<select>` written out directly rather than through a template per option: the staff of
    a large provider are well over a thousand options, which took a second to render."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            (str(option["value"]), flatatt(option["attrs"]), option["label"])
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import SearchSelect

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class StaffChoiceField(forms.ModelChoiceField):
    """Staff by name, as people know each other; the username only when no name is recorded."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class LogFilterForm(forms.Form):
    # The person comes from a link on the person page, never from a list of every name.
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # The staff of the manager's units (what a choice is checked against); the select lists
    # only those the view offers, at most a page of them with a search (core.widgets).
    user: forms.ModelChoiceField[User] = StaffChoiceField(
        label=_("Staff member"), queryset=None, required=False, widget=SearchSelect
    )
    only_reasons = forms.BooleanField(label=_("Only accesses with a reason"), required=False)

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        from audit.views import staff_for_manager

        self.fields["user"].queryset = staff_for_manager(manager)

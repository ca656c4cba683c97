"""Forms parse input; the rules live in retention.actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retention.models import Requester

if TYPE_CHECKING:
    from people.models import Case


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or number"), max_length=100, required=False)


class ExtractForm(forms.Form):
    requested_by = forms.ChoiceField(
        label=_("Who asked"), choices=Requester.choices, widget=forms.RadioSelect
    )
    requester_name = forms.CharField(
        label=_("Name of who asked"),
        max_length=200,
        required=False,
        help_text=_("Needed when someone other than the person asked."),
    )
    requested_on = forms.DateField(
        label=_("Request received"),
        widget=DateInput,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The request cannot have been received in the future."))
        return day

    def clean(self):
        data = super().clean()
        if (
            data.get("requested_by") not in (None, Requester.PERSON)
            and not (data.get("requester_name") or "").strip()
        ):
            self.add_error(
                "requester_name", _("Give the name of whoever asked on the person's behalf.")
            )
        return data


class ExceptionForm(forms.Form):
    case: forms.ModelChoiceField[Case] = forms.ModelChoiceField(
        label=_("Case"), queryset=None, empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason for keeping the records"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "For example an ongoing appeal, a claim for damages or a request from an archive "
            "authority. The reason is logged."
        ),
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda case: str(case)

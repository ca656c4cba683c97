"""Forms for the provider's pages. The rules live in the actions; forms only parse."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import known
from core.forms_util import required_when_chosen
from core.widgets import SearchSelect
from decisions.forms import EndingFields
from provision.models import ClosureReason, FollowUpStatus, Isolation, Occupation


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AcceptForm(forms.Form):
    coordinator = UserChoiceField(queryset=None, label=_("Coordinator"))
    second_coordinator = UserChoiceField(
        queryset=None, label=_("Second coordinator"), required=False
    )
    confirm_beyond_ceiling = forms.BooleanField(
        label=_("I confirm the assignment beyond the caseload ceiling (manager)"), required=False
    )

    def __init__(self, *args, coordinators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["coordinator"]).queryset = coordinators
        cast(forms.ModelChoiceField, self.fields["second_coordinator"]).queryset = coordinators


class LeaverForm(forms.Form):
    """Whose cases are to move: what the reassignment page asks first (a search in the
    address, nothing posted)."""

    from_user = UserChoiceField(queryset=None, label=_("Move cases from"), widget=SearchSelect)

    def __init__(self, *args, coordinators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["from_user"]).queryset = coordinators


class ReassignForm(forms.Form):
    from_user = UserChoiceField(queryset=None, label=_("Move cases from"), widget=SearchSelect)
    to_user = UserChoiceField(queryset=None, label=_("Move cases to"), widget=SearchSelect)
    cases = forms.MultipleChoiceField(
        label=_("Only these people (leave empty to move the whole caseload)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_beyond_ceiling = forms.BooleanField(
        label=_("I confirm the assignment beyond the caseload ceiling"), required=False
    )

    def __init__(self, *args, coordinators, cases, **kwargs) -> None:
        """`coordinators`: every coordinator who may be chosen (what a choice is checked
        against); the selects list only the matches the view offers (core.widgets)."""
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["from_user"]).queryset = coordinators
        cast(forms.ModelChoiceField, self.fields["to_user"]).queryset = coordinators
        cast(forms.ChoiceField, self.fields["cases"]).choices = cases


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closure"),
        choices=known(ClosureReason.choices),
        widget=forms.RadioSelect,
    )
    reason_text = forms.CharField(
        label=_("About the reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=required_when_chosen(ClosureReason.OTHER.label),
    )
    occupation = forms.ChoiceField(
        label=_("Occupation at closure"),
        choices=known(Occupation.choices),
        widget=forms.RadioSelect,
    )
    isolation = forms.ChoiceField(
        label=_("Isolation at closure"), choices=known(Isolation.choices), widget=forms.RadioSelect
    )
    follow_up_consent = forms.TypedChoiceField(
        label=_("Does the person consent to follow-up 6 and 12 months after closure?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, ending: bool = False, **kwargs) -> None:
        """`ending`: a decision runs past the closing and the one closing may end it, so the
        form also asks what the ending decision records."""
        super().__init__(*args, **kwargs)
        if ending:
            self.fields.update(EndingFields().fields)


class FollowUpRecordForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in FollowUpStatus.choices if c[0] != FollowUpStatus.PENDING],
        widget=forms.RadioSelect,
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"),
        choices=known(Occupation.choices),
        widget=forms.RadioSelect,
        required=False,
        help_text=required_when_chosen(FollowUpStatus.DONE.label),
    )
    isolation = forms.ChoiceField(
        label=_("Isolation"),
        choices=known(Isolation.choices),
        widget=forms.RadioSelect,
        required=False,
        help_text=required_when_chosen(FollowUpStatus.DONE.label),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseloadDateForm(forms.Form):
    """The capacity page's caseload on a past date (empty: today)."""

    on = forms.DateField(
        label=_("Caseload on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A past date shows who was assigned which cases that day."),
    )

    def clean_on(self):
        import datetime

        from django.utils import timezone

        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if on and on < datetime.date(1990, 1, 1):
            raise forms.ValidationError(_("Give a date from 1990 onwards."))
        return on

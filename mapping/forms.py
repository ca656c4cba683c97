"""Forms parse input only; the rules (two staff, at most five sessions, who and why...) live in
mapping.actions. Fields the rules require are marked required here too, so the label says so,
with the action's own message, so the user reads one wording whichever catches it first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from mapping.models import Extent, InterruptedBy
from organisation.staff import staff_label
from people.models import CaseStatus

if TYPE_CHECKING:
    from intake.models import AssessmentTalk


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, case) -> str:
        return f"{case} – {case.authority_unit}"


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return staff_label(user)


class StartMappingForm(forms.Form):
    case = CaseChoiceField(label=_("Case"), queryset=None)
    started_on = forms.DateField(
        label=_("Start date"), widget=DateInput, initial=timezone.localdate
    )
    talk: forms.ModelChoiceField[AssessmentTalk] = forms.ModelChoiceField(
        label=_("Follows from the assessment talk"),
        queryset=None,
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        cases = person.cases.filter(status=CaseStatus.OPEN).select_related("authority_unit")
        self.fields["case"].queryset = cases
        if len(cases) == 1:
            # The usual situation: one open case, nothing to choose.
            self.fields["case"].empty_label = None
        self.fields["talk"].queryset = person.assessment_talks.order_by("-held_on")


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    staff = StaffChoiceField(
        label=_("Staff who led the session"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Two staff members lead each mapping session.")},
        help_text=_("Two staff members lead each mapping session."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates


EXTENT_CHOICES = [("", _("Not assessed")), *Extent.choices]


class NeedForm(VersionedForm, forms.Form):
    """One life area; the needs page shows one of these per active life area, with the area's
    recorded need (`record`) when there is one."""

    extent = forms.TypedChoiceField(
        label=_("Extent"),
        choices=EXTENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    record_fields = ("extent", "description")

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            kwargs.setdefault("initial", self.initial_for(record))
        super().__init__(*args, record=record, **kwargs)

    def initial_for(self, record) -> dict:
        return {"extent": record.extent, "description": record.description}

    def clean(self):
        data = super().clean()
        if data.get("extent") is None and (data.get("description") or "").strip():
            self.add_error(
                "extent", _("Choose the extent for this life area, or leave the description empty.")
            )
        return data

    @property
    def filled_in_and_changed(self) -> bool:
        return self.cleaned_data.get("extent") is not None and self.has_changed()


class InterruptForm(forms.Form):
    interrupted_by = forms.ChoiceField(
        label=_("Who chose to interrupt the mapping"),
        choices=InterruptedBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say who chose to interrupt the mapping.")},
    )
    interruption_reason = forms.CharField(
        label=_("Why the mapping was interrupted"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say why the mapping was interrupted.")},
    )


class CompleteForm(forms.Form):
    needs_account = forms.CharField(
        label=_("Account of needs"),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the account of needs.")},
        help_text=_("The person's needs as the mapping found them, in words the person can read."),
    )
    recommendation = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the recommendation.")},
        help_text=_("What the mapping recommends: support to apply for, or a referral elsewhere."),
    )

"""Forms for groups and meeting places. They parse input; the rules live in groups.actions."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from decisions.forms import DateInput
from groups.models import AGE_BANDS, Group, HeadCount, MeetingPlace, Weekday
from organisation.models import Unit, UnitKind
from organisation.staff import staff_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from people.models import Person


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class GroupForm(forms.ModelForm):
    weekday_choice = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Group
        fields = ["name", "unit", "start_time", "duration_minutes"]
        widgets = {"start_time": TimeInput}

    def __init__(self, *args, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=unit_ids, kind__in=[UnitKind.PROVIDER, UnitKind.TEAM], active=True
        )
        self.fields["unit"].empty_label = None
        self.order_fields(["name", "unit", "weekday_choice", "start_time", "duration_minutes"])

    def save(self, commit=True):
        self.instance.weekdays = "".join(
            str(d) for d in sorted(self.cleaned_data["weekday_choice"])
        )
        return super().save(commit)


class GenerateSessionsForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DateInput)
    end = forms.DateField(label=_("Last day"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["end"].initial = today + datetime.timedelta(days=27)


class StaffForm(forms.Form):
    staff: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Staff"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A group session is always led by two staff."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates
        self.fields["staff"].label_from_instance = staff_label


class AddParticipantForm(forms.Form):
    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        help_text=_(
            "Only people in your cases with a granted decision in force now or starting later "
            "are listed."
        ),
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = eligible
        self.fields["person"].label_from_instance = lambda p: p.full_name


ATTENDANCE_CHOICES = [("", _("Not recorded")), ("1", _("Present")), ("0", _("Absent"))]


class AttendanceForm(forms.Form):
    """One radio group per participant the user may see."""

    def __init__(self, *args, people, current, **kwargs):
        super().__init__(*args, **kwargs)
        for person in people:
            present = current.get(person.pk)
            self.fields[f"p_{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial="" if present is None else ("1" if present else "0"),
            )
        self.people = {f"p_{person.pk}": person for person in people}

    def present(self) -> dict:
        return {
            self.people[name].pk: value == "1"
            for name, value in self.cleaned_data.items()
            if value in ("0", "1")
        }


class BoardDecisionForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = MeetingPlace
        fields = ["board_decision_reference", "board_decision_date"]
        widgets = {"board_decision_date": DateInput}
        help_texts = {
            "board_decision_reference": _("The board's minute or reference, e.g. SN 2025/123 § 45.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self._meta.fields:
            self.fields[name].required = True


class HeadCountForm(forms.Form):
    """The model's own fields, but a plain form: a second count for a day replaces the first."""

    def __init__(self, *args, place: MeetingPlace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                HeadCount,
                fields=["activity", "date", "count", *(name for name, _label in AGE_BANDS)],
                widgets={"date": DateInput},
                # django-stubs wants str here; Django takes a lazy translation as well.
                help_texts={"count": _("How many came. Never names: only numbers are kept.")},  # type: ignore[dict-item]
            )
        )
        cast(forms.ModelChoiceField, self.fields["activity"]).queryset = place.activities.filter(
            active=True
        )
        cast(forms.ModelChoiceField, self.fields["activity"]).empty_label = None
        self.fields["date"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        if data.get("count") is not None:
            HeadCount(count=data["count"], **self.bands()).clean()
        return data

    def bands(self) -> dict:
        return {name: self.cleaned_data.get(name) for name, _label in AGE_BANDS}

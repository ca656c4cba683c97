from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core import timefmt
from core.concurrency import VersionedForm
from delivery.models import (
    Goal,
    GoalReview,
    Homework,
    HomeworkResult,
    Note,
    Objection,
    Plan,
    ReviewOutcome,
    Visit,
    VisitKind,
    VisitStatus,
)
from organisation.models import LifeArea

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# What a follow-up at a visit records; "withdrawn" is only set when the case is closed.
FOLLOWED_UP = [c for c in HomeworkResult.choices if c[0] != HomeworkResult.WITHDRAWN]


class NoteForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["happened_on", "visit", "text"]
        widgets = {"happened_on": DATE, "text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = Visit.objects.filter(person=person).order_by("-planned_at")


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        labels = {"text": _("The correction")}


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["given_on", "text"]
        widgets = {"given_on": DATE}


class VisitForm(VersionedForm, forms.Form):
    """Plan a visit, or (with `record=visit`) change one: the date and time are two fields."""

    kind = forms.ChoiceField(
        label=capfirst(_("kind")), choices=VisitKind.choices, initial=VisitKind.VISIT
    )
    day = forms.DateField(label=capfirst(_("date")), widget=DATE)
    time = forms.TimeField(label=capfirst(_("time")), widget=TIME)
    place = forms.CharField(label=capfirst(_("place")), max_length=200)
    transport = forms.BooleanField(label=capfirst(_("transport arranged")), required=False)
    participants = forms.CharField(
        label=capfirst(_("participants")),
        max_length=300,
        required=False,
        help_text=_("For network contacts: who took part (roles, not only names)."),
    )
    status = forms.ChoiceField(
        label=capfirst(_("status")), choices=VisitStatus.choices, initial=VisitStatus.PLANNED
    )

    record_fields = ("kind", "planned_at", "place", "transport", "participants", "status")
    form_fields = {"planned_at": ("day", "time")}

    def __init__(self, *args, record: Visit | None = None, **kwargs):
        if record is not None:
            kwargs.setdefault("initial", self.initial_for(record))
        super().__init__(*args, record=record, **kwargs)

    def initial_for(self, record: Visit) -> dict:  # type: ignore[override]
        local = timefmt.local(record.planned_at)
        return {
            "day": local.date(),
            "time": local.time(),
            **{name: getattr(record, name) for name in self.record_fields if name != "planned_at"},
        }


class SeriesForm(forms.Form):
    start = forms.DateField(label=capfirst(_("first visit")), widget=DATE)
    time = forms.TimeField(label=capfirst(_("time")), widget=TIME)
    place = forms.CharField(label=capfirst(_("place")), max_length=200)
    transport = forms.BooleanField(label=capfirst(_("transport arranged")), required=False)
    weekly = forms.IntegerField(
        label=capfirst(_("visits every week")), min_value=0, max_value=52, initial=4
    )
    every_second = forms.IntegerField(
        label=capfirst(_("then visits every second week")), min_value=0, max_value=26, initial=4
    )
    every_third = forms.IntegerField(
        label=capfirst(_("then visits every third week")), min_value=0, max_value=18, initial=4
    )

    def clean(self):
        data = super().clean()
        counts = [data.get(name) or 0 for name in ("weekly", "every_second", "every_third")]
        if not sum(counts):
            raise forms.ValidationError(_("Plan at least one visit."))
        return data

    def steps(self) -> list[tuple[int, int]]:
        data = self.cleaned_data
        return [(data["weekly"], 1), (data["every_second"], 2), (data["every_third"], 3)]


class HomeworkForm(forms.ModelForm):
    class Meta:
        model = Homework
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class FollowUpForm(VersionedForm, forms.Form):
    """The homework's result (with `record=homework`; a second follow-up changes it)."""

    result = forms.ChoiceField(
        label=capfirst(_("result")), choices=FOLLOWED_UP, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=capfirst(_("comment")), required=False, widget=forms.Textarea)

    record_fields = ("result", "comment")

    def __init__(self, *args, record: Homework | None = None, **kwargs):
        if record is not None:
            kwargs.setdefault("initial", self.initial_for(record))
        super().__init__(*args, record=record, **kwargs)

    def initial_for(self, record: Homework) -> dict:  # type: ignore[override]
        return {"result": record.result, "comment": record.comment}


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["visit_frequency", "agreed_on", "agreed_how", "next_follow_up"]
        widgets = {"agreed_on": DATE, "next_follow_up": DATE}


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["parent", "life_area", "text", "what", "how", "when", "by_whom"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "what": forms.Textarea(attrs={"rows": 2}),
            "how": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = plan.goals.filter(parent__isnull=True)
        self.fields["life_area"].queryset = LifeArea.objects.filter(active=True)


class GoalReviewForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = GoalReview
        fields = ["reviewed_on", "outcome", "comment"]
        widgets = {"reviewed_on": DATE}

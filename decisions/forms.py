"""Forms for the authority's pages. They parse input; the rules live in decisions.actions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from decisions.models import (
    Appeal,
    AppealStatus,
    Application,
    Decision,
    DecisionKind,
    Judgment,
    LegalBasis,
    LetterDelivery,
    Outcome,
)
from organisation.models import SupportKind, Unit
from organisation.permissions import AUTHORITY_ROLES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["support_kind", "applied_on", "form", "what"]
        widgets = {
            "applied_on": DateInput,
            "form": forms.RadioSelect,
            "what": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "support_kind": _(
                "Only support that needs a decision is applied for. Meeting places and the "
                "support group need none: record a referral instead."
            ),
            "what": _("In the person's own words where possible."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_kind"].queryset = SupportKind.objects.filter(
            active=True, needs_decision=True
        )
        self.fields["support_kind"].empty_label = None
        self.fields["form"].choices = self.fields["form"].choices[1:]  # no blank radio
        self.fields["applied_on"].initial = timezone.localdate


class CommunicationForm(VersionedForm, forms.ModelForm):
    """FL 25 §: what the person was given, how, by when to respond, and the response."""

    class Meta:
        model = Application
        fields = [
            "communicated_on",
            "communication_method",
            "response_by",
            "communication_response",
            "communication_exemption",
        ]
        widgets = {
            "communicated_on": DateInput,
            "response_by": DateInput,
            "communication_response": forms.Textarea(attrs={"rows": 4}),
            "communication_exemption": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "communication_method": _("For example by letter, at a meeting or by phone."),
            "communication_response": _("What the person said, or that they did not respond."),
        }

    def clean(self):
        data = super().clean()
        if not data.get("communicated_on") and not data.get("communication_exemption", "").strip():
            self.add_error(
                "communicated_on",
                _("Give the date the material was communicated, or why it was not."),
            )
        if data.get("communicated_on") and not data.get("communication_method", "").strip():
            self.add_error("communication_method", _("Say how the material was communicated."))
        return data


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} ({obj.decided_on:%Y-%m-%d}, {obj.get_outcome_display().lower()})"


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        # Ending a support early has its own page (decisions.ending).
        choices=[c for c in Outcome.choices if c[0] != Outcome.ENDED],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind of decision"),
        choices=[c for c in DecisionKind.choices if c[0] != DecisionKind.ENDING],
        initial=DecisionKind.NEW,
        widget=forms.RadioSelect,
    )
    replaces = DecisionChoiceField(
        label=_("Refers to the earlier decision"),
        queryset=Decision.objects.none(),
        required=False,
        empty_label=_("None: a first decision"),
        help_text=_("For a renewal, or a change or correction of an earlier decision."),
    )
    content = forms.CharField(
        label=_("The decision"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is granted or rejected, as it will read in the letter."),
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput)
    period_from = forms.DateField(label=_("Period from"), required=False, widget=DateInput)
    period_to = forms.DateField(label=_("Period to"), required=False, widget=DateInput)
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required for anything but a full grant (FL 32 §): which facts and rules the "
            "decision rests on."
        ),
    )
    goals = forms.CharField(
        label=_("Goals of the support"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Passed on to the provider with the order."),
    )
    presented_by = UserChoiceField(
        label=_("Presented by"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("No one presented the case"),
    )
    participants = forms.CharField(
        label=_("Others who took part"),
        max_length=300,
        required=False,
        help_text=_("Others who took part in the final handling (FL 31 §)."),
    )
    provider_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Provider"), queryset=None, required=False, empty_label=_("Choose a unit")
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        kind = application.support_kind
        cast(forms.ModelChoiceField, self.fields["replaces"]).queryset = Decision.objects.filter(
            person_id=application.person_id, support_kind=kind
        ).order_by("-decided_on", "-created_at")
        cast(forms.ModelChoiceField, self.fields["presented_by"]).queryset = _authority_staff(
            application
        )
        self.fields["decided_on"].initial = timezone.localdate
        today = LegalBasis.objects.cited_on(timezone.localdate())
        if today is not None:
            self.fields["decided_on"].help_text = _(
                "The letter cites the law in force on this date: for a decision today, %(basis)s."
            ) % {"basis": today.citation}
        providers = kind.provider_units.all()
        if len(providers) > 1:
            cast(forms.ModelChoiceField, self.fields["provider_unit"]).queryset = providers
            self.fields["provider_unit"].help_text = _(
                "Several units deliver this kind of support: choose the one that gets the order."
            )
        else:
            del self.fields["provider_unit"]

    def clean(self):
        data = super().clean()
        granted = data.get("outcome") in (Outcome.GRANT, Outcome.PARTIAL)
        if granted and "provider_unit" in self.fields and not data.get("provider_unit"):
            self.add_error("provider_unit", _("Choose the unit that will carry out the support."))
        return data


def _authority_staff(application: Application):
    """Officers and managers of the authority unit that holds the case."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit_id=application.case.authority_unit_id,
            memberships__role__in=AUTHORITY_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = LetterDelivery
        fields = ["method", "sent_on", "received_on"]
        widgets = {"method": forms.RadioSelect, "sent_on": DateInput, "received_on": DateInput}
        help_texts = {
            "received_on": _(
                "The appeal period runs from this date. Leave empty until it is known."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = self.fields["method"].choices[1:]
        self.fields["sent_on"].initial = timezone.localdate


class AppealForm(forms.ModelForm):
    class Meta:
        model = Appeal
        fields = [
            "received_on",
            "decision_received_on",
            "court_received_on",
            "instruction_missing_or_wrong",
            "content",
        ]
        widgets = {
            "received_on": DateInput,
            "decision_received_on": DateInput,
            "court_received_on": DateInput,
            "content": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        received = [d.received_on for d in decision.deliveries.all() if d.received_on]
        if received:
            self.fields["decision_received_on"].initial = min(received)
        self.fields["received_on"].initial = timezone.localdate


class AppealStepForm(forms.Form):
    """Move an appeal on. Only the steps open to this appeal are offered."""

    status = forms.ChoiceField(label=_("Next step"), widget=forms.RadioSelect)
    reconsideration_decision = DecisionChoiceField(
        label=_("The board's new decision"),
        queryset=Decision.objects.none(),
        required=False,
        help_text=_("Only for a reconsideration: the new decision that changes the appealed one."),
    )
    forwarded_on = forms.DateField(
        label=_("Forwarded to the court"), required=False, widget=DateInput
    )
    court = forms.CharField(label=_("Court"), max_length=200, required=False)
    judgment = forms.ChoiceField(label=_("Judgment"), required=False)
    judgment_on = forms.DateField(label=_("Judgment date"), required=False, widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, appeal: Appeal, steps: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AppealStatus.choices)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (step, labels[step]) for step in steps
        ]
        cast(
            forms.ModelChoiceField, self.fields["reconsideration_decision"]
        ).queryset = Decision.objects.filter(replaces_id=appeal.decision_id)
        cast(forms.ChoiceField, self.fields["judgment"]).choices = [
            ("", _("Choose the judgment")),
            *Judgment.choices,
        ]
        if AppealStatus.RECONSIDERED not in steps:
            del self.fields["reconsideration_decision"]
        if AppealStatus.FORWARDED not in steps:
            del self.fields["forwarded_on"], self.fields["court"]
        if AppealStatus.JUDGED not in steps:
            del self.fields["judgment"], self.fields["judgment_on"]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class EndingFields(forms.Form):
    """What an ending decision records (decisions.ending): whose wish, and why."""

    at_own_request = forms.TypedChoiceField(
        label=_("Does the support end at the person's own request?"),
        choices=[
            ("yes", _("Yes: the person has asked for it to end")),
            ("no", _("No: the board ends it (the person may appeal)")),
        ],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    ending_reasons = forms.CharField(
        label=_("Reasons for ending the support"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As they will read in the letter to the person (FL 32 §)."),
    )


class EndDecisionForm(EndingFields):
    ends_on = forms.DateField(
        label=_("Last day of the support"), widget=DateInput, initial=timezone.localdate
    )

    field_order = ["ends_on", "at_own_request", "ending_reasons"]

"""Forms parse input only; the rules (outcome and reason, two staff...) live in intake.actions,
so fields those rules check are optional here and the actions' messages reach the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.choices import known
from core.concurrency import VersionedForm
from core.forms_util import required_by_the_action, required_when_chosen
from intake.access import find_visible_person
from intake.models import (
    Answer,
    AssessmentTalk,
    Intake,
    IntakeNote,
    IntakeOutcome,
    ReferralOrigin,
    ReferralResult,
    Source,
    TalkOutcome,
    split_contact,
)
from organisation.models import Service, Unit
from people.identity import looks_like_identity_number, parse_identity_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from organisation.staff import staff_label

ANSWER_FIELDS = [
    "social_anxiety",
    "psychosis_signs",
    "substance_use",
    "person_knows",
    "person_agrees",
]
CHECK_FIELDS = ["check_adult", "check_resident", "check_isolated", "check_no_psychosis"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def active_services():
    return Service.objects.filter(active=True).order_by("name")


class PersonNumberField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("The person's personal identity number or reserve number"),
            max_length=20,
            **kwargs,
        )


def resolve_person(user, number: str):
    """The visible person with this number, or a ValidationError saying what to do instead:
    what is wrong with a mistyped personal number, or that nobody in the unit's cases has it."""
    if looks_like_identity_number(number):
        parse_identity_number(number)  # raises with the reason (check digit, date, length, ...)
    person = find_visible_person(user, number)
    if person is None:
        raise forms.ValidationError(
            _(
                "Nobody with that number is in your unit's cases. Register the person first, "
                "or leave the number empty and describe the person."
            )
        )
    return person


class IntakeForm(VersionedForm, forms.ModelForm):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Authority unit"), queryset=None
    )
    person_number = PersonNumberField(
        required=False,
        help_text=_("If the person is known: only people in your unit's cases can be chosen."),
    )

    class Meta:
        model = Intake
        fields = [
            "received_on",
            "channel",
            "source",
            "notifier_name",
            "notifier_contact",
            "notifier_relation",
            "person_description",
            "age",
            "residence",
            "isolation_duration",
            *ANSWER_FIELDS,
            "description",
            *CHECK_FIELDS,
            "callback_due",
        ]
        widgets = {
            "received_on": DateInput,
            "callback_due": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
            **{name: forms.RadioSelect for name in ANSWER_FIELDS + CHECK_FIELDS},
        }

    GROUPS = [
        (_("The contact"), ["unit", "received_on", "channel", "source"]),
        (_("Who got in touch"), ["notifier_name", "notifier_contact", "notifier_relation"]),
        (_("The person"), ["person_number", "person_description"]),
        (
            _("Overview"),
            ["age", "residence", "isolation_duration", *ANSWER_FIELDS, "description"],
        ),
        (_("Target group"), CHECK_FIELDS),
        (_("Call back"), ["callback_due"]),
    ]

    def __init__(self, *args, user, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["channel"].choices = known(self.fields["channel"].choices)
        if units is None or len(units) < 2:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        if self.instance.person_id:
            self.fields["person_number"].initial = self.instance.person.display_number

    # The person is chosen by number; an edit compares the person with the one it showed.
    form_fields = {"person": ("person_number",)}

    def versioned_fields(self) -> list[str]:
        return [*(self._meta.fields or []), "person"]

    def initial_for(self, record: Intake) -> dict:  # type: ignore[override]
        number = record.person.display_number if record.person is not None else ""
        return {**super().initial_for(record), "person_number": number}

    def groups(self) -> list[tuple[str | Promise, list]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.GROUPS
        ]

    def clean_person_number(self):
        number = self.cleaned_data["person_number"].strip()
        return resolve_person(self.user, number) if number else None

    def clean(self):
        data = super().clean()
        if not data.get("person_number") and not data.get("person_description", "").strip():
            self.add_error(
                "person_description",
                _("Give the person's number, or describe the person, e.g. a first name and age."),
            )
        return data

    def intake_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields or ()}
        data["person"] = self.cleaned_data["person_number"]
        return data


class LinkPersonForm(forms.Form):
    number = PersonNumberField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_number(self):
        return resolve_person(self.user, self.cleaned_data["number"])


class NoteForm(forms.ModelForm):
    class Meta:
        model = IntakeNote
        fields = ["happened_at", "channel", "text"]
        widgets = {"happened_at": DateTimeInput, "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = known(self.fields["channel"].choices)

    def clean_happened_at(self):
        happened_at = self.cleaned_data["happened_at"]
        if happened_at > timezone.now():
            raise forms.ValidationError(_("A note documents what has happened: not a future time."))
        return happened_at


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=IntakeOutcome.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Why the intake ends this way. Required for every outcome."),
    )
    referred_to: forms.ModelChoiceField[Service] = forms.ModelChoiceField(
        label=_("Referred to"),
        queryset=None,
        required=False,
        help_text=_("The service in the directory, when the person is referred elsewhere."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = active_services()
        required_by_the_action(self, "outcome", "reason")


class TalkForm(forms.ModelForm):
    staff: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Staff leading the talk"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two staff members lead an assessment talk."),
    )

    class Meta:
        model = AssessmentTalk
        fields = ["held_on", "place", "companions", "notes", "reflection_until"]
        widgets = {
            "held_on": DateInput,
            "reflection_until": DateInput,
            "place": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 6}),
        }

    field_order = ["held_on", "place", "staff", "companions", "notes", "reflection_until"]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates
        self.fields["staff"].label_from_instance = staff_label
        self.fields["place"].choices = self.fields["place"].choices[1:]  # no empty choice

    def clean(self):
        data = super().clean()
        held_on, until = data.get("held_on"), data.get("reflection_until")
        if held_on and until and until < held_on:
            self.add_error("reflection_until", _("The reflection period ends after the talk."))
        return data

    def talk_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class ConcludeTalkForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=TalkOutcome.choices, widget=forms.RadioSelect, required=False
    )
    outcome_reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=required_when_chosen(TalkOutcome.REFERRED.label, TalkOutcome.ENDED.label),
    )
    referred_to: forms.ModelChoiceField[Service] = forms.ModelChoiceField(
        label=_("Referred to"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = active_services()
        required_by_the_action(self, "outcome")


class ReferralForm(forms.Form):
    origin = forms.ChoiceField(label=_("From"), choices=ReferralOrigin.choices)
    service: forms.ModelChoiceField[Service] = forms.ModelChoiceField(
        label=_("To"), queryset=None, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = active_services()
        required_by_the_action(self, "service")


class ReferralResultForm(VersionedForm, forms.Form):
    result = forms.ChoiceField(
        label=_("What came of it"), choices=ReferralResult.choices, widget=forms.RadioSelect
    )
    result_noted_on = forms.DateField(
        label=_("Date"),
        widget=DateInput,
        help_text=_("When you learned what came of it."),
        error_messages={"required": _("Give the date you learned what came of the referral.")},
    )
    result_note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For example what the service said, or why the person did not start."),
    )

    record_fields = ("result", "result_noted_on", "result_note")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, record=record, initial=self.initial_for(record), **kwargs)

    def initial_for(self, record) -> dict:
        return {
            "result": record.result,
            "result_noted_on": record.result_noted_on or timezone.localdate(),
            "result_note": record.result_note,
        }


WRITER_CHOICES = [
    ("self", _("I am writing about myself")),
    ("relative", _("I am a relative or friend of the person")),
]
PUBLIC_ANSWERS = [(Answer.YES, _("Yes")), (Answer.NO, _("No")), (Answer.UNKNOWN, _("Don't know"))]


class PublicIntakeForm(forms.Form):
    """The public form: what a relative or the person can tell, in their own words."""

    writer = forms.ChoiceField(
        label=_("Who is writing?"),
        choices=WRITER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether you write about yourself or someone else.")},
    )
    relation = forms.CharField(
        label=_("Your relation to the person"),
        max_length=200,
        required=False,
        help_text=_("If you write about someone else, for example mother, brother or friend."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Give your name so that we know whom to contact.")},
    )
    phone = forms.CharField(label=_("Your phone number"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=200,
        required=False,
        error_messages={"invalid": _("Give an e-mail address like name@example.se.")},
    )
    person_name = forms.CharField(
        label=_("The person's first name"),
        max_length=200,
        required=False,
        help_text=_("If you write about someone else."),
    )
    age = forms.IntegerField(
        label=_("The person's age"),
        min_value=0,
        max_value=120,
        required=False,
        error_messages={
            "invalid": _("Give the age as a number of years, e.g. 24."),
            "min_value": _("Give the age as a number of years, e.g. 24."),
            "max_value": _("Give the age as a number of years, e.g. 24."),
        },
    )
    municipality = forms.CharField(
        label=_("Municipality where the person lives"), max_length=200, required=False
    )
    isolation_duration = forms.CharField(
        label=_("For how long has the person mostly stayed at home?"),
        max_length=200,
        required=False,
        help_text=_("For example: about two years."),
    )
    description = forms.CharField(
        label=_("Tell us about the situation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What is the person's everyday life like, and what would help? "
            "At most 5,000 characters."
        ),
        error_messages={
            "required": _("Tell us briefly about the situation, so that we can prepare."),
            "max_length": _(
                "Shorten the text to at most 5,000 characters; we will call you to hear more."
            ),
        },
    )
    person_knows = forms.ChoiceField(
        label=_("Does the person know that you contact us?"),
        choices=PUBLIC_ANSWERS,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Answer if you write about someone else."),
    )
    person_agrees = forms.ChoiceField(
        label=_("Does the person agree to the contact?"),
        choices=PUBLIC_ANSWERS,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Answer if you write about someone else."),
    )
    # A trap for bots: hidden from people and screen readers (see the template), filled by bots.
    website = forms.CharField(required=False, max_length=200)

    HONEYPOT = "website"

    def clean(self):
        data = super().clean()
        no_contact = not data.get("phone", "").strip() and not data.get("email")
        if no_contact and "email" not in self.errors:
            self.add_error(
                "phone",
                _("Give a phone number or an e-mail address so that we can contact you."),
            )
        return data

    @property
    def visible_fields_but_trap(self):
        return [field for field in self.visible_fields() if field.name != self.HONEYPOT]

    @classmethod
    def is_bot(cls, data) -> bool:
        return bool(data.get(cls.HONEYPOT, "").strip())

    def intake_data(self) -> dict:
        data = self.cleaned_data
        by_self = data["writer"] == "self"
        answer = Answer.YES if by_self else None
        return {
            "source": "self" if by_self else "relative",
            "notifier_name": data["name"],
            "notifier_contact": " / ".join(x for x in (data["phone"].strip(), data["email"]) if x),
            "notifier_relation": "" if by_self else data["relation"],
            "person_description": data["name"] if by_self else data["person_name"],
            "age": data["age"],
            "residence": data["municipality"],
            "isolation_duration": data["isolation_duration"],
            "description": data["description"],
            "person_knows": answer or data["person_knows"] or Answer.UNKNOWN,
            "person_agrees": answer or data["person_agrees"] or Answer.UNKNOWN,
        }


def person_initial(intake: Intake, number: str = "") -> dict:
    """What the intake knows of the person, to start their registration with: the name (the
    writer's own when they wrote about themselves), their phone and e-mail when it was the
    person who wrote, the place of residence, and a number already typed for this intake."""
    by_self = intake.source == Source.SELF
    name = (intake.notifier_name if by_self else intake.person_description).split(",")[0]
    first, _sep, last = name.strip().partition(" ")
    initial = {"first_name": first, "last_name": last.strip(), "city": intake.residence}
    if by_self:
        initial["phone"], initial["email"] = split_contact(intake.notifier_contact)
    if number:
        initial.update(identity="number", number=number)
    return {key: value for key, value in initial.items() if value}


def typed_number_key(intake: Intake) -> str:
    """Where a number typed while linking this intake waits (in the user's session, never in a
    URL or a log) for the registration form, so that nobody types it twice."""
    return f"intake-register-number-{intake.pk}"

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from core.timefmt import date_text
from people.identity import RESERVE, parse_identity_number, sex_from_number
from people.models import Contact, Person, Sex

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "sex",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "municipality",
    "protected_identity",
]


class DateInput(forms.DateInput):
    input_type = "date"


class PersonForm(forms.ModelForm):
    """Registration: a real number, or a reserve number when the identity is not yet known."""

    identity = forms.ChoiceField(
        label=_("Identity"),
        choices=[
            ("number", _("Personal identity number or coordination number")),
            (RESERVE, _("Not yet known: give a reserve number")),
        ],
        initial="number",
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Personal identity number or coordination number"),
        required=False,
        max_length=20,
        help_text=_("YYYYMMDD-NNNN or YYMMDD-NNNN; a plus sign for people aged 100 or more."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Not given: take it from the number")), *Sex.choices],
        help_text=_("What the person states stands; left empty, it is read from the number."),
    )
    confirm_new = forms.BooleanField(
        label=_("I have checked the possible matches: this is a different person"),
        required=False,
    )

    class Meta:
        model = Person
        fields = ["birth_date", *PERSON_FIELDS]
        widgets = {"birth_date": DateInput}
        help_texts = {
            "birth_date": _("Needed for a reserve number; taken from the number otherwise.")
        }

    def clean(self):
        data = super().clean()
        if data.get("identity") == RESERVE:
            birth_date = data.get("birth_date")
            if not birth_date:
                self.add_error("birth_date", _("Give the birth date when there is no number."))
            elif birth_date > timezone.localdate():
                self.add_error(
                    "birth_date",
                    ValidationError(_("The birth date lies in the future."), code="future"),
                )
            data["number_kind"] = RESERVE
            data["personal_number"] = None
            data["sex"] = data.get("sex") or Sex.OTHER
            return data
        try:
            parsed = parse_identity_number(data.get("number", ""))
        except ValidationError as error:
            self.add_error("number", error)
            return data
        if Person.objects.filter(personal_number=parsed.digits).exists():
            self.add_error(
                "number",
                ValidationError(
                    _("A person with this number is already registered. Search for them instead."),
                    code="duplicate",
                ),
            )
        data["personal_number"] = parsed.digits
        data["number_kind"] = parsed.kind
        data["birth_date"] = parsed.birth_date
        # What the person states stands ("X": not stated by choice); only a blank is filled in.
        data["sex"] = data.get("sex") or sex_from_number(parsed.digits)
        return data

    def person_data(self) -> dict:
        keys = ["personal_number", "number_kind", "birth_date", *PERSON_FIELDS]
        return {key: self.cleaned_data.get(key) for key in keys}


class PersonEditForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS


class ContactForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "kind",
            "name",
            "relation",
            "organisation",
            "phone",
            "email",
            "may_contact",
            "consent_note",
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this person's record?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": _("Give a reason: it is logged and shown to the unit manager."),
            "min_length": _("Describe the reason in at least 10 characters."),
        },
    )


class MergeForm(forms.Form):
    other_number = forms.CharField(
        label=_("Number of the other record (reserve number or personal identity number)"),
        max_length=20,
    )


class MergeChoicesForm(forms.Form):
    """The second step of a merge: per differing field which value to keep, per unit where both
    records have an open case which case continues, and the confirmation."""

    confirm = forms.BooleanField(
        label=_("I confirm that both records are the same person"),
        error_messages={"required": _("Confirm that both records are the same person.")},
    )

    def __init__(self, *args, differences, case_pairs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_fields = [row for row in differences if row.both]
        for row in self.chosen_fields:
            self.fields[f"field_{row.field}"] = forms.ChoiceField(
                label=row.label,
                choices=[("keep", row.keep_shown), ("other", row.other_shown)],
                initial="keep",
                required=False,  # not chosen: this record's value stays
                widget=forms.RadioSelect,
            )
        for pair in case_pairs:
            self.fields[f"case_{pair.unit_id}"] = forms.ChoiceField(
                label=_("Which case in %(unit)s continues?") % {"unit": pair.unit_name},
                choices=[(str(case.pk), case_label(case)) for case in pair.cases],
                initial=str(pair.default.pk),
                required=False,  # not chosen: the earlier opened case continues
                widget=forms.RadioSelect,
            )
        self.order_fields([*(name for name in self.fields if name != "confirm"), "confirm"])

    def take_from_other(self) -> list[str]:
        return [
            row.field
            for row in self.chosen_fields
            if self.cleaned_data[f"field_{row.field}"] == "other"
        ]

    def continuing_cases(self) -> dict[int, str]:
        prefix = "case_"
        return {
            int(name.removeprefix(prefix)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value
        }


def case_label(case) -> str:
    """A case as the merge offers it: when it opened, its provider team and its staff."""
    staff = ", ".join(
        f"{link.user.get_full_name() or link.user.get_username()} "
        f"({link.get_role_display().lower()})"
        for link in case.staff_links.all()
    )
    text = _("Opened %(date)s, record %(number)s") % {
        "date": date_text(case.opened_on),
        "number": case.person.display_number,
    }
    if case.provider_unit is not None:
        text += f"; {case.provider_unit.name}"
    return f"{text}; {staff}" if staff else str(text)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)

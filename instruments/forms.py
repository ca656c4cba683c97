"""Forms: the answer form built from a definition, and the staff forms around it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruments import definitions
from instruments.actions import (
    LINK_DAYS_DEFAULT,
    LINK_DAYS_MAX,
    home_link_definitions,
    home_link_refusal,
)
from instruments.models import Occasion

BOOLEAN_CHOICES = [("true", _("Yes")), ("false", _("No"))]


def field_name(item_id: str) -> str:
    return "q_" + re.sub(r"[^0-9A-Za-z]", "_", item_id)


def _label(item) -> str:
    return item.label


def _field_for(item) -> forms.Field:
    common: dict[str, Any] = {
        "label": _label(item),
        "required": False,
        "help_text": item.help or "",
    }
    if item.type == "choice":
        choices = [(str(opt.value), item.option_text(opt.value)) for opt in item.options]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if item.type == "integer":
        return forms.IntegerField(min_value=item.min, max_value=item.max, **common)
    if item.type == "decimal":
        return forms.DecimalField(min_value=item.min, max_value=item.max, **common)
    if item.type == "boolean":
        return forms.ChoiceField(choices=BOOLEAN_CHOICES, widget=forms.RadioSelect, **common)
    if item.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if item.type == "time":
        return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
    return forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), strip=True, **common
    )


class AnswersForm(forms.Form):
    """One field per answerable item; every field optional (the missing-answer rule decides)."""

    def __init__(self, data=None, *, definition, answers=None, **kwargs):
        self.definition = definition
        self.items = {field_name(item.id): item for item in definition.answerable_items()}
        initial = {field_name(k): _initial(v) for k, v in (answers or {}).items() if v is not None}
        super().__init__(data, initial=initial, **kwargs)
        for name, item in self.items.items():
            self.fields[name] = _field_for(item)

    def answers(self) -> dict:
        """The cleaned answers keyed by item id, typed as the definition's option values."""
        result = {}
        for name, item in self.items.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            result[item.id] = _typed(item, value)
        return result

    def add_item_errors(self, errors: dict) -> None:
        by_item = {item.id: name for name, item in self.items.items()}
        for item_id, messages in errors.items():
            self.add_error(by_item.get(item_id), messages)

    def blocks(self) -> list[dict]:
        """The items in document order: groups become fieldsets, display items text."""
        return list(_blocks(self, self.definition.items, 0))


def _blocks(form, items, depth):
    for item in items:
        if item.type == "group":
            yield {
                "kind": "group",
                "item": item,
                "depth": depth,
                "children": list(_blocks(form, item.items, depth + 1)),
            }
        elif item.type == "display":
            yield {"kind": "display", "item": item}
        else:
            yield {
                "kind": "field",
                "item": item,
                "field": form[field_name(item.id)],
                "conditions": _conditions(form.definition, item),
            }


def _conditions(defn, item) -> list[str]:
    texts = []
    for other_id, _op, value in item.enable_when:
        other = defn.item(other_id)
        if other is None:
            continue
        shown = other.option_text(value)
        texts.append(f"{other.label}: {shown}")
    return texts


def _initial(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _typed(item, value):
    if item.type == "choice":
        option = item.option(value)
        return option.value if option is not None else value
    if item.type == "boolean":
        return value == "true"
    if item.type == "decimal":
        return float(value)
    if item.type == "date":
        return value.isoformat()
    if item.type == "time":
        return value.strftime("%H:%M")
    return value


def instrument_choices() -> list[tuple[str, str]]:
    return [(d.code, d.title) for d in definitions.latest_all()]


class StartForm(forms.Form):
    code = forms.ChoiceField(label=_("Instrument"))
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices)
    administered_on = forms.DateField(
        label=_("Date of the rating"), widget=forms.DateInput(attrs={"type": "date"})
    )
    link = forms.ChoiceField(
        label=_("Given at"),
        required=False,
        help_text=_("Optional: the mapping session, visit or follow-up the rating belongs to."),
    )

    def __init__(self, data=None, *, link_choices=(), **kwargs):
        kwargs.setdefault("initial", {"administered_on": timezone.localdate()})
        super().__init__(data, **kwargs)
        self.fields["code"].choices = instrument_choices()
        self.fields["link"].choices = [("", _("Not tied to a meeting")), *link_choices]

    def clean_administered_on(self):
        day = self.cleaned_data["administered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class LinkInstrumentField(forms.ChoiceField):
    """The instruments a link may be sent for; one sent anyway is refused with its reason."""

    def validate(self, value):
        if value and not self.valid_value(value):
            try:
                refusal = home_link_refusal(definitions.load(value))
            except (definitions.UnknownDefinition, ValueError):
                refusal = None
            if refusal:
                raise forms.ValidationError(refusal, code="invalid_choice")
        super().validate(value)


class HomeLinkForm(forms.Form):
    code = LinkInstrumentField(label=_("Instrument"))
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=LINK_DAYS_MAX,
        initial=LINK_DAYS_DEFAULT,
    )
    link = forms.ChoiceField(label=_("Given at"), required=False)

    def __init__(self, data=None, *, link_choices=(), **kwargs):
        super().__init__(data, **kwargs)
        # Only what may be sent as a link is offered (the page names the others and why); the
        # action still refuses the rest, for the API and a hand-made POST.
        self.fields["code"].choices = [(d.code, d.title) for d in home_link_definitions()]
        self.fields["link"].choices = [("", _("Not tied to a meeting")), *link_choices]


class ResolveAlertForm(forms.Form):
    action_taken = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_(
            "For example: suicide-risk assessment made by whom and when, contact with "
            "psychiatry, agreed plan."
        ),
    )


class CompareForm(forms.Form):
    first = forms.ChoiceField(label=_("First date"))
    second = forms.ChoiceField(label=_("Second date"))

    def __init__(self, data=None, *, choices=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices

"""Optimistic concurrency: no edit silently undoes another one.

An edit form carries the version of the record it was opened at, and a fingerprint of each field
it showed (`VersionedForm`). The action that saves calls `claim` inside its transaction: a
conditional `UPDATE ... WHERE version = v` takes the next version, or, when someone else saved
meanwhile, refuses with `StaleEdit`, a ValidationError naming the fields that changed and the
values now saved. The form is then shown again with what the user changed kept, the fields they
did not touch showing the saved values, and the new version, so that saving again succeeds.

The API sends the same version (`Opened.parse`) to the same actions, so the pages and the API
compare versions in one place. Every action that changes a versioned record takes the next
version, through `claim` (with `None` when no form is involved).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

__all__ = ["Opened", "StaleEdit", "VersionedForm", "claim", "fingerprints"]

HIDDEN = ("version", "seen")
SHOWN_CHARS = 200
# A model instance with a `version` field (PositiveIntegerField, default 1).
Versioned = Any

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


@dataclass(frozen=True)
class Opened:
    """The version an edit started from, and a fingerprint of each field it showed."""

    version: int
    seen: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, version: Any, seen: str = "") -> Opened:
        """From a form's or the API's text; anything unreadable is simply stale."""
        try:
            number = int(str(version))
        except ValueError:
            number = 0
        pairs = (item.partition(":") for item in (seen or "").split(",") if item)
        return cls(version=number, seen={name: fp for name, _sep, fp in pairs})

    def encoded_seen(self) -> str:
        return ",".join(f"{name}:{fp}" for name, fp in self.seen.items())


def _normal(value: Any) -> str:
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = value.astimezone(datetime.UTC)
    return "" if value is None else str(value)


def _fingerprint(value: Any) -> str:
    # A short hash: the form carries no copy of the values, only whether they changed.
    return hashlib.sha256(_normal(value).encode()).hexdigest()[:10]


def _field(record: models.Model, name: str) -> models.Field:
    return cast(models.Field, record._meta.get_field(name))


def fingerprints(record: models.Model, names: Iterable[str]) -> dict[str, str]:
    """A fingerprint of each named field of the record as stored."""
    return {name: _fingerprint(getattr(record, _field(record, name).attname)) for name in names}


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    shown: str
    yours_too: bool


def _shown(record: models.Model, name: str) -> str:
    """The stored value as a user reads it."""
    model_field = _field(record, name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return _("(empty)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return str(getattr(record, name))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return Truncator(str(value)).chars(SHOWN_CHARS)


class StaleEdit(ValidationError):
    """Someone else saved the record after this edit was opened: nothing was changed."""

    def __init__(self, current: Versioned, opened: Opened, values: Mapping[str, Any]):
        self.current = current
        self.version = current.version
        stored = {f.name for f in current._meta.concrete_fields}
        self.seen = fingerprints(current, [name for name in opened.seen if name in stored])
        self.changes = [
            Change(
                name=name,
                label=str(capfirst(_field(current, name).verbose_name)),
                shown=_shown(current, name),
                yours_too=name in values and _fingerprint(values[name]) != seen,
            )
            for name, seen in opened.seen.items()
            if name in self.seen and self.seen[name] != seen
        ]
        super().__init__(self._message(), code="stale")

    def _message(self) -> str:
        if not self.changes:
            return _(
                "Someone else saved changes to this after you opened it. Check the form and "
                "save again."
            )
        listed = "; ".join(f"{change.label}: {change.shown}" for change in self.changes)
        return _(
            "Someone else saved changes after you opened this form. Now saved: %(changes)s. "
            "What you changed yourself is kept below: check it and save again."
        ) % {"changes": listed}


class RemovedMeanwhile(ValidationError):
    def __init__(self):
        super().__init__(_("Someone else removed this after you opened it."), code="removed")


def claim(
    record: Versioned, opened: Opened | None, values: Mapping[str, Any] | None = None
) -> None:
    """Inside the action's transaction, before it saves `record`: take the next version, or
    refuse a save based on an older one (`StaleEdit`, naming what changed meanwhile).

    `values` are what the action is about to write, so that a field changed both meanwhile and
    by this user can be told from one changed only meanwhile. `opened=None` is a change made
    without a form (a step of the journey, the import): it is counted, never refused.
    """
    manager = type(record)._base_manager
    rows = manager.filter(pk=record.pk)
    if opened is None:
        rows.update(version=F("version") + 1)
        record.version = rows.values_list("version", flat=True).get()
        return
    if rows.filter(version=opened.version).update(version=opened.version + 1):
        record.version = opened.version + 1
        return
    current = rows.first()
    if current is None:
        raise RemovedMeanwhile
    raise StaleEdit(current, opened, values or {})


class VersionedForm(_FormBase):
    """Mixin for the edit form of a record two staff may change (`class F(VersionedForm,
    forms.ModelForm)`): hidden `version` and `seen` fields, read back as `form.opened`.

    `record_fields` are the record's fields the form shows (a ModelForm's own by default);
    `form_fields` names the form's fields for a record field where they differ; `initial_for`
    gives the form's values for a record (a ModelForm's by default).
    """

    record_fields: Sequence[str] | None = None
    form_fields: Mapping[str, Sequence[str]] = {}

    def __init__(self, *args, record: Versioned = None, **kwargs):
        super().__init__(*args, **kwargs)
        record = record if record is not None else getattr(self, "instance", None)
        self.record: Versioned = record if record is not None and not record._state.adding else None
        self.opened: Opened | None = None
        if self.record is not None:
            self._add_hidden_fields()

    def _add_hidden_fields(self) -> None:
        seen = Opened(self.record.version, fingerprints(self.record, self.versioned_fields()))
        # Not required: a record created after the form was opened has no version in it, and
        # version 0 then reads as stale.
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=seen.version, required=False
        )
        self.fields["seen"] = forms.CharField(
            widget=forms.HiddenInput, initial=seen.encoded_seen(), required=False
        )

    def versioned_fields(self) -> list[str]:
        if self.record_fields is not None:
            return list(self.record_fields)
        return list(self._meta.fields)  # type: ignore[attr-defined]

    def initial_for(self, record: models.Model) -> dict:
        return model_to_dict(record, fields=self._meta.fields)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if self.record is not None:
            self.opened = Opened.parse(data.pop("version", None) or 0, data.pop("seen", ""))
        return data

    @cached_property
    def changed_data(self) -> list[str]:
        return [name for name in super().changed_data if name not in HIDDEN]

    def show_stale(self, error: StaleEdit) -> None:
        """Show the refusal; keep what the user changed, show the saved values of the fields
        they did not touch, and carry the new version so that saving again succeeds."""
        data = cast(Any, self.data).copy()
        data[self.add_prefix("version")] = error.version
        seen = fingerprints(error.current, self.versioned_fields())
        data[self.add_prefix("seen")] = Opened(error.version, seen).encoded_seen()
        stored = self.initial_for(error.current)
        for change in error.changes:
            if change.yours_too:
                continue
            for name in self.form_fields.get(change.name, (change.name,)):
                if name in self.fields and name in stored:
                    data[self.add_prefix(name)] = _as_data(self.fields[name], stored[name])
        self.data = data
        self.add_error(None, error)


def _as_data(form_field: forms.Field, value: Any) -> Any:
    """A stored value as the posted data a widget renders."""
    if isinstance(form_field.widget, forms.CheckboxInput):
        return bool(value)
    value = form_field.prepare_value(value)
    return "" if value is None else value

"""The register extract: everything Brygga holds about one person, as JSON and as a PDF.

The rows come from the same walk as culling (retention.graph), so what is culled and what is
extracted are one and the same set. Other people's data is handled by REDACTED below:

- staff are named (who decided, wrote, read): the person has a right to know who handled them;
- who notified the service about the person (the intake's notifier) is withheld: secrecy
  towards the person protects a notifier (OSL 26 kap. 5 §); the manager decides on request;
- network contacts are named with their relation (the person's own network, mostly given by the
  person), but their phone and e-mail are withheld;
- free text may mention others; the manager reads the extract before handing it over (the PDF
  says so). Other clients of a group never appear: only this person's attendance is in the record.
"""

from __future__ import annotations

import base64
import datetime
import re
import uuid
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import HTML

from audit.models import AccessLogEntry
from core.timefmt import datetime_text, iso
from people.identity import format_number
from people.models import Person
from retention.graph import Record, collect, person_model

# model label.field -> why it is withheld from the extract
REDACTED = {
    "intake.Intake.notifier_name": "notifier (OSL 26 kap. 5 §)",
    "intake.Intake.notifier_contact": "notifier (OSL 26 kap. 5 §)",
    "people.Contact.phone": "another person's contact details",
    "people.Contact.email": "another person's contact details",
}
# Secrets and internals that say nothing about the person.
OMITTED_FIELDS = {"token_hash", "version", "lineage", "series", "prev_hash", "entry_hash"}
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
# Labels for fields declared without a verbose name (whose name Django would print in English).
FIELD_LABELS = {
    "created_at": gettext_lazy("Registered at"),
    "created_by": gettext_lazy("Registered by"),
    "updated_at": gettext_lazy("Updated at"),
    "completed_at": gettext_lazy("Completed at"),
    "closed_by": gettext_lazy("Closed by"),
    "recorded_at": gettext_lazy("Recorded at"),
    "recorded_by": gettext_lazy("Recorded by"),
    "registered_by": gettext_lazy("Registered by"),
    "added_by": gettext_lazy("Added by"),
    "given_at": gettext_lazy("Given at the visit"),
    "followed_up_at": gettext_lazy("Followed up at the visit"),
    "followed_up_by": gettext_lazy("Followed up by"),
    "reviewed_by": gettext_lazy("Reviewed by"),
    "signed_by": gettext_lazy("Signed by"),
    "written_by": gettext_lazy("Written by"),
    "expires_at": gettext_lazy("Valid until"),
    "flag_code": gettext_lazy("Flag"),
    "item_id": gettext_lazy("Question"),
    "position": gettext_lazy("Position in the list"),
    "corrects": gettext_lazy("Corrects note"),
    "user": gettext_lazy("Staff member"),
}


def build(person: Person, *, extract=None) -> dict:
    """The extract as a plain structure: the JSON file, and what the PDF renders."""
    record = collect([person.pk])
    sections = [_section(model, record) for model in record.models()]
    return {
        "generated_at": iso(timezone.now()),
        "municipality": settings.MUNICIPALITY_NAME,
        "request": _request(extract),
        "person_id": str(person.pk),
        "records": [s for s in sections if s["rows"]],
        "access_log": _access_log(record),
        "withheld": sorted(REDACTED),
    }


def _request(extract) -> dict | None:
    if extract is None:
        return None
    return {
        "requested_by": extract.get_requested_by_display(),
        "requester_name": extract.requester_name,
        "requested_on": extract.requested_on.isoformat(),
        "produced_by": _staff(extract.produced_by),
    }


def _section(model: type[models.Model], record: Record) -> dict:
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in OMITTED_FIELDS and not (f.primary_key and model._meta.auto_created)
    ]
    related = [f.name for f in fields if f.is_relation and f.related_model not in record.rows]
    queryset: models.QuerySet[models.Model] = models.QuerySet(model=model).filter(
        pk__in=list(record.rows[model])
    )
    rows = [
        {f.name: _value(model, f, obj, record) for f in fields}
        for obj in queryset.select_related(*related).order_by("pk")
    ]
    return {
        "kind": model._meta.label,
        "title": _title(model),
        "labels": {f.name: _label(f) for f in fields},
        "rows": rows,
    }


def _label(f: models.Field) -> str:
    label: object
    if isinstance(f.verbose_name, Promise):
        label = f.verbose_name
    elif f.name in FIELD_LABELS:
        label = FIELD_LABELS[f.name]
    elif f.is_relation and isinstance(f.related_model, type):
        # A link to another record is named by that kind of record ("case" -> "Ärende").
        label = f.related_model._meta.verbose_name
    else:
        label = f.verbose_name
    return str(label).capitalize()


def _title(model: type[models.Model]) -> str:
    """A many-to-many table is named by its field: "Assessment talks: staff"."""
    # django-stubs types auto_created as bool; Django sets it to the owning model (or False).
    owner = cast("type[models.Model] | bool", model._meta.auto_created)
    if isinstance(owner, type):
        for f in owner._meta.many_to_many:
            if f.remote_field.through is model:
                return f"{str(owner._meta.verbose_name_plural).capitalize()}: {f.verbose_name}"
    return str(model._meta.verbose_name_plural).capitalize()


def _value(model, f: models.Field, obj, record: Record):
    if f"{model._meta.label}.{f.name}" in REDACTED:
        return _("[withheld]") if getattr(obj, f.attname) else ""
    if f.is_relation:
        raw = getattr(obj, f.attname)
        if raw is None:
            return None
        if f.related_model is person_model() or f.related_model in record.rows:
            return str(raw)  # a row of this record: its id
        target = getattr(obj, f.name)
        return _staff(target) if f.related_model is _user_model() else str(target)
    value = getattr(obj, f.attname)
    if f.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{f.name}_display")())
    return _plain(value)


def _plain(value):
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, (datetime.date, uuid.UUID, Decimal)):
        return str(value)
    return value


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _staff(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _access_log(record: Record) -> list[dict]:
    """Who read or changed the person's records (merged-away records' history included)."""
    ids = list(record.rows[person_model()])
    entries = AccessLogEntry.objects.filter(person_id__in=ids).select_related("user").order_by("id")
    return [
        {
            "at": iso(e.at),
            "who": _staff(e.user) if e.user_id else _("Brygga (automatic)"),
            "action": e.get_action_display(),
            "record": e.record_type_label,
            "reason": e.reason,
        }
        for e in entries
    ]


def pdf_html(data: dict, person: Person) -> str:
    # The PDF is read by the person: times as "2026-03-04 14:05", not in the JSON's ISO form.
    shown = {
        **data,
        "generated_at": _readable(data["generated_at"]),
        "access_log": [{**e, "at": _readable(e["at"])} for e in data["access_log"]],
    }
    with translation.override("sv"):
        return render_to_string(
            "retention/extract_pdf.html",
            {"data": shown, "person": person, "sections": _pdf_sections(data)},
        )


def _readable(value):
    """An ISO date and time from `_plain` as "YYYY-MM-DD HH:MM"; anything else unchanged."""
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        return datetime_text(datetime.datetime.fromisoformat(value))
    return value


def _pdf_sections(data: dict) -> list[dict]:
    """Rows as (label, value) pairs; a file's content is named, not printed."""
    out = []
    for section in data["records"]:
        rows = []
        for row in section["rows"]:
            pairs = []
            for name, value in row.items():
                if value in (None, "", [], {}):
                    continue
                if name == "content" and section["kind"] == "documents.Attachment":
                    value = _("(the file is enclosed in the JSON extract)")
                elif isinstance(value, bool):
                    value = _("Yes") if value else _("No")
                elif section["kind"] == "instruments.Response":
                    value = _rating_value(name, value, row)
                elif name == "personal_number" and section["kind"] == "people.Person":
                    value = format_number(value)  # 19980314-9823, as on every page
                if value in (None, ""):
                    continue
                pairs.append((section["labels"][name], _readable(value)))
            rows.append(pairs)
        out.append({"title": section["title"], "kind": section["kind"], "rows": rows})
    return out


def _rating_value(name: str, value, row: dict):
    """A self-rating in words: the instrument's title, its questions and the level's name,
    not its codes and stored snapshot (those are in the JSON extract)."""
    from instruments import definitions

    try:
        defn = definitions.load(row["code"])
    except (definitions.UnknownDefinition, ValueError, KeyError):
        defn = None
    raw_score = row.get("score")
    score = raw_score if isinstance(raw_score, dict) else {}
    if name == "code" and defn is not None:
        return defn.title
    if name == "band_code":
        return (score.get("band") or {}).get("label") or value
    if name == "score":
        return " ".join(score.get("notes") or [])
    if name == "total" and isinstance(value, float) and value.is_integer():
        return int(value)
    if name == "answers" and isinstance(value, dict):
        lines = []
        known = [i.id for i in defn.answerable_items()] if defn is not None else []
        order = [i for i in known if i in value] + [i for i in value if i not in known]
        for item_id in order:
            answer = value[item_id]
            item = defn.item(item_id) if defn is not None else None
            option = item.option(answer) if item is not None and item.options else None
            shown = option.label if option is not None else answer
            lines.append(f"{item.label if item is not None else item_id}: {shown}")
        return "\n".join(lines)
    return value


def pdf(data: dict, person: Person) -> bytes:
    # No base_url: nothing external is loaded, so rendering never reaches the network.
    return HTML(string=pdf_html(data, person)).write_pdf()

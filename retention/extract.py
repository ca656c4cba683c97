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
from django.utils.translation import gettext_lazy, ngettext
from weasyprint import HTML

from audit.models import AccessLogEntry
from core.replica import heavy_reads, replayed_up_to
from core.timefmt import date_text, datetime_text, iso, time_text
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
# A decision's copies of its case's closing day and its period, kept for a worklist
# (decisions.0011): what they say, the extract shows where it is recorded.
OMITTED_FIELDS |= {"case_ended_on", "left_running_until"}
UUID_IN_TEXT = re.compile(
    r"\s*[–-]?\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
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
    """The extract as a plain structure: the JSON file, and what the PDF renders.

    The JSON keeps each row's id, so that its rows can be joined by a program; `references`
    names each row in words ("B-2026-0004 Bifall"), which is what the PDF shows instead.

    Read on the replica when one is configured and has replayed the request (core/replica.py);
    `as_of` then says up to when the replica holds what was recorded."""
    fresh_since = extract.produced_at if extract is not None else None
    with heavy_reads(fresh_since=fresh_since):
        as_of = replayed_up_to()
        data = _build(person, extract)
    if as_of is not None:
        data["as_of"] = iso(as_of)
    return data


def _build(person: Person, extract) -> dict:
    record = collect([person.pk])
    references: dict[str, str] = {}
    sections = [_section(model, record, references) for model in record.models()]
    return {
        "generated_at": iso(timezone.now()),
        "municipality": settings.MUNICIPALITY_NAME,
        "request": _request(extract),
        "person_id": str(person.pk),
        "records": [s for s in sections if s["rows"]],
        "references": references,
        "access_log": _access_log(record),
        "access_summary": access_summary(record),
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


def _section(model: type[models.Model], record: Record, references: dict[str, str]) -> dict:
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in OMITTED_FIELDS and not (f.primary_key and model._meta.auto_created)
    ]
    related = [f.name for f in fields if f.is_relation and f.related_model not in record.rows]
    queryset: models.QuerySet[models.Model] = models.QuerySet(model=model).filter(
        pk__in=list(record.rows[model])
    )
    rows = []
    for obj in queryset.select_related(*related).order_by("pk"):
        rows.append({f.name: _value(model, f, obj, record) for f in fields})
        references[_ref_key(model._meta.label, obj.pk)] = _reference(obj)
    return {
        "kind": model._meta.label,
        "title": _title(model),
        "labels": {f.name: _label(f) for f in fields},
        # Fields that point at another row of this extract: the kind of row they point at.
        "links": {
            f.name: f.related_model._meta.label
            for f in fields
            if f.is_relation
            and isinstance(f.related_model, type)
            and (f.related_model is person_model() or f.related_model in record.rows)
        },
        "rows": rows,
    }


def _ref_key(label: str, pk) -> str:
    return f"{label}:{pk}"


def _reference(obj: models.Model) -> str:
    """A row named in words, as its pages name it, without ids."""
    return UUID_IN_TEXT.sub("", str(obj)).strip(" –-")


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
    entries = _log_entries(record)
    roles = _roles(record, {e.user_id for e in entries if e.user_id})
    return [
        {
            "at": iso(e.at),
            "who": _staff(e.user) if e.user_id else _("Brygga (automatic)"),
            "role": roles.get(e.user_id, ""),
            "action": e.get_action_display(),
            "record": e.record_type_label,
            "reason": e.reason,
        }
        for e in entries
    ]


def _log_entries(record: Record) -> list[AccessLogEntry]:
    ids = list(record.rows[person_model()])
    return list(AccessLogEntry.objects.about(ids).select_related("user").order_by("id"))


def _roles(record: Record, user_ids: set) -> dict:
    """Each staff member's role as the person would name it: their role on the person's case
    (people.CaseStaffRole), or else the roles they hold (organisation.Role)."""
    from organisation.models import Membership, Role
    from people.models import Case, CaseStaff

    roles: dict = {}
    named = CaseStaff.objects.filter(
        case_id__in=list(record.rows.get(Case, ())), user_id__in=user_ids
    ).order_by("pk")
    for link in named:
        roles.setdefault(link.user_id, str(link.get_role_display()))
    held: dict = {}
    for user_id, role in Membership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "role"
    ):
        label = str(Role(role).label)
        if label not in held.setdefault(user_id, []):
            held[user_id].append(label)
    for user_id, labels in held.items():
        roles.setdefault(user_id, ", ".join(labels))
    return roles


def access_summary(record: Record) -> list[dict]:
    """The access log as the person reads it: who (name and role), when, what and why, one row
    per staff member's reads of one kind of record in a day, their own use of a self-rating link
    as one row, and what Brygga did by itself as one row per kind."""
    entries = _log_entries(record)
    roles = _roles(record, {e.user_id for e in entries if e.user_id})
    staff: dict[tuple, list[AccessLogEntry]] = {}
    links: dict[str, list[AccessLogEntry]] = {}
    automatic: dict[tuple, list[AccessLogEntry]] = {}
    for e in entries:
        if e.user_id is None and e.record_type == "home_link":
            links.setdefault(e.record_id, []).append(e)
        elif e.user_id is None:
            automatic.setdefault((e.record_type, e.action), []).append(e)
        else:
            day = date_text(e.at)
            staff.setdefault((day, e.user_id, e.action, e.record_type, e.reason), []).append(e)
    rows = [_staff_row(group, roles) for group in staff.values()]
    rows += _link_rows(links)
    rows += [_automatic_row(group) for group in automatic.values()]
    rows.sort(key=lambda row: row.pop("first"))
    return rows


def _times(group: list[AccessLogEntry]) -> str:
    return ngettext("%(count)s time", "%(count)s times", len(group)) % {"count": len(group)}


def _what(e: AccessLogEntry, group: list[AccessLogEntry]) -> str:
    what = f"{e.record_type_label}: {str(e.get_action_display()).lower()}"
    return what if len(group) == 1 else f"{what} ({_times(group)})"


def _staff_row(group: list[AccessLogEntry], roles: dict) -> dict:
    first, last = group[0], group[-1]
    when = datetime_text(first.at)
    if last.at != first.at and time_text(last.at) != time_text(first.at):
        when += f"–{time_text(last.at)}"
    role = roles.get(first.user_id, "")
    return {
        "first": first.at,
        "when": when,
        "who": f"{_staff(first.user)} ({role})" if role else _staff(first.user),
        "what": _what(first, group),
        "why": first.reason or _("Work on your case"),
    }


def _automatic_row(group: list[AccessLogEntry]) -> dict:
    first, last = group[0], group[-1]
    when = datetime_text(first.at)
    if date_text(last.at) != date_text(first.at):
        when = f"{date_text(first.at)} – {date_text(last.at)}"
    return {
        "first": first.at,
        "when": when,
        "who": _("Brygga (automatic)"),
        "what": _what(first, group),
        "why": _("Done by Brygga itself, not by a person"),
    }


def _link_rows(links: dict[str, list[AccessLogEntry]]) -> list[dict]:
    """The person's own use of each self-rating link, in one row: no user, it was them."""
    from instruments import definitions
    from instruments.models import HomeLink

    found = {
        str(link.pk): link
        for link in HomeLink.objects.filter(pk__in=list(links)).select_related("response")
    }
    rows = []
    for link_id, group in links.items():
        link = found.get(link_id)
        title = _("the self-rating")
        if link is not None:
            try:
                title = definitions.load(link.response.code).title
            except (definitions.UnknownDefinition, ValueError):
                title = link.response.code
        reads = sum(1 for e in group if e.action == "read")
        opened = ngettext(
            "You opened the link %(count)s time.", "You opened the link %(count)s times.", reads
        ) % {"count": reads}
        if link is not None and link.submitted_at is not None:
            done = _("You filled in %(title)s and sent it in on %(date)s.") % {
                "title": title,
                "date": datetime_text(link.submitted_at),
            }
        else:
            done = _("You did not send in %(title)s.") % {"title": title}
        rows.append(
            {
                "first": group[0].at,
                "when": datetime_text(group[0].at),
                "who": _("You, through the link"),
                "what": f"{done} {opened}",
                "why": _("The self-rating was sent to you as a link"),
            }
        )
    return rows


def pdf_html(data: dict, person: Person) -> str:
    # The PDF is read by the person: times as "2026-03-04 14:05", not in the JSON's ISO form.
    shown = {
        **data,
        "generated_at": _readable(data["generated_at"]),
        "access_log": [{**e, "at": _readable(e["at"])} for e in data["access_log"]],
    }
    if "as_of" in data:  # read on the replica (`build`)
        shown["as_of"] = _readable(data["as_of"])
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
    """Rows as (label, value) pairs; a file's content is named, not printed. No ids: a row's own
    id is left out, a link to the person too (it is them), a link to another row names it."""
    out = []
    references = data.get("references", {})
    for section in data["records"]:
        links = dict(section.get("links", {}))
        own_id = _pk_name(section["kind"])
        rows = []
        for row in section["rows"]:
            pairs = []
            for name, value in row.items():
                if value in (None, "", [], {}) or name == own_id:
                    continue
                if name in links:
                    if links[name] == person_model()._meta.label:
                        continue
                    value = references.get(_ref_key(links[name], value), "")
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


def _pk_name(label: str) -> str:
    from django.apps import apps

    try:
        return apps.get_model(label)._meta.pk.name
    except (LookupError, ValueError):
        return "id"


def _rating_value(name: str, value, row: dict):
    """A self-rating in words: the instrument's title, its questions and the level's name,
    not its codes and stored snapshot (those are in the JSON extract)."""
    from instruments import actions, definitions

    try:
        defn = definitions.load(row["code"], row.get("version") or None)
        if name == "answers":
            # With the published texts the municipality has loaded (a definition whose
            # wording could not be checked ships short labels only).
            defn = actions.definition_for(defn.code, defn.version)
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
            shown = item.option_text(answer) if item is not None and item.options else answer
            lines.append(f"{item.label if item is not None else item_id}: {shown}")
        return "\n".join(lines)
    return value


def pdf(data: dict, person: Person) -> bytes:
    # No base_url: nothing external is loaded, so rendering never reaches the network.
    return HTML(string=pdf_html(data, person)).write_pdf()

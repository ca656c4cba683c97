"""Making the database's organisation what the organisation file says (`setup_organisation`).

The file is the whole organisation: what it lists is created or updated, what it no longer lists
is removed, or deactivated when it has records. Users are never deleted, only deactivated, so that
everything they recorded keeps its author. Each object is checked with the model's own validation
(`full_clean`, as the administration's forms do) before it is saved, and every change is reported
in words, old → new. The caller runs `apply` in a transaction and rolls it back on errors or for
a dry run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from organisation.models import (
    CASELOAD_CEILING,
    Delegation,
    Membership,
    Service,
    SupportKind,
    Unit,
)
from organisation.orgfile import Entry, OrganisationFile, StaffSpec, located


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LeaveAlone:
    """What the file does not manage: accounts it does not list that log in through the
    identity provider, and memberships the provider's groups give (sso app)."""

    users: frozenset[int] = frozenset()
    memberships: frozenset[int] = frozenset()


def apply(
    org: OrganisationFile, *, today: datetime.date, leave_alone: LeaveAlone = LeaveAlone()
) -> Report:
    report = Report()
    units = _sync_units(org, report)
    kinds = _sync_support_kinds(org, units, report)
    _sync_services(org, kinds, report)
    users = _sync_staff(org, units, report, leave_alone)
    _retire_users(users, report, leave_alone)
    _sync_delegation(org, users, kinds, report, leave_alone, today)
    _retire_support_kinds(kinds, report)
    _retire_units(units, report)
    _compare_settings(org, report)
    return report


# --- Showing values and saving ------------------------------------------------------------------


def _field(obj: models.Model, name: str) -> Any:
    return obj._meta.get_field(name)


def _shown(obj: models.Model, name: str, value) -> str:
    model_field = _field(obj, name)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return f'"{value}"' if isinstance(value, str | models.Model) else str(value)


def _set(obj: models.Model, values: dict, label: str, report: Report) -> bool:
    """Set the values; report each that differs (old → new) unless the object is new."""
    changed = False
    for name, new in values.items():
        old = getattr(obj, name)
        if old == new:
            continue
        if obj.pk is not None:
            report.changes.append(
                f"{label}: {_field(obj, name).verbose_name} "
                f"{_shown(obj, name, old)} → {_shown(obj, name, new)}"
            )
        setattr(obj, name, new)
        changed = True
    return changed


def _save(obj: models.Model, spec: Entry, report: Report) -> bool:
    """Save after the model's own validation; its errors are reported at the entry's lines."""
    try:
        obj.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            prefix = "" if name == NON_FIELD_ERRORS else f"{_field(obj, name).verbose_name}: "
            for message in messages:
                report.errors.append(located(spec.line_of(name), spec.path, prefix + message))
        return False
    obj.save()
    return True


def _has_records(obj: models.Model, ignore: tuple[type, ...] = ()) -> bool:
    """Does any row anywhere point at this object (related names hidden with '+' too)?"""
    rel: Any
    for rel in obj._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        related = rel.related_model
        if related._meta.auto_created or issubclass(related, ignore):
            continue
        if related._base_manager.filter(**{rel.field.name: obj}).exists():
            return True
    return False


def _retire(obj: Any, label: str, report: Report, ignore: tuple[type, ...] = ()):
    """Delete what has no records; deactivate what has, and say so."""
    if _has_records(obj, ignore):
        if obj.active:
            obj.active = False
            obj.save(update_fields=["active"])
            report.changes.append(
                f"{label}: " + _("not in the file, but has records: deactivated, not removed")
            )
        return
    obj.delete()
    report.changes.append(f"{label}: " + _("not in the file: removed"))


# --- Units, kinds of support, the service directory ---------------------------------------------


def _unit_label(code: str) -> str:
    return f"{_('unit')} {code}"


def _sync_units(org: OrganisationFile, report: Report) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    pending = list(org.units)
    while pending:  # parents first; the file was checked for circles
        ready = [s for s in pending if s.parent is None or s.parent in units]
        for spec in ready:
            parent = units.get(spec.parent) if spec.parent else None
            unit = Unit.objects.filter(code=spec.code).first()
            if unit is None:  # a unit made before the file had codes: adopt it by its name
                unit = Unit.objects.filter(code="", name=spec.name, parent=parent).first()
                if unit is not None:
                    report.changes.append(
                        _unit_label(spec.code)
                        + ": "
                        + _("the existing unit %(name)s gets this code") % {"name": spec.name}
                    )
            unit = unit or Unit(code=spec.code)
            new = unit.pk is None
            values = {
                "code": spec.code,
                "name": spec.name,
                "kind": spec.kind,
                "parent": parent,
                "municipality": org.municipality.name,
                "active": True,
            }
            saved = _set(unit, values, _unit_label(spec.code), report) and _save(unit, spec, report)
            if saved and new:
                report.changes.append(
                    _unit_label(spec.code)
                    + ": "
                    + _("created: %(name)s (%(kind)s)")
                    % {"name": spec.name, "kind": unit.get_kind_display()}
                )
            units[spec.code] = unit
        pending = [s for s in pending if s not in ready]
    return units


def _sync_support_kinds(org: OrganisationFile, units: dict[str, Unit], report: Report):
    kinds: dict[str, SupportKind] = {}
    for spec in org.support_kinds:
        label = f"{_('kind of support')} {spec.code}"
        kind = SupportKind.objects.filter(code=spec.code).first() or SupportKind(code=spec.code)
        new = kind.pk is None
        values = {
            "name": spec.name,
            "needs_decision": spec.needs_decision,
            "places": spec.places,
            "follow_up_places": spec.follow_up_places,
            "active": True,
        }
        if _set(kind, values, label, report) and not _save(kind, spec, report):
            continue
        if new:
            report.changes.append(f"{label}: " + _("created: %(name)s") % {"name": spec.name})
        kinds[spec.code] = kind
        if kind.pk is None:
            continue
        wanted = {units[code] for code in spec.provided_by if units[code].pk}
        held = set(kind.provider_units.all())
        if wanted != held:
            kind.provider_units.set(wanted)
            if not new or wanted:
                report.changes.append(
                    f"{label}: {SupportKind._meta.get_field('provider_units').verbose_name} "
                    f"{_names(held)} → {_names(wanted)}"
                )
    return kinds


def _names(units) -> str:
    return ", ".join(sorted(unit.code or unit.name for unit in units)) or "–"


def _retire_support_kinds(kinds: dict[str, SupportKind], report: Report) -> None:
    for kind in SupportKind.objects.exclude(code__in=kinds):
        _retire(kind, f"{_('kind of support')} {kind.code}", report)


def _sync_services(org: OrganisationFile, kinds: dict[str, SupportKind], report: Report):
    kept: set[int] = set()
    for spec in org.services:
        service = Service.objects.filter(name=spec.name).first()
        if service is None and spec.renamed_from:
            service = Service.objects.filter(name=spec.renamed_from).first()
        service = service or Service()
        new = service.pk is None
        label = f'{_("service in the directory")} "{service.name if not new else spec.name}"'
        values = {
            "name": spec.name,
            "organisation": spec.organisation,
            "needs_decision": spec.needs_decision,
            "support_kind": kinds.get(spec.support_kind) if spec.support_kind else None,
            "target_group": spec.target_group,
            "contact": spec.contact,
            "description": spec.description,
            "active": True,
        }
        if _set(service, values, label, report) and _save(service, spec, report) and new:
            report.changes.append(f"{label}: " + _("created"))
        if service.pk:
            kept.add(service.pk)
    for service in Service.objects.exclude(pk__in=kept):
        _retire(service, f'{_("service in the directory")} "{service.name}"', report)


def _retire_units(units: dict[str, Unit], report: Report) -> None:
    kept = {unit.pk for unit in units.values() if unit.pk}
    others = list(Unit.objects.exclude(pk__in=kept))
    depth = {unit.pk: _depth(unit) for unit in others}
    for unit in sorted(others, key=lambda u: -depth[u.pk]):  # children before their parents
        _retire(unit, _unit_label(unit.code or unit.name), report)


def _depth(unit: Unit) -> int:
    depth, parent_id = 0, unit.parent_id
    while parent_id is not None and depth < 50:
        depth += 1
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return depth


# --- Staff, roles, delegation -------------------------------------------------------------------


def _user_label(username: str) -> str:
    return f"{_('user')} {username}"


def _sync_staff(org, units, report: Report, leave_alone: LeaveAlone) -> dict[str, object]:
    User = get_user_model()
    users: dict[str, object] = {}
    for spec in org.staff:
        user = User.objects.filter(username=spec.username).first()
        if user is not None and getattr(getattr(user, "staff_flag", None), "is_demo", False):
            report.errors.append(
                located(
                    spec.line_of("username"),
                    spec.path,
                    _("%(username)s is a demo account; run manage.py remove_demo first")
                    % {"username": spec.username},
                )
            )
            continue
        new = user is None
        user = user or User(username=spec.username)
        if new:
            user.set_unusable_password()
        values = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": spec.email,
            "is_active": True,
        }
        if _set(user, values, _user_label(spec.username), report) and not _save(user, spec, report):
            continue
        if new:
            report.changes.append(
                _user_label(spec.username)
                + ": "
                + _("created: %(name)s") % {"name": f"{spec.first_name} {spec.last_name}"}
            )
            report.notes.append(_how_to_log_in(spec))
        users[spec.username] = user
        _sync_memberships(user, spec, units, report, leave_alone)
    return users


def _how_to_log_in(spec: StaffSpec) -> str:
    if settings.BRYGGA_AUTH == "oidc":
        return _(
            "%(username)s logs in through the municipality's single sign-on: link the account to "
            "the person's identity at the provider in the administration (docs/sso.md)."
        ) % {"username": spec.username}
    return _(
        "%(username)s has no password yet: set one with `manage.py changepassword "
        "%(username)s` and hand it over in person; they change it after logging in."
    ) % {"username": spec.username}


def _membership_label(membership: Membership) -> str:
    return f'{membership.get_role_display()} – "{membership.unit.name}"'


def _sync_memberships(user, spec: StaffSpec, units, report: Report, leave_alone: LeaveAlone):
    label = _user_label(spec.username)
    wanted = {(units[role.unit].pk, role.role): role for role in spec.roles if units[role.unit].pk}
    held = {
        (m.unit_id, m.role): m
        for m in Membership.objects.filter(user=user).select_related("unit")
        if m.pk not in leave_alone.memberships
    }
    for key, membership in held.items():
        if key not in wanted:
            membership.delete()
            report.changes.append(
                f"{label}: " + _("role removed: %(role)s") % {"role": _membership_label(membership)}
            )
    for key, role in wanted.items():
        ceiling = role.caseload_ceiling if role.caseload_ceiling is not None else CASELOAD_CEILING
        found = held.get(key)
        if found is None:
            membership = Membership(user=user, unit=units[role.unit], role=role.role)
            membership.caseload_ceiling = ceiling
            if _save(membership, role, report):
                report.changes.append(
                    f"{label}: "
                    + _("role added: %(role)s") % {"role": _membership_label(membership)}
                )
        elif _set(found, {"caseload_ceiling": ceiling}, label, report):
            _save(found, role, report)


def _retire_users(users: dict, report: Report, leave_alone: LeaveAlone) -> None:
    """Accounts the file no longer lists are deactivated, never deleted, and lose their roles."""
    others = (
        get_user_model()
        .objects.exclude(username__in=users)
        .exclude(pk__in=leave_alone.users)
        .exclude(staff_flag__is_demo=True)
    )
    for user in others:
        label = _user_label(user.username)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            report.changes.append(
                f"{label}: "
                + _(
                    "not in the file: deactivated (accounts are never removed, so what they "
                    "recorded keeps its author)"
                )
            )
        for membership in Membership.objects.filter(user=user).select_related("unit"):
            if membership.pk not in leave_alone.memberships:
                membership.delete()
                report.changes.append(
                    f"{label}: "
                    + _("role removed: %(role)s") % {"role": _membership_label(membership)}
                )


def _sync_delegation(org, users, kinds, report: Report, leave_alone: LeaveAlone, today) -> None:
    wanted = {(d.username, d.support_kind, d.valid_from): d for d in org.delegation}
    managed = (
        Delegation.objects.exclude(user_id__in=leave_alone.users - {u.pk for u in users.values()})
        .exclude(user__staff_flag__is_demo=True)
        .select_related("user", "support_kind")
    )
    held = {(d.user.username, d.support_kind.code, d.valid_from): d for d in managed}
    for key, delegation in held.items():
        if key not in wanted:
            _end_delegation(delegation, report, today)
    for key, spec in wanted.items():
        if spec.username not in users or spec.support_kind not in kinds:
            continue  # the person or the kind could not be saved: already reported
        delegation = held.get(key) or Delegation(
            user=users[spec.username], support_kind=kinds[spec.support_kind]
        )
        new = delegation.pk is None
        values = {
            "valid_from": spec.valid_from,
            "valid_to": spec.valid_to,
            "reference": spec.reference,
        }
        label = _delegation_label(spec.username, spec.support_kind, spec.valid_from)
        if _set(delegation, values, label, report) and _save(delegation, spec, report) and new:
            report.changes.append(f"{label}: " + _("created"))


def _delegation_label(username: str, kind: str, valid_from) -> str:
    return _("delegation for %(username)s to decide on %(kind)s from %(day)s") % {
        "username": username,
        "kind": kind,
        "day": valid_from,
    }


def _end_delegation(delegation: Delegation, report: Report, today: datetime.date) -> None:
    """A delegation that has been in force is a record of who might decide: it is ended, kept."""
    label = _delegation_label(
        delegation.user.username, delegation.support_kind.code, delegation.valid_from
    )
    if delegation.valid_from >= today:
        delegation.delete()
        report.changes.append(f"{label}: " + _("not in the file and never in force: removed"))
        return
    yesterday = today - datetime.timedelta(days=1)
    if delegation.valid_to is None or delegation.valid_to > yesterday:
        old = delegation.valid_to
        delegation.valid_to = yesterday
        delegation.save(update_fields=["valid_to"])
        report.changes.append(
            f"{label}: "
            + _("not in the file: ended, valid to %(old)s → %(new)s")
            % {"old": old or "–", "new": yesterday}
        )


# --- What the server's environment says -------------------------------------------------------


def _compare_settings(org: OrganisationFile, report: Report) -> None:
    """The letters print the municipality, the board and its address from the environment
    (read at every request, no query); the file's values are checked against it."""
    pairs = [
        ("BRYGGA_MUNICIPALITY", org.municipality.name, settings.MUNICIPALITY_NAME),
        ("BRYGGA_BOARD_NAME", org.municipality.board, settings.BRYGGA_BOARD_NAME),
        ("BRYGGA_BOARD_ADDRESS", org.municipality.board_address, settings.BRYGGA_BOARD_ADDRESS),
    ]
    for variable, in_file, in_force in pairs:
        if in_file and in_file != in_force:
            report.notes.append(
                _(
                    "Pages and letters print %(variable)s from the server's environment, now "
                    '"%(in_force)s", but the file says "%(in_file)s": set '
                    '%(variable)s="%(in_file)s" in /etc/brygga/brygga.env and restart Brygga '
                    "(docs/going-live.md)."
                )
                % {"variable": variable, "in_force": in_force, "in_file": in_file}
            )

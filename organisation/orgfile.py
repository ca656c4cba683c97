"""Reading the organisation file (docs/going-live.md, docs/examples/organisation.yaml).

The file is YAML that the municipality fills in. It is read node by node so that every error can
name the line it is on; nothing is saved here. `organisation.setup` applies what this returns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organisation.models import Role, ServiceOrganisation, UnitKind

Path = tuple  # a key path into the file, e.g. ("units", 2, "kind")

PROVIDING_KINDS = {UnitKind.PROVIDER, UnitKind.TEAM, UnitKind.MEETING_PLACE}


@dataclass
class Entry:
    """One item of a list in the file: where it is, and the line of each of its keys."""

    path: Path
    line: int
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass
class UnitSpec(Entry):
    code: str = ""
    name: str = ""
    kind: str = ""
    parent: str | None = None


@dataclass
class SupportKindSpec(Entry):
    code: str = ""
    name: str = ""
    needs_decision: bool = True
    places: int = 20
    follow_up_places: int = 5
    provided_by: list[str] = field(default_factory=list)


@dataclass
class ServiceSpec(Entry):
    name: str = ""
    renamed_from: str | None = None
    organisation: str = ""
    needs_decision: bool = False
    support_kind: str | None = None
    target_group: str = ""
    contact: str = ""
    description: str = ""


@dataclass
class RoleSpec(Entry):
    unit: str = ""
    role: str = ""
    caseload_ceiling: int | None = None


@dataclass
class StaffSpec(Entry):
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    roles: list[RoleSpec] = field(default_factory=list)
    administrator: bool = False


@dataclass
class DelegationSpec(Entry):
    username: str = ""
    support_kind: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    reference: str = ""


@dataclass
class Municipality:
    name: str = ""
    board: str = ""
    board_address: str = ""


@dataclass
class OrganisationFile:
    municipality: Municipality
    units: list[UnitSpec]
    support_kinds: list[SupportKindSpec]
    services: list[ServiceSpec]
    staff: list[StaffSpec]
    delegation: list[DelegationSpec]


class FileError(Exception):
    """The file cannot be used; `errors` are plain sentences, each starting with its line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def located(line: int, path: Path, message: str) -> str:
    where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
    if where:
        return _("line %(line)s (%(where)s): %(message)s") % {
            "line": line,
            "where": where,
            "message": message,
        }
    return _("line %(line)s: %(message)s") % {"line": line, "message": message}


# --- YAML with line numbers -------------------------------------------------------------------


class _Tree:
    """The file's values as plain Python, and the line (1-based) of each key path."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        self.errors: list[str] = []
        self._constructor = yaml.constructor.SafeConstructor()
        try:
            documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            problem = " ".join(p for p in (error.context, error.problem) if p)
            raise FileError(
                [located(line, (), _("this is not valid YAML: %(problem)s") % {"problem": problem})]
            ) from None
        except yaml.YAMLError as error:
            raise FileError([_("This is not valid YAML: %(error)s") % {"error": error}]) from None
        if len(documents) != 1 or documents[0] is None:
            raise FileError([_("The file must hold exactly one YAML document.")])
        self.root = self._plain(documents[0], ())

    def _plain(self, node: yaml.Node, path: Path) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node)
                if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key, str):
                    self.errors.append(
                        located(key_node.start_mark.line + 1, path, _("a key must be a word"))
                    )
                    continue
                if key in out:
                    self.errors.append(
                        located(
                            key_node.start_mark.line + 1,
                            path,
                            _("the key %(key)s is given twice") % {"key": key},
                        )
                    )
                out[key] = self._plain(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._plain(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node)

    def line(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


# --- Checking each section --------------------------------------------------------------------


class _Checker:
    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.errors = list(tree.errors)

    def error(self, path: Path, message: str) -> None:
        self.errors.append(located(self.tree.line(path), path, message))

    def mapping(self, value: Any, path: Path, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            self.error(path, _("expected keys and values here (key: value)"))
            return {}
        for key in value:
            if key not in allowed:
                self.error(
                    (*path, key),
                    _("unknown key %(key)s; the keys here are: %(allowed)s")
                    % {"key": key, "allowed": ", ".join(sorted(allowed))},
                )
        for key in sorted(required - value.keys()):
            self.error(path, _("%(key)s is missing") % {"key": key})
        return value

    def items(self, root: dict, name: str) -> list[tuple[Path, Any]]:
        value = root.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((name,), _("expected a list here (lines starting with -)"))
            return []
        return [((name, i), item) for i, item in enumerate(value)]

    def text(self, data: dict, path: Path, key: str, limit: int, *, required=False) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required and key in data:
                self.error((*path, key), _("must not be empty"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((*path, key), _("must be text"))
            return ""
        value = str(value).strip()
        if len(value) > limit:
            self.error(
                (*path, key),
                _("is longer than %(limit)s characters") % {"limit": limit},
            )
        return value

    def code(self, data: dict, path: Path, key: str) -> str:
        value = self.text(data, path, key, 50, required=True)
        if value and slugify(value) != value:
            self.error(
                (*path, key),
                _("%(value)s is not a code: use lower-case letters a-z, digits and -, e.g. %(e)s")
                % {"value": value, "e": slugify(value) or "team-norr"},
            )
        return value

    def choice(self, data: dict, path: Path, key: str, choices: list[str]) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if value not in choices:
            self.error(
                (*path, key),
                _("%(value)s is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(choices)},
            )
            return ""
        return value

    def flag(self, data: dict, path: Path, key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error((*path, key), _("must be true or false"))
            return default
        return value

    def number(self, data: dict, path: Path, key: str, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
            self.error((*path, key), _("must be a whole number from 0 to 32767"))
            return default
        return value

    def date(self, data: dict, path: Path, key: str) -> datetime.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self.error((*path, key), _("must be a date written YYYY-MM-DD"))
            return None
        return value

    def entry_lines(self, path: Path, data: dict) -> dict[str, int]:
        return {key: self.tree.line((*path, key)) for key in data}


def read(text: str) -> OrganisationFile:
    """The file's content, checked; FileError lists every problem found, each with its line."""
    tree = _Tree(text)
    check = _Checker(tree)
    root = check.mapping(
        tree.root,
        (),
        {
            "municipality",
            "units",
            "support_kinds",
            "services",
            "staff",
            "administrator",
            "delegation",
        },
        {"municipality", "units", "administrator"},
    )
    result = OrganisationFile(
        municipality=_municipality(check, root),
        units=_units(check, root),
        support_kinds=[],
        services=[],
        staff=[],
        delegation=[],
    )
    result.support_kinds = _support_kinds(check, root, result.units)
    result.services = _services(check, root, {k.code for k in result.support_kinds})
    result.staff = _staff(check, root, result.units)
    result.delegation = _delegation(check, root, result)
    if check.errors:
        raise FileError(check.errors)
    return result


def _municipality(check: _Checker, root: dict) -> Municipality:
    path = ("municipality",)
    data = check.mapping(
        root.get("municipality", {}), path, {"name", "board", "board_address"}, {"name"}
    )
    return Municipality(
        name=check.text(data, path, "name", 100, required=True),
        board=check.text(data, path, "board", 200),
        board_address=check.text(data, path, "board_address", 300),
    )


def _units(check: _Checker, root: dict) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for path, item in check.items(root, "units"):
        data = check.mapping(
            item, path, {"code", "name", "kind", "parent"}, {"code", "name", "kind"}
        )
        units.append(
            UnitSpec(
                path=path,
                line=check.tree.line(path),
                lines=check.entry_lines(path, data),
                code=check.code(data, path, "code"),
                name=check.text(data, path, "name", 200, required=True),
                kind=check.choice(data, path, "kind", list(UnitKind.values)),
                parent=check.text(data, path, "parent", 50) or None,
            )
        )
    if not units and "units" in root:
        check.error(("units",), _("list at least one unit"))
    _unique(check, units, "code", _("another unit has the code %(value)s"))
    by_code = {unit.code: unit for unit in units}
    seen_names: set[tuple[str, str | None]] = set()
    for unit in units:
        if unit.parent and unit.parent not in by_code:
            check.error((*unit.path, "parent"), _unknown(unit.parent, by_code, _("unit")))
        if (unit.name, unit.parent) in seen_names:
            check.error(
                (*unit.path, "name"),
                _("another unit in the same place is called %(name)s") % {"name": unit.name},
            )
        seen_names.add((unit.name, unit.parent))
        if _in_a_circle(unit, by_code):
            check.error((*unit.path, "parent"), _("the units' parents go round in a circle"))
    if units and not any(unit.kind == UnitKind.AUTHORITY for unit in units):
        check.error(("units",), _("list at least one unit of kind authority"))
    return units


def _in_a_circle(unit: UnitSpec, by_code: dict[str, UnitSpec]) -> bool:
    seen = {unit.code}
    parent = unit.parent
    while parent in by_code:
        if parent in seen:
            return True
        seen.add(parent)
        parent = by_code[parent].parent
    return False


def _support_kinds(check: _Checker, root: dict, units: list[UnitSpec]) -> list[SupportKindSpec]:
    unit_kinds = {unit.code: unit.kind for unit in units}
    kinds: list[SupportKindSpec] = []
    allowed = {
        "code",
        "name",
        "needs_decision",
        "places",
        "follow_up_places",
        "provided_by",
    }
    for path, item in check.items(root, "support_kinds"):
        data = check.mapping(item, path, allowed, {"code", "name"})
        spec = SupportKindSpec(
            path=path,
            line=check.tree.line(path),
            lines=check.entry_lines(path, data),
            code=check.code(data, path, "code"),
            name=check.text(data, path, "name", 200, required=True),
            needs_decision=check.flag(data, path, "needs_decision", True),
            places=check.number(data, path, "places", 20) or 0,
            follow_up_places=check.number(data, path, "follow_up_places", 5) or 0,
            provided_by=_codes(check, data, path, "provided_by"),
        )
        for i, code in enumerate(spec.provided_by):
            where = (*path, "provided_by", i)
            if code not in unit_kinds:
                check.error(where, _unknown(code, unit_kinds, _("unit")))
            elif unit_kinds[code] not in PROVIDING_KINDS:
                check.error(
                    where,
                    _(
                        "%(code)s cannot provide support: only units of kind provider, team or "
                        "meeting_place can"
                    )
                    % {"code": code},
                )
        kinds.append(spec)
    _unique(check, kinds, "code", _("another kind of support has the code %(value)s"))
    _unique(check, kinds, "name", _("another kind of support is called %(value)s"))
    return kinds


def _codes(check: _Checker, data: dict, path: Path, key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.error((*path, key), _("expected a list of codes, e.g. [team-norr, team-syd]"))
        return []
    return value


def _services(check: _Checker, root: dict, kind_codes: set[str]) -> list[ServiceSpec]:
    services: list[ServiceSpec] = []
    allowed = {
        "name",
        "renamed_from",
        "organisation",
        "needs_decision",
        "support_kind",
        "target_group",
        "contact",
        "description",
    }
    for path, item in check.items(root, "services"):
        data = check.mapping(item, path, allowed, {"name", "organisation"})
        spec = ServiceSpec(
            path=path,
            line=check.tree.line(path),
            lines=check.entry_lines(path, data),
            name=check.text(data, path, "name", 200, required=True),
            renamed_from=check.text(data, path, "renamed_from", 200) or None,
            organisation=check.choice(data, path, "organisation", list(ServiceOrganisation.values)),
            needs_decision=check.flag(data, path, "needs_decision", False),
            support_kind=check.text(data, path, "support_kind", 50) or None,
            target_group=check.text(data, path, "target_group", 300),
            contact=check.text(data, path, "contact", 300),
            description=check.text(data, path, "description", 5000),
        )
        if spec.support_kind and spec.support_kind not in kind_codes:
            check.error(
                (*path, "support_kind"),
                _unknown(spec.support_kind, kind_codes, _("kind of support")),
            )
        services.append(spec)
    _unique(check, services, "name", _("another service is called %(value)s"))
    return services


def _staff(check: _Checker, root: dict, units: list[UnitSpec]) -> list[StaffSpec]:
    unit_codes = {unit.code for unit in units}
    staff = [
        _person(check, path, item, unit_codes, administrator=False)
        for path, item in check.items(root, "staff")
    ]
    if "administrator" in root:
        staff.append(
            _person(
                check, ("administrator",), root["administrator"], unit_codes, administrator=True
            )
        )
    _unique(check, staff, "username", _("%(value)s is listed more than once"))
    return staff


def _person(check: _Checker, path: Path, item, unit_codes: set[str], *, administrator: bool):
    allowed = {"username", "first_name", "last_name", "email", "roles"}
    required = {"username", "first_name", "last_name"}
    if administrator:
        allowed, required = allowed | {"unit"}, required | {"unit"}
    data = check.mapping(item, path, allowed, required)
    spec = StaffSpec(
        path=path,
        line=check.tree.line(path),
        lines=check.entry_lines(path, data),
        username=_username(check, data, path),
        first_name=check.text(data, path, "first_name", 150, required=True),
        last_name=check.text(data, path, "last_name", 150, required=True),
        email=check.text(data, path, "email", 254),
        administrator=administrator,
    )
    roles_value = data.get("roles", [])
    if not isinstance(roles_value, list):
        check.error((*path, "roles"), _("expected a list here (lines starting with -)"))
        roles_value = []
    for i, role_item in enumerate(roles_value):
        role_path = (*path, "roles", i)
        role_data = check.mapping(
            role_item, role_path, {"unit", "role", "caseload_ceiling"}, {"unit", "role"}
        )
        role = RoleSpec(
            path=role_path,
            line=check.tree.line(role_path),
            lines=check.entry_lines(role_path, role_data),
            unit=check.text(role_data, role_path, "unit", 50),
            role=check.choice(role_data, role_path, "role", list(Role.values)),
            caseload_ceiling=check.number(role_data, role_path, "caseload_ceiling", None),
        )
        if role.unit and role.unit not in unit_codes:
            check.error((*role_path, "unit"), _unknown(role.unit, unit_codes, _("unit")))
        spec.roles.append(role)
    if administrator:
        unit = check.text(data, path, "unit", 50)
        if unit and unit not in unit_codes:
            check.error((*path, "unit"), _unknown(unit, unit_codes, _("unit")))
        spec.roles.append(
            RoleSpec(
                path=(*path, "unit"),
                line=check.tree.line((*path, "unit")),
                unit=unit,
                role=Role.ADMIN,
            )
        )
    held = [(role.unit, role.role) for role in spec.roles]
    if len(set(held)) != len(held):
        check.error((*path, "roles"), _("the same role in the same unit is listed twice"))
    if not spec.roles and not administrator:
        check.error(path, _("give at least one role (roles:), or remove the person from the file"))
    return spec


def _username(check: _Checker, data: dict, path: Path) -> str:
    value = check.text(data, path, "username", 150, required=True)
    if value:
        try:
            get_user_model().username_validator(value)
        except Exception:  # noqa: BLE001 - Django's ValidationError, worded for the file below
            check.error(
                (*path, "username"),
                _("%(value)s is not a username: use letters, digits and @ . + - _ only")
                % {"value": value},
            )
    return value


def _delegation(check: _Checker, root: dict, org: OrganisationFile) -> list[DelegationSpec]:
    usernames = {person.username for person in org.staff}
    kinds = {kind.code: kind for kind in org.support_kinds}
    rows: list[DelegationSpec] = []
    allowed = {"username", "support_kind", "valid_from", "valid_to", "reference"}
    for path, item in check.items(root, "delegation"):
        data = check.mapping(item, path, allowed, {"username", "support_kind", "valid_from"})
        spec = DelegationSpec(
            path=path,
            line=check.tree.line(path),
            lines=check.entry_lines(path, data),
            username=check.text(data, path, "username", 150),
            support_kind=check.text(data, path, "support_kind", 50),
            valid_from=check.date(data, path, "valid_from"),
            valid_to=check.date(data, path, "valid_to"),
            reference=check.text(data, path, "reference", 100),
        )
        if spec.username and spec.username not in usernames:
            check.error(
                (*path, "username"),
                _("%(value)s is not among the staff in the file") % {"value": spec.username},
            )
        if spec.support_kind and spec.support_kind not in kinds:
            check.error(
                (*path, "support_kind"), _unknown(spec.support_kind, kinds, _("kind of support"))
            )
        elif spec.support_kind and not kinds[spec.support_kind].needs_decision:
            check.error(
                (*path, "support_kind"),
                _("%(value)s needs no decision, so nobody needs delegation for it")
                % {"value": spec.support_kind},
            )
        if spec.valid_from and spec.valid_to and spec.valid_to < spec.valid_from:
            check.error((*path, "valid_to"), _("The end date cannot be before the start date."))
        rows.append(spec)
    keys = [(row.username, row.support_kind, row.valid_from) for row in rows]
    for row, key in zip(rows, keys, strict=True):
        if keys.count(key) > 1:
            check.error(row.path, _("the same delegation (person, kind, start) is listed twice"))
    return rows


def _unique(check: _Checker, specs: list, attribute: str, message: str) -> None:
    seen: set[str] = set()
    for spec in specs:
        value = getattr(spec, attribute)
        if value and value in seen:
            check.error((*spec.path, attribute), message % {"value": value})
        seen.add(value)


def _unknown(value: str, known, what: str) -> str:
    return _("there is no %(what)s with the code %(value)s in the file; known: %(known)s") % {
        "what": what,
        "value": value,
        "known": ", ".join(sorted(known)) or "-",
    }

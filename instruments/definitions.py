"""Self-rating instrument definitions, loaded from versioned JSON data files.

Each instrument lives in ``instruments/definitions/<code>/<version>.json``. A changed
definition is a new file; old files stay so that old responses keep scoring as they did.
The JSON format is described in docs/instruments.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

ITEM_TYPES = {"choice", "integer", "decimal", "boolean", "text", "date", "time", "group", "display"}
LICENCE_STATUSES = {"free", "free-with-attribution", "licensed", "copyrighted", "unknown"}


class UnknownDefinition(LookupError):
    """No definition with that code (and version)."""


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str
    score: float | None  # None = not scored


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: str
    text: str | None
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    required: bool = False
    enable_when: tuple[tuple[str, str, object], ...] = ()
    items: tuple[Item, ...] = ()
    help: str | None = None

    def option(self, value: object) -> Option | None:
        for opt in self.options:
            if opt.value == value or str(opt.value) == str(value):
                return opt
        return None

    def option_text(self, value: object) -> str:
        """What a reader sees for an answer: the option's label, and for a bare step between
        two described options (MADRS-S's 1, 3, 5) the step named by the descriptions around it,
        so that an answer never shows as a number alone."""
        opt = self.option(value)
        if opt is None:
            return str(value)
        if not _is_bare_step(opt):
            return opt.label
        index = self.options.index(opt)
        below = next((o for o in reversed(self.options[:index]) if not _is_bare_step(o)), None)
        above = next((o for o in self.options[index + 1 :] if not _is_bare_step(o)), None)
        if below is None or above is None:
            return opt.label
        return _("%(value)s – between “%(below)s” and “%(above)s”") % {
            "value": opt.label,
            "below": Truncator(below.label).words(STEP_WORDS, truncate=" …"),
            "above": Truncator(above.label).words(STEP_WORDS, truncate=" …"),
        }


STEP_WORDS = 6  # words of each neighbouring description that name a step between them


def _is_bare_step(opt: Option) -> bool:
    return opt.label.strip() == str(opt.value)


@dataclass(frozen=True)
class Licence:
    status: str
    electronic_use: bool
    text_included: bool
    attribution: str
    notes: str


@dataclass(frozen=True)
class Definition:
    code: str
    version: str
    title: str
    kind: str  # "scored" | "structured"
    licence: Licence
    recall: str | None
    items: tuple[Item, ...]
    source: str
    raw: dict = field(compare=False, repr=False)
    higher_is_worse: bool | None = None

    @property
    def scoring(self) -> dict:
        return self.raw.get("scoring") or {}

    def answerable_items(self) -> list[Item]:
        return [i for i in _walk(self.items) if i.type not in ("group", "display")]

    def all_items(self) -> list[Item]:
        return list(_walk(self.items))

    def item(self, item_id: str) -> Item | None:
        for it in _walk(self.items):
            if it.id == item_id:
                return it
        return None

    def with_text(self, texts: dict[str, str]) -> Definition:
        """Overlay full item texts (e.g. licensed text loaded by an administrator)."""
        unknown = set(texts) - {i.id for i in _walk(self.items)}
        if unknown:
            raise ValueError(f"unknown item ids: {sorted(unknown)}")

        def overlay(items: tuple[Item, ...]) -> tuple[Item, ...]:
            return tuple(
                replace(it, text=texts.get(it.id, it.text), items=overlay(it.items)) for it in items
            )

        return replace(self, items=overlay(self.items))

    @property
    def key(self) -> str:
        return f"{self.code}/{self.version}"


def _walk(items: tuple[Item, ...]):
    for it in items:
        yield it
        yield from _walk(it.items)


# -- parsing ---------------------------------------------------------------------------------


def _parse_item(data: dict) -> Item:
    itype = data.get("type")
    if itype not in ITEM_TYPES:
        raise ValueError(f"item {data.get('id')!r}: unknown type {itype!r}")
    if not data.get("id") or not data.get("label"):
        raise ValueError("every item needs an id and a label")
    return Item(
        id=str(data["id"]),
        type=itype,
        label=data["label"],
        text=data.get("text"),
        options=tuple(
            Option(value=o["value"], label=o["label"], score=o.get("score"))
            for o in data.get("options", ())
        ),
        min=data.get("min"),
        max=data.get("max"),
        required=bool(data.get("required", False)),
        enable_when=tuple((str(c[0]), str(c[1]), c[2]) for c in data.get("enable_when", ())),
        items=tuple(_parse_item(c) for c in data.get("items", ())),
        help=data.get("help"),
    )


def parse(data: dict) -> Definition:
    """Build a Definition from its JSON data; ValueError with a reason when malformed."""
    try:
        lic = data["licence"]
        licence = Licence(
            status=lic["status"],
            electronic_use=bool(lic["electronic_use"]),
            text_included=bool(lic["text_included"]),
            attribution=lic.get("attribution", ""),
            notes=lic.get("notes", ""),
        )
        if licence.status not in LICENCE_STATUSES:
            raise ValueError(f"unknown licence status {licence.status!r}")
        kind = data["kind"]
        if kind not in ("scored", "structured"):
            raise ValueError(f"unknown kind {kind!r}")
        items = tuple(_parse_item(i) for i in data["items"])
        defn = Definition(
            code=data["code"],
            version=str(data["version"]),
            title=data["title"],
            kind=kind,
            licence=licence,
            recall=data.get("recall"),
            items=items,
            source=data["source"],
            raw=data,
            higher_is_worse=data.get("higher_is_worse"),
        )
    except KeyError as exc:
        raise ValueError(f"definition is missing the field {exc.args[0]!r}") from None
    except TypeError as exc:
        raise ValueError(f"definition is malformed: {exc}") from None
    ids = [i.id for i in _walk(items)]
    if len(ids) != len(set(ids)):
        raise ValueError("item ids must be unique")
    if not licence.text_included and any(i.text for i in _walk(items)):
        raise ValueError("the licence does not include the text, but an item carries text")
    if kind == "scored":
        _check_scoring(defn, set(ids))
    return defn


def _check_scoring(defn: Definition, ids: set[str]) -> None:
    spec = defn.scoring
    total = spec.get("total")
    if not isinstance(total, dict) or not total.get("items"):
        raise ValueError(f"{defn.key}: a scored definition needs scoring.total.items")
    named = list(total["items"])
    named += [i for sub in spec.get("subscales", ()) for i in sub.get("items", ())]
    named += [c.get("item") for flag in spec.get("flags", ()) for c in flag.get("any", ())]
    named += list(spec.get("report_items", {}).values()) + list(spec.get("reversed", ()))
    unknown = sorted({str(i) for i in named} - ids)
    if unknown:
        raise ValueError(f"{defn.key}: scoring names unknown items {unknown}")


# -- loading ---------------------------------------------------------------------------------


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def codes() -> list[str]:
    return sorted(p.name for p in DEFINITIONS_DIR.iterdir() if p.is_dir() and any(p.glob("*.json")))


def versions(code: str) -> list[str]:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(code)):
        raise UnknownDefinition(code)
    folder = DEFINITIONS_DIR / code
    if not folder.is_dir():
        raise UnknownDefinition(code)
    return sorted((p.stem for p in folder.glob("*.json")), key=_version_key)


@lru_cache(maxsize=128)
def _load_path(path: Path, code: str, version: str) -> Definition:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    defn = parse(data)
    if defn.code != code or defn.version != version:
        raise ValueError(f"{path}: code/version inside the file do not match its path")
    return defn


def load(code: str, version: str | None = None) -> Definition:
    """The definition `code` at `version` (None = newest). Raises UnknownDefinition."""
    all_versions = versions(code)
    if not all_versions:
        raise UnknownDefinition(code)
    if version is None:
        version = all_versions[-1]
    version = str(version)
    if version not in all_versions:
        raise UnknownDefinition(f"{code}/{version}")
    return _load_path(DEFINITIONS_DIR / code / f"{version}.json", code, version)


def latest_all() -> list[Definition]:
    return [load(code) for code in codes()]

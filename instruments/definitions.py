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
# How the definition's texts relate to the published form (the `published` block):
# "published": the texts are the published wording, checked against the source named there;
# "not-shipped": short labels only, the municipality loads the published text it is licensed to;
# "paraphrase": an old version whose texts were written from knowledge of the form, kept only
# so that old responses keep their score and display; never used for new administration.
WORDINGS = {"published", "not-shipped", "paraphrase"}
PUBLISHED_FIELDS = ("title", "authors", "year", "version", "language", "where", "licence")
SHORT_LABEL_WORDS = 4  # an option label in a definition without published text: a short label


class UnknownDefinition(LookupError):
    """No definition with that code (and version)."""


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str
    score: float | None  # None = not scored
    # The published description of this answer, loaded by the municipality (never shipped
    # unless the definition's wording is "published"); the short label is shown without it.
    text: str | None = field(default=None, compare=False)

    @property
    def shown(self) -> str:
        return self.text or self.label


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
            return opt.shown
        index = self.options.index(opt)
        below = next((o for o in reversed(self.options[:index]) if not _is_bare_step(o)), None)
        above = next((o for o in self.options[index + 1 :] if not _is_bare_step(o)), None)
        if below is None or above is None:
            return opt.shown
        return _("%(value)s – between “%(below)s” and “%(above)s”") % {
            "value": opt.shown,
            "below": Truncator(below.shown).words(STEP_WORDS, truncate=" …"),
            "above": Truncator(above.shown).words(STEP_WORDS, truncate=" …"),
        }


STEP_WORDS = 6  # words of each neighbouring description that name a step between them


def _is_bare_step(opt: Option) -> bool:
    return opt.shown.strip() == str(opt.value)


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
    loaded_intro: str | None = field(default=None, compare=False)

    @property
    def published(self) -> dict:
        """The form's publisher, version and licence terms and how the texts relate to it."""
        return self.raw.get("published") or {}

    @property
    def wording(self) -> str:
        return self.published.get("wording", "published")

    @property
    def intro(self) -> str:
        """The instructions: loaded text over a not-shipped form, else the shipped ones."""
        return self.loaded_intro or self.raw.get("intro") or ""

    def described_options(self, item: Item) -> list[Option]:
        """The options the published form describes in words (MADRS-S: 0, 2, 4, 6)."""
        if item.type != "choice":
            return []
        described = self.published.get("described_options", "all")
        if described == "all":
            return list(item.options)
        wanted = {str(v) for v in described}
        return [o for o in item.options if str(o.value) in wanted]

    def required_texts(self) -> list[tuple[str, str | None]]:
        """Every text the published form has: (item id, None) for an item's text and
        (item id, option value) for each described option. A form without them all loaded
        may not be shown to a person (instruments.actions.wording_for)."""
        needed: list[tuple[str, str | None]] = []
        for item in self.answerable_items():
            needed.append((item.id, None))
            needed += [(item.id, str(o.value)) for o in self.described_options(item)]
        return needed

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

    def with_text(
        self,
        texts: dict[str, str],
        options: dict[str, dict[str, str]] | None = None,
        intro: str | None = None,
    ) -> Definition:
        """Overlay full item texts, option descriptions ({item id: {value: text}}) and the
        instructions (e.g. the published text loaded by an administrator)."""
        options = options or {}
        unknown = (set(texts) | set(options)) - {i.id for i in _walk(self.items)}
        if unknown:
            raise ValueError(f"unknown item ids: {sorted(unknown)}")
        for item_id, by_value in options.items():
            item = self.item(item_id)
            assert item is not None  # checked above
            missing = set(by_value) - {str(o.value) for o in item.options}
            if missing:
                raise ValueError(f"item {item_id}: unknown option values {sorted(missing)}")

        def with_options(it: Item) -> tuple[Option, ...]:
            by_value = options.get(it.id) or {}
            return tuple(replace(o, text=by_value.get(str(o.value), o.text)) for o in it.options)

        def overlay(items: tuple[Item, ...]) -> tuple[Item, ...]:
            return tuple(
                replace(
                    it,
                    text=texts.get(it.id, it.text),
                    options=with_options(it),
                    items=overlay(it.items),
                )
                for it in items
            )

        return replace(self, items=overlay(self.items), loaded_intro=intro or self.loaded_intro)

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
            Option(value=o["value"], label=o["label"], score=o.get("score"), text=o.get("text"))
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
    _check_published(defn)
    if kind == "scored":
        _check_scoring(defn, set(ids))
    return defn


def _check_published(defn: Definition) -> None:
    """A definition whose texts are not the published wording ships none of them."""
    if "published" not in defn.raw:
        return
    published = defn.raw["published"]
    if not isinstance(published, dict) or published.get("wording") not in WORDINGS:
        raise ValueError(f"{defn.key}: published.wording must be one of {sorted(WORDINGS)}")
    if published["wording"] != "not-shipped":
        return
    if defn.raw.get("intro"):
        raise ValueError(f"{defn.key}: wording not-shipped, but the instructions are shipped")
    for item in _walk(defn.items):
        if item.text:
            raise ValueError(f"{defn.key}: wording not-shipped, but item {item.id} has text")
        for opt in item.options:
            if opt.text or len(opt.label.split()) > SHORT_LABEL_WORDS:
                raise ValueError(
                    f"{defn.key}: wording not-shipped, but item {item.id} option {opt.value} "
                    "carries more than a short label"
                )


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

"""Exact scoring of self-rating instruments from their data definitions.

Everything instrument-specific is in the definition's "scoring" block (see
docs/instruments.md); the only rule written in code is SPSQ's screening rule, which is a
rule and not a sum (``_RULES``). A score that cannot be computed is reported as such, never
as a number.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from instruments.definitions import Definition, Item

RCI_THRESHOLD = 1.96


@dataclass
class SubScore:
    label: str
    value: float | None
    computable: bool
    prorated: bool = False
    missing: list[str] = field(default_factory=list)


@dataclass
class Band:
    code: str
    label: str
    low: float
    high: float
    guidance_only: bool = False


@dataclass
class Cutoff:
    code: str
    label: str
    threshold: float
    met: bool | None
    preliminary: bool = False
    sex: str | None = None


@dataclass
class Flag:
    code: str
    label: str
    item_id: str | None
    risk: bool


@dataclass
class Score:
    computable: bool
    total: float | None
    prorated: bool
    missing: list[str]
    subscales: dict[str, SubScore]
    band: Band | None
    bands: list[Band]
    cutoffs: list[Cutoff]
    flags: list[Flag]
    notes: list[str]
    details: dict
    range: tuple[float, float] | None
    definition: str = ""  # "code/version" the score was computed with

    @property
    def risk(self) -> bool:
        return any(f.risk for f in self.flags)

    def as_dict(self) -> dict:
        """JSON-serialisable form, for storing next to a response."""
        data = asdict(self)
        data["range"] = list(self.range) if self.range else None
        return data


@dataclass
class ReliableChange:
    rci: float
    threshold: float = RCI_THRESHOLD
    category: str = "unchanged"  # "improved" | "deteriorated" | "unchanged"
    se_diff: float = 0.0
    change: float = 0.0


# -- answers ---------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _item_error(item: Item, value: object) -> str | None:
    if item.type == "choice":
        return None if item.option(value) else _("Choose one of the given answers.")
    if item.type in ("integer", "decimal"):
        number = _number(value)
        if number is None or (item.type == "integer" and number != int(number)):
            return _("Enter a whole number.") if item.type == "integer" else _("Enter a number.")
        if (item.min is not None and number < item.min) or (
            item.max is not None and number > item.max
        ):
            return _("Enter a number from %(min)s to %(max)s.") % {
                "min": _fmt(item.min),
                "max": _fmt(item.max),
            }
        return None
    if item.type == "boolean":
        ok = isinstance(value, bool) or str(value).lower() in ("true", "false")
        return None if ok else _("Answer yes or no.")
    if item.type == "date":
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            return _("Enter a valid date.")
        return None
    if item.type == "time":
        try:
            datetime.time.fromisoformat(str(value))
        except ValueError:
            return _("Enter a valid time.")
        return None
    if item.type == "text":
        if not isinstance(value, str):
            return _("Enter text.")
        return _("The text is too long.") if len(value) > 4000 else None
    return _("This question takes no answer.")


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


def validate_answers(defn: Definition, answers: dict[str, object]) -> dict[str, str]:
    """Item id -> error message, for every answer that the definition does not allow."""
    errors: dict[str, str] = {}
    items = {it.id: it for it in defn.answerable_items()}
    for item_id, value in answers.items():
        item = items.get(str(item_id))
        if item is None:
            errors[str(item_id)] = _("Unknown question.")
        elif not _is_blank(value) and (error := _item_error(item, value)):
            errors[item.id] = error
    return errors


def unanswered_required(defn: Definition, answers: dict[str, object]) -> list[Item]:
    """Required items left blank that the answers ask (an item hidden by enable_when is not
    asked), in the definition's order."""
    return [
        item
        for item in defn.answerable_items()
        if item.required and is_enabled(item, answers) and _is_blank(answers.get(item.id))
    ]


def is_enabled(item: Item, answers: dict[str, object]) -> bool:
    for other, op, expected in item.enable_when:
        got = answers.get(other)
        if op == "=" and not (got == expected or str(got) == str(expected)):
            return False
        if op == "!=" and (got == expected or str(got) == str(expected)):
            return False
        if op == "exists" and _is_blank(got) == bool(expected):
            return False
    return True


def item_score(item: Item, value: object) -> float | None:
    """The score of one answer; None when blank, unscored or invalid."""
    if _is_blank(value):
        return None
    if item.type == "choice":
        option = item.option(value)
        return option.score if option else None
    if item.type in ("integer", "decimal") and _item_error(item, value) is None:
        return _number(value)
    return None


# -- sums with the missing-answer rule --------------------------------------------------------


def _sum(
    defn: Definition, item_ids: list[str], answers: dict[str, object], rule: dict
) -> tuple[float | None, bool, list[str]]:
    """(value, prorated, missing) for a sum of items under a missing-answer rule.

    rule: {"method": "none"} -> any missing item makes the sum not computable;
    {"method": "prorate", "max_missing": n} -> up to n missing items are replaced by the mean
    of the answered ones (sum * items / answered), rounded as the rule's "round" says.
    """
    scores, missing = [], []
    for item_id in item_ids:
        item = defn.item(item_id)
        if item is None:
            raise ValueError(f"{defn.key}: scoring names unknown item {item_id!r}")
        # An item hidden by enable_when is still missing for a sum: never a wrong number.
        value = item_score(item, answers.get(item_id))
        if value is None:
            missing.append(item_id)
        else:
            scores.append(value)
    if not missing:
        return float(sum(scores)), False, missing
    if rule.get("method") == "prorate" and scores and len(missing) <= rule.get("max_missing", 0):
        value = sum(scores) * (len(scores) + len(missing)) / len(scores)
        digits = rule.get("round")
        value = round(value, digits) if digits is not None else round(value, 2)
        return float(value), True, missing
    return None, False, missing


# -- bands, cut-offs, flags --------------------------------------------------------------------


def _norm_sex(sex: str | None) -> str | None:
    if not sex:
        return None
    sex = str(sex).strip().upper()
    return {"F": "F", "FEMALE": "F", "K": "F", "M": "M", "MALE": "M"}.get(sex)


def _bands(spec: dict, sex: str | None) -> list[Band]:
    guidance = bool(spec.get("bands_guidance_only"))
    chosen = [b for b in spec.get("bands", ()) if b.get("sex") in (None, sex)]
    return [Band(b["code"], b["label"], b["low"], b["high"], guidance) for b in chosen]


def _band_for(bands: list[Band], value: float | None) -> Band | None:
    if value is None:
        return None
    for band in bands:
        if band.low <= value <= band.high:
            return band
    return None


def _age_fits(cut: dict, age: int | None) -> bool:
    if "age_min" not in cut and "age_max" not in cut:
        return True
    if age is None:
        return False
    return cut.get("age_min", 0) <= age <= cut.get("age_max", 200)


def _cutoffs(
    spec: dict, sex: str | None, age: int | None, values: dict[str, float | None]
) -> list[Cutoff]:
    """Resolve cut-offs for this person: sex-specific ones by sex (all of them when the sex
    is unknown, so that nothing is hidden), and an age-specific cut-off replaces the general
    one with the same code and sex."""
    candidates = [
        c for c in spec.get("cutoffs", ()) if (sex is None or c.get("sex") in (None, sex))
    ]
    candidates = [c for c in candidates if _age_fits(c, age)]
    by_key: dict[tuple, dict] = {}
    for cut in candidates:
        key = (cut["code"], cut.get("sex"))
        specific = "age_min" in cut or "age_max" in cut
        if key not in by_key or specific:
            by_key[key] = cut
    result = []
    for cut in by_key.values():
        value = values.get(cut.get("on", "total"))
        result.append(
            Cutoff(
                code=cut["code"],
                label=cut["label"],
                threshold=cut["threshold"],
                met=None if value is None else value >= cut["threshold"],
                preliminary=bool(cut.get("preliminary")),
                sex=cut.get("sex"),
            )
        )
    return result


def _setting_threshold(name: str | None) -> float | None:
    if not name:
        return None
    from django.conf import settings

    if not settings.configured:
        return None
    value = getattr(settings, name, None)
    return None if value is None else float(value)


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "=": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
}


def _flags(defn: Definition, answers: dict[str, object]) -> tuple[list[Flag], list[dict]]:
    """Flags whose conditions hold on the answered items (a missing answer never raises or
    clears a flag on another item)."""
    flags, specs = [], []
    for spec in defn.scoring.get("flags", ()):
        override = _setting_threshold(spec.get("threshold_setting"))
        hit = None
        for cond in spec["any"]:
            item = defn.item(cond["item"])
            value = item_score(item, answers.get(cond["item"])) if item else None
            target = override if override is not None else cond["value"]
            if value is not None and _OPS[cond["op"]](value, target):
                hit = cond["item"]
                break
        if hit is not None:
            flags.append(Flag(spec["code"], spec["label"], hit, spec["risk"]))
            specs.append(spec)
    return flags, specs


# -- score ------------------------------------------------------------------------------------


def _structured_score(defn: Definition) -> Score:
    return Score(
        computable=False,
        total=None,
        prorated=False,
        missing=[],
        subscales={},
        band=None,
        bands=[],
        cutoffs=[],
        flags=[],
        notes=[_("This template is not scored.")],
        details={},
        range=None,
        definition=defn.key,
    )


def score(
    defn: Definition,
    answers: dict[str, object],
    *,
    sex: str | None = None,
    age: int | None = None,
    duration_months: int | None = None,
) -> Score:
    """Score `answers` (item id -> value; missing = absent or None) with `defn`.

    Raises ValueError when an answer is not allowed by the definition (call
    validate_answers first to show the errors to the user).
    """
    answers = {str(k): v for k, v in answers.items()}
    errors = validate_answers(defn, answers)
    if errors:
        raise ValueError(f"invalid answers: {errors}")
    if defn.kind == "structured":
        return _structured_score(defn)
    spec = defn.scoring
    sex = _norm_sex(sex)
    total_spec = spec["total"]
    total, prorated, missing = _sum(defn, total_spec["items"], answers, spec.get("missing", {}))
    subscales: dict[str, SubScore] = {}
    values: dict[str, float | None] = {"total": total}
    for sub in spec.get("subscales", ()):
        rule = sub.get("missing", spec.get("missing", {}))
        value, sub_prorated, sub_missing = _sum(defn, sub["items"], answers, rule)
        subscales[sub["code"]] = SubScore(
            sub["label"], value, value is not None, sub_prorated, sub_missing
        )
        values[sub["code"]] = value
    bands = _bands(spec, sex)
    band = _band_for(bands, total)
    flags, flag_specs = _flags(defn, answers)
    notes = list(spec.get("notes", ()))
    if total is None:
        notes.append(_("The total cannot be computed because questions are unanswered."))
    elif prorated:
        notes.append(_("The total is prorated for unanswered questions."))
    details: dict = {}
    for name, item_id in spec.get("report_items", {}).items():
        item = defn.item(item_id)
        details[name] = item_score(item, answers.get(item_id)) if item else None
    if band and any(s.get("raises_band") for s in flag_specs):
        # e.g. AUDIT: WHO's item rule moves the person up one zone.
        index = bands.index(band)
        details["adjusted_band"] = bands[min(index + 1, len(bands) - 1)].code
    result = Score(
        computable=total is not None,
        total=total,
        prorated=prorated,
        missing=missing,
        subscales=subscales,
        band=band,
        bands=bands,
        cutoffs=_cutoffs(spec, sex, age, values),
        flags=flags,
        notes=notes,
        details=details,
        range=(total_spec["min"], total_spec["max"]),
        definition=defn.key,
    )
    rule = _RULES.get(spec.get("rule", ""))
    if rule:
        rule(defn, answers, result, age=age, duration_months=duration_months)
    return result


# -- structured templates (En vanlig dag) -----------------------------------------------------


def compare_structured(
    defn: Definition, before: dict[str, object], after: dict[str, object]
) -> list[dict]:
    """Side by side rows for two accounts of a structured template (e.g. En vanlig dag on
    two dates): one row per group (time slot) with each field's answer before and after."""
    rows = []
    for group in defn.items:
        children = group.items if group.type == "group" else (group,)
        fields = [
            {
                "id": child.id,
                "label": child.label,
                "before": _display(child, before.get(child.id)),
                "after": _display(child, after.get(child.id)),
            }
            for child in children
            if child.type not in ("group", "display")
        ]
        fields_changed = [f for f in fields if f["before"] != f["after"]]
        rows.append(
            {
                "id": group.id,
                "label": group.label,
                "fields": fields,
                "changed": bool(fields_changed),
            }
        )
    return rows


def _display(item: Item, value: object) -> str | None:
    if _is_blank(value):
        return None
    if item.type == "choice":
        return item.option_text(value)
    if item.type == "boolean":
        return _("Yes") if value is True or str(value).lower() == "true" else _("No")
    return str(value)


# -- reliable change --------------------------------------------------------------------------


def reliable_change(defn: Definition, before: float, after: float) -> ReliableChange | None:
    """Jacobson & Truax (1991): SE_diff = SD * sqrt(2) * sqrt(1 - r); RCI = change / SE_diff.

    None when the definition has no published reliability and norm SD.
    """
    rel = defn.scoring.get("reliability")
    if not rel or rel.get("r") is None or rel.get("sd") is None:
        return None
    se_diff = rel["sd"] * math.sqrt(2) * math.sqrt(1 - rel["r"])
    change = after - before
    rci = change / se_diff
    category = "unchanged"
    if abs(rci) > RCI_THRESHOLD:
        worse = rci > 0 if defn.higher_is_worse else rci < 0
        category = "deteriorated" if worse else "improved"
    return ReliableChange(
        rci=round(rci, 3),
        category=category,
        se_diff=round(se_diff, 3),
        change=change,
    )


# -- rules that are not sums --------------------------------------------------------------------


def _ticked(answers: dict[str, object], item_id: str) -> bool:
    value = answers.get(item_id)
    return value is True or str(value).lower() == "true"


def _spsq(defn: Definition, answers: dict[str, object], result: Score, *, age, duration_months):
    """SPSQ screening (Furmark et al. 1999; carlbring.se/fbanken/spsq), a rule and not a sum.

    A situation rated 3+ on question 1 qualifies when it is also ticked for criterion A
    (question 3 or 4), B (2 or 5), C (6) and D (2 or 7). Positive screen: a qualifying
    situation, criterion E (a "yes" on question 8) and criterion F (over 18, otherwise six
    months' duration). Generalised subtype: 5+ situations at 3+ and/or total 30+.
    Unknown facts give None (not computable), never a guess.
    """

    def item(item_id: str) -> Item:
        found = defn.item(item_id)
        if found is None:
            raise ValueError(f"the SPSQ definition has no item {item_id!r}")
        return found

    ratings = {n: item_score(item(f"1.{n}"), answers.get(f"1.{n}")) for n in range(1, 15)}
    high = [n for n, v in ratings.items() if v is not None and v >= 3]

    def ticked(q: int, n: int) -> bool:
        return _ticked(answers, f"{q}.{n}")

    qualifying = [
        n
        for n in high
        if (ticked(3, n) or ticked(4, n))
        and (ticked(2, n) or ticked(5, n))
        and ticked(6, n)
        and (ticked(2, n) or ticked(7, n))
    ]
    crit_e = any(_ticked(answers, f"8.{d}") for d in (1, 2, 3))
    if duration_months is None:
        duration_months = item_score(item("9"), answers.get("9"))
    if age is not None and age >= 18:
        crit_f: bool | None = True
    elif duration_months is not None and duration_months >= 6:
        crit_f = True
    elif age is None or duration_months is None:
        crit_f = None
    else:
        crit_f = False
    if not qualifying or not crit_e or crit_f is False:
        # A missing rating on question 1 could still have qualified.
        unknown = any(v is None for v in ratings.values()) and crit_e and crit_f is not False
        positive: bool | None = None if unknown else False
    else:
        positive = None if crit_f is None else True
    subtype = None
    if positive:
        if len(high) >= 5 or (result.total is not None and result.total >= 30):
            subtype = "generalised"
        elif result.total is not None:
            subtype = "non-generalised"
    avoidant = result.subscales.get("avoidant")
    result.details.update(
        {
            "screen_positive": positive,
            "subtype": subtype,
            "situations_at_3_plus": high,
            "qualifying_situations": qualifying,
            "criterion_e": crit_e,
            "criterion_f": crit_f,
            "avoidant_score": avoidant.value if avoidant else None,
        }
    )
    if positive:
        label = (
            _("SPSQ screen positive for social phobia (generalised)")
            if subtype == "generalised"
            else _("SPSQ screen positive for social phobia")
        )
        result.flags.append(Flag("spsq-screen-positive", label, None, False))
    elif positive is None:
        result.notes.append(
            _("The SPSQ screening cannot be completed: some answers or the age are missing.")
        )


_RULES: dict[str, Callable[..., None]] = {"spsq": _spsq}

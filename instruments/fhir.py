"""HL7 FHIR R5 (5.0.0) Questionnaire / QuestionnaireResponse import and export.

R5 is the release `fhir.resources` 8.x supports as its default package; every document we
write or read is validated with it. Item scores travel as the core extension
``http://hl7.org/fhir/StructureDefinition/itemWeight`` (valueDecimal) on each
``answerOption`` - the FHIR Extensions Pack says "in questionnaires, this extension goes on
answerOption where possible" (it was called ordinalValue before R5). ``initialSelected`` is
not used for scores: it marks a pre-selected option. What FHIR has no field for (licence,
scoring rules, kind, recall) travels as JSON in one Brygga extension on the Questionnaire, so
that an exported definition reads back equal.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from instruments.definitions import Definition, Item, parse
from instruments.scoring import unanswered_required, validate_answers

if TYPE_CHECKING:
    from fhir.resources.questionnaire import Questionnaire
    from fhir.resources.questionnaireresponse import QuestionnaireResponse

FHIR_RELEASE = "R5 (5.0.0)"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
SHORT_TEXT = "http://hl7.org/fhir/StructureDefinition/questionnaire-shortText"
BASE = "https://brygga.se/fhir/StructureDefinition/"
EXT_DEFINITION = BASE + "instrument-definition"
EXT_LABEL_ONLY = BASE + "label-only"
EXT_HELP = BASE + "item-help"
CANONICAL = "urn:brygga:instrument:"

# Brygga item type -> FHIR R5 Questionnaire.item.type
_TYPES = {
    "choice": "coding",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "text": "text",
    "date": "date",
    "time": "time",
    "group": "group",
    "display": "display",
}
_VALUE_KEYS = {
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "boolean": "valueBoolean",
    "text": "valueString",
    "date": "valueDate",
    "time": "valueTime",
}
_STATUSES = {
    "Questionnaire": {"draft", "active", "retired", "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
}
# A QuestionnaireResponse in these states claims every required answer is given.
FINISHED_STATUSES = {"completed", "amended"}
_META_KEYS = (
    "kind",
    "licence",
    "recall",
    "higher_is_worse",
    "scoring",
    "intro",
    "structure",
    "published",
)


def _validate(model_name: str, data: object) -> None:
    model: type[Questionnaire] | type[QuestionnaireResponse]
    if model_name == "Questionnaire":
        from fhir.resources.questionnaire import Questionnaire as model
    else:
        from fhir.resources.questionnaireresponse import QuestionnaireResponse as model
    if not isinstance(data, dict) or data.get("resourceType") != model_name:
        raise ValueError(f"not a FHIR {model_name}: resourceType is missing or different")
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValueError(f"invalid FHIR {model_name} at {where}: {first.get('msg')}") from None
    # fhir.resources checks structure and primitive types, not required code bindings.
    if data.get("status") not in _STATUSES[model_name]:
        raise ValueError(f"invalid FHIR {model_name} at status: {data.get('status')!r}")


def _option_code(value: object) -> str:
    return str(value)


def _code_value(code: str) -> int | str:
    return int(code) if re.fullmatch(r"-?\d+", code) else code


def _system(defn_code: str) -> str:
    return f"{CANONICAL}{defn_code}:answers"


# -- Questionnaire ---------------------------------------------------------------------------


def _minmax(item: Item) -> list[dict]:
    key = "valueInteger" if item.type == "integer" else "valueDecimal"
    cast = int if item.type == "integer" else float
    exts = []
    if item.min is not None:
        exts.append({"url": MIN_VALUE, key: cast(item.min)})
    if item.max is not None:
        exts.append({"url": MAX_VALUE, key: cast(item.max)})
    return exts


def _answer_value(defn: Definition, item: Item, value: object) -> dict:
    if item.type == "choice":
        option = item.option(value)
        coding: dict[str, object] = {"system": _system(defn.code), "code": _option_code(value)}
        if option:
            coding["display"] = option.label
        return {"valueCoding": coding}
    if item.type == "time" and isinstance(value, str) and len(value) == 5:
        value += ":00"  # FHIR time is hh:mm:ss; Brygga stores hh:mm
    return {_VALUE_KEYS[item.type]: value}


def _item_to_fhir(defn: Definition, item: Item) -> dict:
    # Licensed text an administrator laid over the definition (with_text) is never exported:
    # a licence that does not include the text gets short labels only.
    text = item.text if defn.licence.text_included else None
    out: dict = {"linkId": item.id, "type": _TYPES[item.type], "text": text or item.label}
    exts: list[dict[str, object]] = [{"url": SHORT_TEXT, "valueString": item.label}]
    if text is None:
        exts.append({"url": EXT_LABEL_ONLY, "valueBoolean": True})
    if item.help:
        exts.append({"url": EXT_HELP, "valueString": item.help})
    if item.type in ("integer", "decimal"):
        exts += _minmax(item)
    out["extension"] = exts
    if item.required:
        out["required"] = True
    if item.options:
        out["answerConstraint"] = "optionsOnly"
        out["answerOption"] = [_option_to_fhir(defn, o) for o in item.options]
    if item.enable_when:
        out["enableWhen"] = [_enable_when_to_fhir(defn, cond) for cond in item.enable_when]
        out["enableBehavior"] = "all"
    if item.items:
        out["item"] = [_item_to_fhir(defn, child) for child in item.items]
    return out


def _option_to_fhir(defn: Definition, option) -> dict:
    out: dict = {
        "valueCoding": {
            "system": _system(defn.code),
            "code": _option_code(option.value),
            "display": option.label,
        }
    }
    if option.score is not None:
        out["extension"] = [{"url": ITEM_WEIGHT, "valueDecimal": option.score}]
    return out


def _enable_when_to_fhir(defn: Definition, cond: tuple) -> dict:
    other_id, op, expected = cond
    other = defn.item(other_id)
    if other is None:
        raise ValueError(f"enable_when refers to unknown item {other_id!r}")
    if op == "exists":
        return {"question": other_id, "operator": "exists", "answerBoolean": bool(expected)}
    value = _answer_value(defn, other, expected)
    key, val = next(iter(value.items()))
    return {"question": other_id, "operator": op, key.replace("value", "answer", 1): val}


def to_questionnaire(defn: Definition) -> dict:
    """The definition as a FHIR R5 Questionnaire (validated with fhir.resources)."""
    meta = {key: defn.raw.get(key) for key in _META_KEYS if key in defn.raw}
    meta["licence"] = {
        "status": defn.licence.status,
        "electronic_use": defn.licence.electronic_use,
        "text_included": defn.licence.text_included,
        "attribution": defn.licence.attribution,
        "notes": defn.licence.notes,
    }
    meta["kind"] = defn.kind
    meta["recall"] = defn.recall
    meta["higher_is_worse"] = defn.higher_is_worse
    data = {
        "resourceType": "Questionnaire",
        "id": f"{defn.code}-{defn.version}".replace("_", "-")[:64],
        "url": CANONICAL + defn.code,
        "version": defn.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", defn.code.title()) or "Instrument",
        "title": defn.title,
        "status": "active",
        "description": defn.source,
        "copyright": defn.licence.attribution or defn.licence.notes or defn.licence.status,
        "extension": [{"url": EXT_DEFINITION, "valueString": json.dumps(meta, ensure_ascii=False)}],
        "item": [_item_to_fhir(defn, it) for it in defn.items],
    }
    _validate("Questionnaire", data)
    return data


def _ext(element: dict, url: str) -> dict | None:
    for ext in element.get("extension") or ():
        if ext.get("url") == url:
            return ext
    return None


_TYPES_BACK = {v: k for k, v in _TYPES.items()}


def _item_from_fhir(data: dict) -> dict:
    fhir_type = data.get("type")
    if fhir_type not in _TYPES_BACK:
        raise ValueError(f"item {data.get('linkId')!r}: unsupported type {fhir_type!r}")
    itype = _TYPES_BACK[fhir_type]
    short = _ext(data, SHORT_TEXT)
    label_only = _ext(data, EXT_LABEL_ONLY)
    out: dict = {
        "id": data["linkId"],
        "type": itype,
        "label": short["valueString"] if short else data.get("text") or data["linkId"],
    }
    if not (label_only and label_only.get("valueBoolean")) and data.get("text") is not None:
        out["text"] = data["text"]
    if data.get("required"):
        out["required"] = True
    help_ext = _ext(data, EXT_HELP)
    if help_ext:
        out["help"] = help_ext["valueString"]
    for url, key in ((MIN_VALUE, "min"), (MAX_VALUE, "max")):
        ext = _ext(data, url)
        if ext:
            out[key] = ext.get("valueInteger", ext.get("valueDecimal"))
    if data.get("answerOption"):
        out["options"] = [_option_from_fhir(data["linkId"], o) for o in data["answerOption"]]
    if data.get("enableWhen"):
        out["enable_when"] = [_enable_when_from_fhir(c) for c in data["enableWhen"]]
    if data.get("item"):
        out["items"] = [_item_from_fhir(child) for child in data["item"]]
    return out


def _option_from_fhir(link_id: str, data: dict) -> dict:
    coding = data.get("valueCoding")
    if not coding or "code" not in coding:
        raise ValueError(f"item {link_id!r}: answer options must be codings with a code")
    weight = _ext(data, ITEM_WEIGHT)
    score = weight.get("valueDecimal") if weight else None
    if isinstance(score, float) and score.is_integer():
        score = int(score)
    return {
        "value": _code_value(coding["code"]),
        "label": coding.get("display") or coding["code"],
        "score": score,
    }


def _enable_when_from_fhir(data: dict) -> list:
    op = data["operator"]
    for key, value in data.items():
        if key.startswith("answer"):
            if key == "answerCoding":
                value = _code_value(value["code"])
            return [data["question"], op, value]
    raise ValueError(f"enableWhen on {data.get('question')!r} has no answer")


def from_questionnaire(data: object) -> Definition:
    """A Definition from a Questionnaire written by to_questionnaire; ValueError if malformed."""
    _validate("Questionnaire", data)
    assert isinstance(data, dict)  # _validate refuses anything else
    ext = _ext(data, EXT_DEFINITION)
    if not ext:
        raise ValueError(
            "not a Brygga instrument definition: the instrument-definition extension is missing"
        )
    try:
        meta = json.loads(ext["valueString"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("the instrument-definition extension is not valid JSON") from None
    url = data.get("url") or ""
    if not url.startswith(CANONICAL) or not data.get("version"):
        raise ValueError("the Questionnaire has no Brygga url or no version")
    raw = {
        "code": url[len(CANONICAL) :],
        "version": data["version"],
        "title": data.get("title") or url,
        "source": data.get("description") or "",
        **meta,
        "items": [_item_from_fhir(i) for i in data.get("item") or ()],
    }
    return parse(raw)


# -- QuestionnaireResponse -------------------------------------------------------------------


def _response_items(defn: Definition, items: tuple[Item, ...], answers: dict) -> list[dict]:
    out = []
    for item in items:
        if item.type == "group":
            children = _response_items(defn, item.items, answers)
            if children:
                out.append({"linkId": item.id, "text": item.label, "item": children})
            continue
        value = answers.get(item.id)
        if item.type == "display" or value is None or value == "":
            continue
        if item.type == "decimal":
            value = float(value)
        elif item.type == "integer":
            value = int(value)
        out.append(
            {"linkId": item.id, "text": item.label, "answer": [_answer_value(defn, item, value)]}
        )
    return out


def to_response(
    defn: Definition,
    answers: dict[str, object],
    *,
    authored: datetime.datetime | None = None,
    subject: str | None = None,
) -> dict:
    """Answers as a FHIR R5 QuestionnaireResponse. `subject` is a reference such as
    "Patient/<uuid>"; leave it out to export without identifying the person."""
    errors = validate_answers(defn, answers)
    if errors:
        raise ValueError(f"invalid answers: {errors}")
    answers = {str(k): v for k, v in answers.items()}
    missing = [
        i.id for i in defn.answerable_items() if i.required and answers.get(i.id) in (None, "")
    ]
    data: dict = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{CANONICAL}{defn.code}|{defn.version}",
        "status": "in-progress" if missing else "completed",
        "item": _response_items(defn, defn.items, answers),
    }
    if authored:
        data["authored"] = authored.isoformat()
    if subject:
        data["subject"] = {"reference": subject}
    _validate("QuestionnaireResponse", data)
    return data


def _read_answer(defn: Definition, item: Item, answer: dict) -> object:
    if item.type == "choice":
        coding = answer.get("valueCoding")
        if not coding or "code" not in coding:
            raise ValueError(f"item {item.id!r}: expected a coded answer")
        if coding.get("system") not in (None, _system(defn.code)):
            raise ValueError(f"item {item.id!r}: answer from an unknown code system")
        value = _code_value(coding["code"])
        if item.option(value) is None:
            raise ValueError(f"item {item.id!r}: {coding['code']!r} is not one of its answers")
        return value
    key = _VALUE_KEYS.get(item.type)
    if key is None or key not in answer:
        raise ValueError(f"item {item.id!r}: expected {key or 'no answer'}")
    value = answer[key]
    if item.type == "time" and isinstance(value, str) and re.fullmatch(r"\d\d:\d\d:00", value):
        value = value[:5]
    if item.type == "decimal":
        return float(value)
    return value


def _collect(defn: Definition, items: list, out: dict) -> None:
    for data in items:
        link_id = data.get("linkId")
        item = defn.item(link_id) if link_id else None
        if item is None:
            raise ValueError(f"unknown question {link_id!r} for {defn.key}")
        if item.type == "group":
            _collect(defn, data.get("item") or [], out)
            continue
        answers = data.get("answer") or []
        if len(answers) > 1:
            raise ValueError(f"item {link_id!r}: more than one answer")
        if link_id in out:
            raise ValueError(f"item {link_id!r} is answered twice")
        if answers:
            out[link_id] = _read_answer(defn, item, answers[0])


def from_response(defn: Definition, data: dict) -> dict[str, object]:
    """Answers (item id -> value) from a QuestionnaireResponse for `defn`.

    Raises ValueError with a reason when the document is not valid FHIR, is for another
    questionnaire or version, or holds answers the definition does not allow."""
    _validate("QuestionnaireResponse", data)
    expected = f"{CANONICAL}{defn.code}|{defn.version}"
    if data.get("questionnaire") != expected:
        raise ValueError(f"the response is for {data.get('questionnaire')!r}, not {expected!r}")
    answers: dict[str, object] = {}
    _collect(defn, data.get("item") or [], answers)
    errors = validate_answers(defn, answers)
    if errors:
        raise ValueError(f"answers not allowed by {defn.key}: {errors}")
    missing = unanswered_required(defn, answers)
    if missing and data.get("status") in FINISHED_STATUSES:
        # A response marked finished without a required answer is not a completed rating: it
        # would be stored with no total and, for MADRS-S item 9, no suicide-risk flag.
        named = ", ".join(f"{item.id!r} ({item.label})" for item in missing)
        raise ValueError(
            f"the response is {data.get('status')!r} but required items are not answered: {named}"
        )
    return answers

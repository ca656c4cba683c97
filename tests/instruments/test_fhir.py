"""FHIR R5 Questionnaire / QuestionnaireResponse export and import, validated by fhir.resources."""

import copy
import datetime

import pytest
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from instruments.definitions import latest_all, load
from instruments.fhir import (
    ITEM_WEIGHT,
    from_questionnaire,
    from_response,
    to_questionnaire,
    to_response,
)
from instruments.scoring import score

ALL = latest_all()


def full_answers(defn):
    """An answer for every question: the last option, the maximum, some text."""
    values = {}
    for item in defn.answerable_items():
        if item.options:
            values[item.id] = item.options[-1].value
        elif item.type == "boolean":
            values[item.id] = True
        elif item.type == "integer":
            values[item.id] = int(item.max if item.max is not None else 3)
        elif item.type == "date":
            values[item.id] = "2026-03-01"
        elif item.type == "time":
            values[item.id] = "07:30"
        else:
            values[item.id] = "Läser och fikar med mamma"
    return values


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.key)
def test_every_definition_round_trips_through_a_valid_questionnaire(defn):
    data = to_questionnaire(defn)
    Questionnaire.model_validate(data)  # valid FHIR R5
    back = from_questionnaire(copy.deepcopy(data))
    assert back == defn
    assert back.scoring == defn.scoring
    assert back.licence == defn.licence


def test_item_scores_travel_as_item_weight_on_answer_options():
    data = to_questionnaire(load("kasam-13"))
    item_1 = data["item"][0]  # reversed: answer 1 scores 7
    assert item_1["type"] == "coding" and item_1["answerConstraint"] == "optionsOnly"
    first = item_1["answerOption"][0]
    assert first["valueCoding"]["code"] == "1"
    assert first["extension"] == [{"url": ITEM_WEIGHT, "valueDecimal": 7}]


def test_licensed_definitions_export_labels_only():
    data = to_questionnaire(load("sheehan"))
    assert from_questionnaire(data).item("1").text is None
    assert "Sheehan" in data["copyright"]


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.key)
def test_a_response_round_trips_and_scores_the_same(defn):
    answers = full_answers(defn)
    authored = datetime.datetime(2026, 3, 1, 10, 30, tzinfo=datetime.UTC)
    data = to_response(defn, answers, authored=authored, subject="Patient/abc")
    QuestionnaireResponse.model_validate(data)
    assert data["status"] == "completed"
    assert data["questionnaire"].endswith(f"{defn.code}|{defn.version}")
    back = from_response(defn, copy.deepcopy(data))
    assert back == answers
    assert score(defn, back, sex="F", age=30) == score(defn, answers, sex="F", age=30)


def test_an_incomplete_response_is_in_progress():
    madrs = load("madrs-s")
    data = to_response(madrs, {"1": 2, "9": 4})
    assert data["status"] == "in-progress"
    assert from_response(madrs, data) == {"1": 2, "9": 4}


@pytest.mark.parametrize("status", ["completed", "amended"])
def test_a_finished_response_without_a_required_answer_is_refused_naming_the_item(status):
    madrs = load("madrs-s")
    data = to_response(madrs, {str(i): 1 for i in range(1, 10)})
    data["item"] = [item for item in data["item"] if item["linkId"] != "9"]
    data["status"] = status
    with pytest.raises(ValueError, match=r"required items are not answered: '9'"):
        from_response(madrs, data)


def _madrs_response():
    madrs = load("madrs-s")
    return madrs, to_response(madrs, {str(i): 1 for i in range(1, 10)})


@pytest.mark.parametrize(
    "mutate,reason",
    [
        (lambda d: d.update(resourceType="Patient"), "not a FHIR QuestionnaireResponse"),
        (lambda d: d.update(status="finished-ish"), "invalid FHIR"),
        (lambda d: d["item"][0].pop("linkId"), "invalid FHIR"),
        (lambda d: d.update(questionnaire="urn:brygga:instrument:audit|1"), "not"),
        (lambda d: d.update(questionnaire="urn:brygga:instrument:madrs-s|7"), "not"),
        (lambda d: d["item"][0].update(linkId="99"), "unknown question"),
        (lambda d: d["item"][0]["answer"][0]["valueCoding"].update(code="7"), "not one of"),
        (lambda d: d["item"][0].update(answer=[{"valueString": "1"}]), "coded answer"),
        (lambda d: d["item"].append(copy.deepcopy(d["item"][0])), "twice"),
    ],
)
def test_a_malformed_response_gives_a_value_error_with_a_reason(mutate, reason):
    madrs, data = _madrs_response()
    mutate(data)
    with pytest.raises(ValueError, match=reason):
        from_response(madrs, data)


def test_a_response_that_is_not_a_dict_is_refused():
    with pytest.raises(ValueError, match="not a FHIR"):
        from_response(load("madrs-s"), ["not", "a", "resource"])


@pytest.mark.parametrize(
    "mutate,reason",
    [
        (lambda d: d.update(resourceType="QuestionnaireResponse"), "not a FHIR Questionnaire"),
        (lambda d: d.update(status="maybe"), "invalid FHIR Questionnaire"),
        (lambda d: d.pop("extension"), "not a Brygga instrument"),
        (lambda d: d["extension"][0].update(valueString="{broken"), "not valid JSON"),
        (lambda d: d["item"][0].update(type="attachment"), "unsupported type"),
        (lambda d: d["item"].append(copy.deepcopy(d["item"][0])), "unique"),
    ],
)
def test_a_malformed_questionnaire_gives_a_value_error_with_a_reason(mutate, reason):
    data = to_questionnaire(load("madrs-s"))
    mutate(data)
    with pytest.raises(ValueError, match=reason):
        from_questionnaire(data)


def test_invalid_answers_are_not_exported():
    with pytest.raises(ValueError):
        to_response(load("madrs-s"), {"1": 9})


def test_licensed_text_laid_over_by_an_administrator_is_never_exported():
    sds = load("sheehan").with_text({"1": "Licensierad text"})
    data = to_questionnaire(sds)
    assert "Licensierad text" not in str(data)
    assert from_questionnaire(data) == load("sheehan")

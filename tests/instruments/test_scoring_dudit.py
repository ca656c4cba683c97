"""DUDIT: total 0-44, sex- and age-specific cut-offs, dependence at 25."""

import pytest

from instruments.definitions import load
from instruments.scoring import score, validate_answers


@pytest.fixture
def dudit():
    return load("dudit", "1")


def answers(*values):
    values = list(values) + [0] * (11 - len(values))
    return {str(i): v for i, v in enumerate(values, start=1)}


def cut(result, code):
    return [c for c in result.cutoffs if c.code == code]


def test_minimum_and_maximum(dudit):
    assert score(dudit, answers()).total == 0
    top = score(dudit, answers(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4))
    assert top.total == 44 and top.range == (0, 44)


def test_items_10_and_11_take_only_0_2_or_4(dudit):
    assert [o.score for o in dudit.item("11").options] == [0, 2, 4]
    assert set(validate_answers(dudit, {"10": 1, "11": 3, "9": 4})) == {"10", "11"}


def test_mixed_case(dudit):
    # 2 + 1 + 1 + 0 + 0 + 0 + 0 + 0 + 1 + 0 + 2 = 7
    result = score(dudit, answers(2, 1, 1, 0, 0, 0, 0, 0, 1, 0, 2), sex="M", age=40)
    assert result.total == 7
    assert [c.met for c in cut(result, "drug-problems")] == [True]
    assert [c.met for c in cut(result, "dependence")] == [False]


@pytest.mark.parametrize(
    "sex,total,met", [("M", 5, False), ("M", 6, True), ("F", 1, False), ("F", 2, True)]
)
def test_drug_problem_cut_off_by_sex(dudit, sex, total, met):
    values = answers(*([1] * total))
    (cutoff,) = cut(score(dudit, values, sex=sex, age=40), "drug-problems")
    assert cutoff.met is met and cutoff.sex == sex and not cutoff.preliminary


@pytest.mark.parametrize(
    "sex,total,met", [("M", 6, False), ("M", 7, True), ("F", 2, False), ("F", 3, True)]
)
def test_preliminary_cut_offs_for_ages_16_to_25(dudit, sex, total, met):
    values = answers(*([1] * total))
    (cutoff,) = cut(score(dudit, values, sex=sex, age=20), "drug-problems")
    assert cutoff.preliminary
    assert cutoff.threshold == (7 if sex == "M" else 3)
    assert cutoff.met is met


def test_age_26_uses_the_general_cut_off(dudit):
    (cutoff,) = cut(score(dudit, answers(1, 1, 1, 1, 1, 1), sex="M", age=26), "drug-problems")
    assert cutoff.threshold == 6 and cutoff.met and not cutoff.preliminary


def test_probable_dependence_at_25_for_everyone(dudit):
    at_24 = answers(4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0)
    at_25 = answers(4, 4, 4, 4, 4, 4, 1, 0, 0, 0, 0)
    assert [c.met for c in cut(score(dudit, at_24, sex="F"), "dependence")] == [False]
    assert [c.met for c in cut(score(dudit, at_25, sex="F"), "dependence")] == [True]


def test_missing_answer_is_not_computable(dudit):
    values = answers(4, 4)
    del values["11"]
    result = score(dudit, values, sex="M")
    assert result.total is None and result.missing == ["11"]
    assert all(c.met is None for c in result.cutoffs)


def test_no_item_is_reversed_and_there_are_no_bands(dudit):
    assert dudit.scoring["reversed"] == [] and dudit.scoring["bands"] == []
    for item in dudit.answerable_items():
        scores = [o.score for o in item.options]
        assert scores == sorted(scores)

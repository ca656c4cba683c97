"""SPSQ: the screening is a rule (criteria A-F), the subtype a guideline, question 10 apart."""

import pytest

from instruments.definitions import load
from instruments.scoring import score


@pytest.fixture
def spsq():
    return load("spsq", "1")


def ratings(*values, default=0):
    values = list(values) + [default] * (14 - len(values))
    return {f"1.{n}": v for n, v in enumerate(values, start=1)}


def tick(answers, situation, *questions):
    for q in questions:
        answers[f"{q}.{situation}"] = True
    return answers


def positive_case(**extra):
    """Situation 3 rated 3, ticked for A (q3), B and D (q2), C (q6); work affected (E)."""
    answers = ratings(0, 0, 3)
    tick(answers, 3, 2, 3, 6)
    answers["8.1"] = True
    answers.update(extra)
    return answers


def test_minimum_zero_screens_negative(spsq):
    result = score(spsq, ratings(), age=30)
    assert result.total == 0 and result.range == (0, 56)
    assert result.details["screen_positive"] is False
    assert result.flags == []


def test_maximum_56(spsq):
    assert score(spsq, ratings(*([4] * 14)), age=30).total == 56


def test_one_situation_meeting_a_to_f_screens_positive_non_generalised(spsq):
    result = score(spsq, positive_case(), age=25)
    assert result.total == 3
    assert result.details["screen_positive"] is True
    assert result.details["qualifying_situations"] == [3]
    assert result.details["subtype"] == "non-generalised"
    assert [f.code for f in result.flags] == ["spsq-screen-positive"]
    assert not result.flags[0].risk


def test_criteria_through_the_alternative_questions(spsq):
    # A via question 4, B via question 5, C via 6, D via 7
    answers = tick(ratings(4), 1, 4, 5, 6, 7)
    answers["8.3"] = True
    assert score(spsq, answers, age=40).details["screen_positive"] is True


def test_situation_rated_3_without_criterion_c_is_negative(spsq):
    answers = positive_case()
    del answers["6.3"]
    assert score(spsq, answers, age=25).details["screen_positive"] is False


def test_criteria_ticked_for_a_situation_rated_only_2_do_not_count(spsq):
    answers = positive_case()
    answers["1.3"] = 2
    assert score(spsq, answers, age=25).details["screen_positive"] is False


def test_no_affected_life_domain_is_negative(spsq):
    answers = positive_case()
    del answers["8.1"]
    result = score(spsq, answers, age=25)
    assert result.details["criterion_e"] is False
    assert result.details["screen_positive"] is False


@pytest.mark.parametrize(
    "age,months,expected",
    [
        (18, None, True),
        (17, 6, True),
        (17, 5, False),
        (None, None, None),
    ],
)
def test_criterion_f_age_18_or_six_months(spsq, age, months, expected):
    result = score(spsq, positive_case(), age=age, duration_months=months)
    assert result.details["screen_positive"] is expected


def test_duration_can_come_from_question_9(spsq):
    result = score(spsq, positive_case(**{"9": 12}))
    assert result.details["criterion_f"] is True
    assert result.details["screen_positive"] is True


def test_generalised_when_five_situations_at_3(spsq):
    answers = positive_case()
    answers.update({"1.5": 3, "1.6": 3, "1.7": 3, "1.8": 3})  # 5 at 3+, total 15
    result = score(spsq, answers, age=30)
    assert result.total == 15
    assert result.details["subtype"] == "generalised"


def test_generalised_when_total_is_30_with_fewer_high_situations(spsq):
    # situations 1-2 at 4 and 3 at 3 (3 high), eleven at 2: 8 + 3 + 22 = 33
    answers = ratings(4, 4, 3, default=2)
    tick(answers, 3, 2, 3, 6)
    answers["8.2"] = True
    result = score(spsq, answers, age=30)
    assert result.total == 33 and len(result.details["situations_at_3_plus"]) == 3
    assert result.details["subtype"] == "generalised"


def test_total_29_with_four_high_situations_is_not_generalised(spsq):
    # four at 3 = 12, seven at 2 = 14, three at 1 = 3: 29
    answers = ratings(3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1)
    tick(answers, 3, 2, 3, 6)
    answers["8.1"] = True
    result = score(spsq, answers, age=30)
    assert result.total == 29
    assert result.details["subtype"] == "non-generalised"


def test_a_missing_rating_leaves_a_negative_screen_undecided(spsq):
    answers = ratings()
    del answers["1.14"]
    answers["8.1"] = True
    result = score(spsq, answers, age=30)
    assert result.total is None
    assert result.details["screen_positive"] is None


def test_question_10_scored_separately_with_statements_1_and_5_reversed(spsq):
    all_true = {f"10.{n}": "yes" for n in range(1, 8)}
    all_false = {f"10.{n}": "no" for n in range(1, 8)}
    assert score(spsq, {**ratings(), **all_true}, age=30).details["avoidant_score"] == 5
    assert score(spsq, {**ratings(), **all_false}, age=30).details["avoidant_score"] == 2
    mixed = {**all_false, "10.1": "yes", "10.2": "yes", "10.5": "no"}  # 0 + 1 + 1 (5 reversed)
    result = score(spsq, {**ratings(), **mixed}, age=30)
    assert result.details["avoidant_score"] == 2
    assert result.total == 0  # question 10 is not part of the total


def test_unknown_licence_ships_labels_only(spsq):
    assert spsq.licence.status == "unknown"
    assert not spsq.licence.electronic_use and not spsq.licence.text_included

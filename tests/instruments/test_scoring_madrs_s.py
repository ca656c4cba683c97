"""MADRS-S: nine items 0-6, total 0-54, bands as guidance, item 9 risk flag."""

import pytest

from instruments.definitions import load
from instruments.scoring import score, validate_answers

ITEMS = [str(i) for i in range(1, 10)]


@pytest.fixture
def madrs():
    return load("madrs-s", "1")


def answers(*values):
    return dict(zip(ITEMS, values, strict=True))


def test_minimum_is_zero_with_no_depression_band_and_no_flag(madrs):
    result = score(madrs, answers(0, 0, 0, 0, 0, 0, 0, 0, 0))
    assert result.computable and result.total == 0
    assert result.band.code == "minimal"
    assert result.flags == []
    assert result.range == (0, 54)


def test_maximum_is_54_severe_and_raises_the_suicide_risk_flag(madrs):
    result = score(madrs, answers(6, 6, 6, 6, 6, 6, 6, 6, 6))
    assert result.total == 54
    assert result.band.code == "severe"
    assert [(f.code, f.item_id, f.risk) for f in result.flags] == [("suicide-risk", "9", True)]


def test_mixed_answers_are_summed_without_reversal(madrs):
    # 1 + 2 + 3 + 4 + 0 + 1 + 0 + 2 + 3 = 16
    result = score(madrs, answers(1, 2, 3, 4, 0, 1, 0, 2, 3))
    assert result.total == 16
    assert result.band.code == "mild"
    assert result.flags == []  # item 9 at 3 is below the default threshold 4


def test_no_item_is_reversed(madrs):
    assert madrs.scoring["reversed"] == []
    for item in madrs.answerable_items():
        assert [o.score for o in item.options] == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "values,total,band",
    [
        ((6, 6, 0, 0, 0, 0, 0, 0, 0), 12, "minimal"),
        ((6, 6, 1, 0, 0, 0, 0, 0, 0), 13, "mild"),
        ((6, 6, 6, 1, 0, 0, 0, 0, 0), 19, "mild"),
        ((6, 6, 6, 2, 0, 0, 0, 0, 0), 20, "moderate"),
        ((6, 6, 6, 6, 6, 4, 0, 0, 0), 34, "moderate"),
        ((6, 6, 6, 6, 6, 5, 0, 0, 0), 35, "severe"),
    ],
)
def test_band_edges(madrs, values, total, band):
    result = score(madrs, answers(*values))
    assert result.total == total
    assert result.band.code == band
    assert result.band.guidance_only is True


def test_bands_are_shown_as_guidance_only(madrs):
    result = score(madrs, answers(0, 0, 0, 0, 0, 0, 0, 0, 0))
    assert [b.low for b in result.bands] == [0, 13, 20, 35]
    assert all(b.guidance_only for b in result.bands)
    assert any("vägledning" in note for note in result.notes)


def test_a_missing_answer_makes_the_total_not_computable_never_a_number(madrs):
    values = answers(1, 2, 3, 4, 0, 1, 0, 2, 3)
    del values["5"]
    result = score(madrs, values)
    assert not result.computable
    assert result.total is None and result.band is None
    assert result.missing == ["5"]


def test_item_9_raises_the_risk_flag_even_when_the_rest_is_unanswered(madrs):
    result = score(madrs, {"9": 4})
    assert not result.computable
    assert result.risk
    assert result.flags[0].item_id == "9"


def test_risk_threshold_follows_the_setting_at_scoring_time(madrs, settings):
    settings.BRYGGA_MADRS_S_RISK_THRESHOLD = 5
    assert score(madrs, answers(0, 0, 0, 0, 0, 0, 0, 0, 4)).flags == []
    assert score(madrs, answers(0, 0, 0, 0, 0, 0, 0, 0, 5)).risk
    settings.BRYGGA_MADRS_S_RISK_THRESHOLD = 3
    assert score(madrs, answers(0, 0, 0, 0, 0, 0, 0, 0, 3)).risk


def test_out_of_range_answers_are_refused(madrs):
    errors = validate_answers(madrs, {"1": 7, "2": -1, "x": 1, "3": 2})
    assert set(errors) == {"1", "2", "x"}
    with pytest.raises(ValueError):
        score(madrs, {"1": 7})


def test_recall_is_three_days_and_text_is_swedish(madrs):
    assert "tre dagarna" in madrs.recall
    assert madrs.item("9").label == "Livslust"
    assert madrs.licence.text_included and madrs.licence.electronic_use

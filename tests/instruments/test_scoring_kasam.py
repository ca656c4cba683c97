"""KASAM SOC-13 and SOC-29: items 1-7, reversed items scored 8 - answer, subscales, bands."""

import pytest

from instruments.definitions import load
from instruments.scoring import score

SOC13_REVERSED = {1, 2, 3, 7, 10}
SOC29_REVERSED = {1, 4, 5, 6, 7, 11, 13, 14, 16, 20, 23, 25, 27}


def from_scores(scores, reversed_items):
    """Answers that give these item scores (a reversed item answered a scores 8 - a)."""
    return {str(i): (8 - s if i in reversed_items else s) for i, s in enumerate(scores, start=1)}


@pytest.fixture
def soc13():
    return load("kasam-13", "1")


@pytest.fixture
def soc29():
    return load("kasam-29", "1")


def test_soc13_minimum_13_needs_7_on_reversed_items(soc13):
    answers = {str(i): 7 if i in SOC13_REVERSED else 1 for i in range(1, 14)}
    result = score(soc13, answers)
    assert result.total == 13 and result.band.code == "low"


def test_soc13_maximum_91(soc13):
    answers = {str(i): 1 if i in SOC13_REVERSED else 7 for i in range(1, 14)}
    result = score(soc13, answers)
    assert result.total == 91 and result.band.code == "high"


def test_soc13_all_ones_scored_by_hand_with_subscales(soc13):
    # eight straight items score 1, five reversed score 7: 8 + 35 = 43
    result = score(soc13, {str(i): 1 for i in range(1, 14)})
    assert result.total == 43
    # comprehensibility 2(r)=7, 6, 8, 9, 11 = 1 each -> 11
    # manageability 3(r)=7, 5=1, 10(r)=7, 13=1 -> 16
    # meaningfulness 1(r)=7, 4=1, 7(r)=7, 12=1 -> 16
    assert {k: s.value for k, s in result.subscales.items()} == {
        "comprehensibility": 11,
        "manageability": 16,
        "meaningfulness": 16,
    }


def test_soc13_reversed_items_score_8_minus_answer(soc13):
    for item in soc13.answerable_items():
        expected = [8 - v if int(item.id) in SOC13_REVERSED else v for v in range(1, 8)]
        assert [o.score for o in item.options] == expected
    assert soc13.higher_is_worse is False


@pytest.mark.parametrize(
    "scores,total,band",
    [
        ([5] * 8 + [4] * 5, 60, "low"),
        ([5] * 9 + [4] * 4, 61, "moderate"),
        ([6] * 10 + [5] * 3, 75, "moderate"),
        ([6] * 11 + [5] * 2, 76, "high"),
    ],
)
def test_soc13_band_edges(soc13, scores, total, band):
    result = score(soc13, from_scores(scores, SOC13_REVERSED))
    assert result.total == total and result.band.code == band
    assert result.band.guidance_only


def test_soc29_minimum_and_maximum(soc29):
    low = {str(i): 7 if i in SOC29_REVERSED else 1 for i in range(1, 30)}
    high = {str(i): 1 if i in SOC29_REVERSED else 7 for i in range(1, 30)}
    assert score(soc29, low).total == 29
    assert score(soc29, high).total == 203


def test_soc29_reversed_items(soc29):
    reversed_ids = {int(i.id) for i in soc29.answerable_items() if i.option(1).score == 7}
    assert reversed_ids == SOC29_REVERSED
    assert soc29.scoring["reversed"] == [str(i) for i in sorted(SOC29_REVERSED)]


@pytest.mark.parametrize(
    "scores,total,band",
    [
        ([5] * 24 + [4] * 5, 140, "low"),
        ([5] * 25 + [4] * 4, 141, "moderate"),
        ([6] * 20 + [5] * 9, 165, "moderate"),
        ([6] * 21 + [5] * 8, 166, "high"),
    ],
)
def test_soc29_band_edges(soc29, scores, total, band):
    result = score(soc29, from_scores(scores, SOC29_REVERSED))
    assert result.total == total and result.band.code == band


def test_soc29_subscales_cover_all_items_once(soc29):
    ids = [i for sub in soc29.scoring["subscales"] for i in sub["items"]]
    assert sorted(ids, key=int) == [str(i) for i in range(1, 30)]
    assert [len(s["items"]) for s in soc29.scoring["subscales"]] == [11, 10, 8]


def test_missing_answer_is_not_computable(soc13):
    answers = {str(i): 4 for i in range(1, 13)}  # item 13 missing
    result = score(soc13, answers)
    assert result.total is None and result.missing == ["13"]
    assert result.subscales["manageability"].value is None
    assert result.subscales["meaningfulness"].value == 16


def test_copyrighted_and_not_for_electronic_use(soc13, soc29):
    for defn in (soc13, soc29):
        assert defn.licence.status == "copyrighted"
        assert not defn.licence.electronic_use and not defn.licence.text_included


def test_soc13_items_are_soc29_items_with_the_same_reversal_and_subscale(soc13, soc29):
    short_ids = [i.id for i in soc13.answerable_items()]
    mapping = dict(zip(short_ids, soc13.scoring["soc29_items"], strict=True))
    assert list(mapping.values()) == [
        "4",
        "5",
        "6",
        "8",
        "9",
        "12",
        "16",
        "19",
        "21",
        "25",
        "26",
        "28",
        "29",
    ]

    def subscale_of(defn, item_id):
        return next(s["code"] for s in defn.scoring["subscales"] if item_id in s["items"])

    for short_id, long_id in mapping.items():
        assert (short_id in soc13.scoring["reversed"]) == (long_id in soc29.scoring["reversed"])
        assert subscale_of(soc13, short_id) == subscale_of(soc29, long_id)

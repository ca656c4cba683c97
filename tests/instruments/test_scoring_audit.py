"""AUDIT: WHO zones, Swedish sex-specific cut-offs, domains and WHO's item rule."""

import pytest

from instruments.definitions import load
from instruments.scoring import score, validate_answers


@pytest.fixture
def audit():
    return load("audit", "1")


def answers(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def zeros(**overrides):
    values = {str(i): 0 for i in range(1, 11)}
    values.update({k.lstrip("q"): v for k, v in overrides.items()})
    return values


def test_minimum_zero_is_zone_one(audit):
    result = score(audit, zeros(), sex="M")
    assert result.total == 0 and result.band.code == "zone-1"
    assert result.flags == []


def test_maximum_forty_is_zone_four(audit):
    result = score(audit, answers(4, 4, 4, 4, 4, 4, 4, 4, 4, 4))
    assert result.total == 40 and result.band.code == "zone-4"


def test_items_9_and_10_take_only_0_2_or_4(audit):
    assert [o.score for o in audit.item("9").options] == [0, 2, 4]
    assert [o.score for o in audit.item("10").options] == [0, 2, 4]
    assert set(validate_answers(audit, {"9": 1, "10": 3})) == {"9", "10"}


def test_mixed_case_with_domains(audit):
    # consumption 2+1+1 = 4, dependence 0, harm 1+0+0+2 = 3 -> 7
    result = score(audit, answers(2, 1, 1, 0, 0, 0, 1, 0, 0, 2), sex="F")
    assert result.total == 7
    assert result.band.code == "zone-1"
    assert {k: s.value for k, s in result.subscales.items()} == {
        "consumption": 4,
        "dependence": 0,
        "harm": 3,
    }
    assert [c.met for c in result.cutoffs] == [True]  # woman: 6 or more


@pytest.mark.parametrize(
    "total_answers,total,zone",
    [
        ((4, 3, 0, 0, 0, 0, 0, 0, 0, 0), 7, "zone-1"),
        ((4, 4, 0, 0, 0, 0, 0, 0, 0, 0), 8, "zone-2"),
        ((4, 4, 4, 1, 1, 1, 0, 0, 0, 0), 15, "zone-2"),
        ((4, 4, 4, 1, 1, 1, 1, 0, 0, 0), 16, "zone-3"),
        ((4, 4, 4, 1, 1, 1, 4, 0, 0, 0), 19, "zone-3"),
        ((4, 4, 4, 1, 1, 1, 4, 1, 0, 0), 20, "zone-4"),
    ],
)
def test_zone_edges(audit, total_answers, total, zone):
    result = score(audit, answers(*total_answers))
    assert result.total == total
    assert result.band.code == zone


@pytest.mark.parametrize(
    "sex,total_answers,met",
    [
        ("M", (4, 3, 0, 0, 0, 0, 0, 0, 0, 0), False),  # 7, men need 8
        ("M", (4, 4, 0, 0, 0, 0, 0, 0, 0, 0), True),  # 8
        ("F", (4, 1, 0, 0, 0, 0, 0, 0, 0, 0), False),  # 5, women need 6
        ("F", (4, 2, 0, 0, 0, 0, 0, 0, 0, 0), True),  # 6
    ],
)
def test_swedish_risky_use_cut_off_depends_on_sex(audit, sex, total_answers, met):
    result = score(audit, answers(*total_answers), sex=sex)
    (cutoff,) = result.cutoffs
    assert cutoff.code == "risky-use" and cutoff.sex == sex
    assert cutoff.met is met
    assert cutoff.threshold == (8 if sex == "M" else 6)


def test_unknown_sex_shows_both_cut_offs(audit):
    result = score(audit, answers(4, 3, 0, 0, 0, 0, 0, 0, 0, 0), sex="X")  # 7
    assert {(c.sex, c.met) for c in result.cutoffs} == {("M", False), ("F", True)}


@pytest.mark.parametrize("item", ["4", "5", "6"])
def test_who_item_rule_dependence_item_at_2_moves_up_one_zone(audit, item):
    result = score(audit, zeros(**{item: 2}))  # total 2, zone I
    assert result.band.code == "zone-1"
    assert [f.code for f in result.flags] == ["who-item-rule"]
    assert result.flags[0].item_id == item
    assert result.details["adjusted_band"] == "zone-2"


@pytest.mark.parametrize("item", ["9", "10"])
def test_who_item_rule_harm_item_at_4_moves_up_one_zone(audit, item):
    result = score(audit, zeros(**{item: 4}))
    assert result.details["adjusted_band"] == "zone-2"


def test_who_item_rule_not_raised_below_its_levels(audit):
    result = score(audit, zeros(**{"4": 1, "5": 1, "6": 1, "9": 2, "10": 2}))  # 7
    assert result.flags == []
    assert "adjusted_band" not in result.details


def test_who_item_rule_from_zone_three_to_four(audit):
    result = score(audit, answers(4, 4, 4, 2, 1, 1, 0, 0, 0, 0))  # 16, item 4 at 2
    assert result.band.code == "zone-3"
    assert result.details["adjusted_band"] == "zone-4"


def test_missing_answer_is_not_computable_but_item_rule_still_shows(audit):
    values = zeros(**{"4": 3})
    del values["10"]
    result = score(audit, values, sex="F")
    assert result.total is None and result.missing == ["10"]
    assert [c.met for c in result.cutoffs] == [None]
    assert [f.code for f in result.flags] == ["who-item-rule"]


def test_no_item_is_reversed(audit):
    assert audit.scoring["reversed"] == []
    for item in audit.answerable_items():
        scores = [o.score for o in item.options]
        assert scores == sorted(scores)

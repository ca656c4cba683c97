"""Sheehan Disability Scale: three domains 0-10, total 0-30, days, impairment flag."""

import pytest

from instruments.definitions import load
from instruments.scoring import score


@pytest.fixture
def sds():
    return load("sheehan", "1")


def test_minimum_and_maximum(sds):
    low = score(sds, {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
    assert low.total == 0 and low.flags == []
    high = score(sds, {"1": 10, "2": 10, "3": 10, "4": 7, "5": 7})
    assert high.total == 30 and high.range == (0, 30)
    assert high.details == {"days_lost": 7, "days_underproductive": 7}


def test_mixed_case_with_one_domain_at_5_marks_significant_impairment(sds):
    result = score(sds, {"1": 3, "2": 5, "3": 2, "4": 1, "5": 2})
    assert result.total == 10
    assert {k: s.value for k, s in result.subscales.items()} == {
        "work": 3,
        "social": 5,
        "family": 2,
    }
    assert [(f.code, f.item_id, f.risk) for f in result.flags] == [
        ("significant-impairment", "2", False)
    ]
    assert result.details == {"days_lost": 1, "days_underproductive": 2}


def test_domains_at_4_do_not_mark_significant_impairment(sds):
    result = score(sds, {"1": 4, "2": 4, "3": 4})
    assert result.total == 12 and result.flags == []


def test_option_labels_follow_the_published_anchors(sds):
    labels = {o.value: o.label for o in sds.item("1").options}
    assert labels[0].endswith("Inte alls") and labels[10].endswith("Extremt")
    assert "Lite" in labels[3] and "Måttligt" in labels[4] and "Markant" in labels[9]


def test_work_not_applicable_leaves_the_total_not_computable(sds):
    result = score(sds, {"1.na": True, "2": 6, "3": 2})
    assert result.total is None and result.missing == ["1"]
    assert result.subscales["social"].value == 6
    assert not result.subscales["work"].computable


def test_licensed_instrument_ships_labels_only(sds):
    assert sds.licence.status == "licensed"
    assert not sds.licence.electronic_use and not sds.licence.text_included
    assert all(i.text is None for i in sds.all_items())


def test_no_item_is_reversed_and_there_is_no_total_cut_off(sds):
    assert sds.scoring["reversed"] == []
    assert [o.score for o in sds.item("3").options] == list(range(11))
    result = score(sds, {"1": 9, "2": 9, "3": 9})
    assert result.bands == [] and result.cutoffs == [] and result.band is None
    assert any("gränsvärde" in note for note in result.notes)

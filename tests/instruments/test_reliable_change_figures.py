"""Published reliability figures in the shipped definitions, checked with hand-worked examples.

Jacobson & Truax (1991): SE_diff = SD * sqrt(2) * sqrt(1 - r); RCI = (after - before) / SE_diff;
reliable when |RCI| > 1.96, so the smallest reliable change is 1.96 * SE_diff. The figures and
their sources are listed in docs/instruments.md ("Reliable change").
"""

import math

import pytest

from instruments.definitions import latest_all, load
from instruments.scoring import RCI_THRESHOLD, reliable_change, score
from reports.outcomes import rc_threshold

SOC13_REVERSED = {1, 2, 3, 7, 10}


def soc13_answers(total: int) -> dict[str, int]:
    """SOC-13 answers whose item scores add up to `total` (13-91); a reversed item's answer
    is 8 - its score."""
    assert 13 <= total <= 91
    scores, rest = [], total - 13  # every item scores at least 1
    for _ in range(13):
        extra = min(6, rest)
        scores.append(1 + extra)
        rest -= extra
    return {str(i): (8 - s if i in SOC13_REVERSED else s) for i, s in enumerate(scores, start=1)}


@pytest.fixture
def soc13():
    return load("kasam-13", "1")


def test_every_shipped_reliability_figure_is_plausible_and_cited():
    for defn in latest_all():
        rel = defn.scoring.get("reliability")
        if rel is None:
            continue
        assert 0 < rel["r"] < 1, defn.key
        assert rel["sd"] > 0, defn.key
        assert rel.get("source"), f"{defn.key}: a reliability figure needs its source"


def test_soc13_figures_are_the_published_ones(soc13):
    # r = 0.70: lowest alpha of 127 SOC-13 studies (Eriksson & Lindström 2005).
    # SD = 11.7: SOC-13 in 40-70-year-olds in Åland (Eriksson, Lindström & Lilja 2007).
    rel = soc13.scoring["reliability"]
    assert (rel["r"], rel["sd"]) == (0.70, 11.7)
    assert "Eriksson" in rel["source"] and "2005" in rel["source"] and "2007" in rel["source"]
    assert soc13.higher_is_worse is False  # a higher SOC is better


def test_soc13_hand_worked_reliable_change(soc13):
    # SE_diff = 11.7 * sqrt(2) * sqrt(1 - 0.70)
    #         = 11.7 * 1.41421 * 0.54772 = 11.7 * 0.77460 = 9.0628
    # smallest reliable change = 1.96 * 9.0628 = 17.763 points, so in whole points:
    #   17 points: RCI = 17 / 9.0628 = 1.876 -> not reliable
    #   18 points: RCI = 18 / 9.0628 = 1.986 -> reliable
    se_diff = 11.7 * math.sqrt(2) * math.sqrt(1 - 0.70)
    assert se_diff == pytest.approx(9.0628, abs=1e-4)
    assert RCI_THRESHOLD * se_diff == pytest.approx(17.763, abs=1e-3)
    assert rc_threshold(soc13) == pytest.approx(17.763, abs=1e-3)  # what the statistics use

    below_up = reliable_change(soc13, before=50, after=67)
    assert (below_up.category, below_up.rci, below_up.se_diff) == ("unchanged", 1.876, 9.063)
    below_down = reliable_change(soc13, before=67, after=50)
    assert (below_down.category, below_down.rci) == ("unchanged", -1.876)

    # KASAM: higher is better, so a rise is an improvement and a fall a deterioration.
    above_up = reliable_change(soc13, before=50, after=68)
    assert (above_up.category, above_up.rci, above_up.change) == ("improved", 1.986, 18)
    above_down = reliable_change(soc13, before=68, after=50)
    assert (above_down.category, above_down.rci, above_down.change) == (
        "deteriorated",
        -1.986,
        -18,
    )


def test_soc13_reliable_change_from_scored_answers(soc13):
    # The same example end to end: answers -> totals -> reliable change.
    before = score(soc13, soc13_answers(50)).total
    unchanged = score(soc13, soc13_answers(67)).total
    improved = score(soc13, soc13_answers(68)).total
    assert (before, unchanged, improved) == (50, 67, 68)
    assert reliable_change(soc13, before, unchanged).category == "unchanged"
    assert reliable_change(soc13, before, improved).category == "improved"
    assert reliable_change(soc13, improved, before).category == "deteriorated"


@pytest.mark.parametrize("code", ["madrs-s", "audit", "dudit", "sheehan", "kasam-29", "spsq"])
def test_instruments_without_a_published_pair_have_no_reliable_change(code):
    # No reliability coefficient and matching SD with a checkable source was found for these
    # (docs/instruments.md, "Reliable change"), so reliable change is never shown for them.
    defn = load(code, "1")
    assert "reliability" not in defn.scoring
    assert reliable_change(defn, 0, 20) is None
    assert rc_threshold(defn) is None

"""The shipped definition files: complete, consistent, licence-safe."""

import re

import pytest

from instruments.definitions import codes, latest_all, load, parse

SEVEN = {"madrs-s", "audit", "dudit", "sheehan", "kasam-29", "kasam-13", "spsq", "en-vanlig-dag"}
ALL = latest_all()


def test_all_seven_instruments_are_shipped_kasam_in_both_forms():
    assert set(codes()) == SEVEN


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.key)
def test_every_definition_cites_its_source_and_records_its_licence(defn):
    assert len(defn.source) > 40
    assert defn.licence.status in {
        "free",
        "free-with-attribution",
        "licensed",
        "copyrighted",
        "unknown",
    }
    if defn.licence.status in {"licensed", "copyrighted", "unknown"}:
        assert defn.licence.electronic_use is False
        assert defn.licence.text_included is False
        assert all(item.text is None for item in defn.all_items())
    if defn.kind == "scored":
        assert defn.higher_is_worse in (True, False)


@pytest.mark.parametrize("code", ["madrs-s", "audit", "dudit"])
def test_free_instruments_ship_no_unchecked_text_and_keep_the_paraphrase_for_old_responses(code):
    """Their Swedish wording could not be checked against the published form: the newest
    version ships short labels only; version 1 (a paraphrase) stays to score and show old
    responses, with its texts, and says so."""
    defn = load(code)
    assert defn.version == "2" and defn.wording == "not-shipped"
    assert not defn.licence.text_included and defn.licence.electronic_use
    assert defn.licence.attribution
    assert all(item.text is None for item in defn.all_items()) and not defn.intro
    old = load(code, "1")
    assert old.wording == "paraphrase" and old.published["superseded_by"] == "2"
    for item in old.answerable_items():
        assert item.text and re.search(r"[åäö]|\b(du|ditt|din|har|jag)\b", item.text)
    # The same instrument: items, options, order and scores are unchanged.
    assert [(i.id, [(o.value, o.score) for o in i.options]) for i in defn.all_items()] == [
        (i.id, [(o.value, o.score) for o in i.options]) for i in old.all_items()
    ]
    assert defn.scoring == old.scoring


@pytest.mark.parametrize("defn", [d for d in ALL if d.kind == "scored"], ids=lambda d: d.key)
def test_declared_total_range_matches_the_option_scores(defn):
    total = defn.scoring["total"]
    lows, highs = [], []
    for item_id in total["items"]:
        scores = [o.score for o in defn.item(item_id).options]
        lows.append(min(scores))
        highs.append(max(scores))
    assert (sum(lows), sum(highs)) == (total["min"], total["max"])


@pytest.mark.parametrize("defn", [d for d in ALL if d.kind == "scored"], ids=lambda d: d.key)
def test_bands_cover_the_range_without_gaps(defn):
    bands = defn.scoring.get("bands", [])
    if not bands:
        return
    assert bands[0]["low"] <= defn.scoring["total"]["min"]
    assert bands[-1]["high"] == defn.scoring["total"]["max"]
    for before, after in zip(bands, bands[1:], strict=False):
        assert after["low"] == before["high"] + 1


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.key)
def test_string_option_values_never_look_like_numbers(defn):
    # FHIR codes are strings; a numeric-looking code reads back as an int.
    for item in defn.answerable_items():
        for option in item.options:
            if isinstance(option.value, str):
                assert not re.fullmatch(r"-?\d+", option.value)


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.key)
def test_scoring_names_only_existing_items(defn):
    spec = defn.scoring
    named = list(spec.get("total", {}).get("items", []))
    named += [i for sub in spec.get("subscales", []) for i in sub["items"]]
    named += [c["item"] for flag in spec.get("flags", []) for c in flag["any"]]
    named += list(spec.get("report_items", {}).values()) + list(spec.get("reversed", []))
    for item_id in named:
        assert defn.item(item_id) is not None, item_id


def test_licensed_text_can_be_overlaid_by_an_administrator():
    sds = load("sheehan")
    with_text = sds.with_text({"1": "Licensierad text för arbete/studier"})
    assert with_text.item("1").text == "Licensierad text för arbete/studier"
    assert sds.item("1").text is None  # the shipped definition is unchanged
    with pytest.raises(ValueError):
        sds.with_text({"nope": "x"})


def test_malformed_definitions_are_refused_with_a_reason():
    good = load("madrs-s", "1").raw
    with pytest.raises(ValueError, match="licence"):
        parse({k: v for k, v in good.items() if k != "licence"})
    with pytest.raises(ValueError, match="unknown type"):
        parse({**good, "items": [{"id": "1", "type": "slider", "label": "x"}]})
    with pytest.raises(ValueError, match="unique"):
        parse({**good, "items": [good["items"][0], good["items"][0]]})
    scoring = {
        **good["scoring"],
        "flags": [
            {
                "code": "x",
                "label": "x",
                "risk": True,
                "any": [{"item": "99", "op": ">=", "value": 1}],
            }
        ],
    }
    with pytest.raises(ValueError, match="unknown items"):
        parse({**good, "scoring": scoring})
    with pytest.raises(ValueError, match="total"):
        parse({**good, "scoring": {}})
    licence = {**good["licence"], "text_included": False}
    with pytest.raises(ValueError, match="text"):
        parse({**good, "licence": licence})

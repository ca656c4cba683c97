"""Rules shared by all instruments: prorating, reliable change, definition versions."""

import json
import math
import shutil

import pytest

from instruments import definitions
from instruments.definitions import load, parse, versions
from instruments.scoring import reliable_change, score


def tiny(**scoring):
    """A four-item 0-3 test definition (not shipped)."""
    data = {
        "code": "tiny",
        "version": "1",
        "title": "Tiny",
        "kind": "scored",
        "higher_is_worse": True,
        "source": "test",
        "licence": {
            "status": "free",
            "electronic_use": True,
            "text_included": False,
            "attribution": "",
            "notes": "",
        },
        "items": [
            {
                "id": str(i),
                "type": "choice",
                "label": f"Q{i}",
                "options": [{"value": v, "label": str(v), "score": v} for v in range(4)],
            }
            for i in range(1, 5)
        ],
        "scoring": {"total": {"items": ["1", "2", "3", "4"], "min": 0, "max": 12}, **scoring},
    }
    return parse(data)


def test_prorating_replaces_a_missing_item_by_the_mean_of_the_others():
    defn = tiny(missing={"method": "prorate", "max_missing": 1})
    result = score(defn, {"1": 3, "2": 2, "3": 1})  # 6 over 3 items -> 6 * 4 / 3 = 8
    assert result.computable and result.prorated
    assert result.total == 8
    assert result.missing == ["4"]


def test_prorating_stops_past_the_allowed_number_of_missing_items():
    defn = tiny(missing={"method": "prorate", "max_missing": 1})
    result = score(defn, {"1": 3, "2": 2})
    assert not result.computable and result.total is None and not result.prorated


def test_prorated_totals_are_rounded_as_the_rule_says():
    defn = tiny(missing={"method": "prorate", "max_missing": 1, "round": 0})
    result = score(defn, {"1": 1, "2": 1, "3": 0})  # 2 * 4 / 3 = 2.67 -> 3
    assert result.total == 3


def test_reliable_change_jacobson_truax():
    # SE_diff = 10 * sqrt(2) * sqrt(1 - 0.84) = 10 * 1.41421 * 0.4 = 5.657
    defn = tiny(reliability={"r": 0.84, "sd": 10, "source": "test"})
    improved = reliable_change(defn, before=30, after=18)  # -12 / 5.657 = -2.121
    assert math.isclose(improved.se_diff, 5.657, abs_tol=0.001)
    assert math.isclose(improved.rci, -2.121, abs_tol=0.001)
    assert improved.category == "improved"
    unchanged = reliable_change(defn, before=30, after=22)  # -8 / 5.657 = -1.414
    assert unchanged.category == "unchanged"
    worse = reliable_change(defn, before=10, after=22)  # 12 / 5.657 = 2.121
    assert worse.category == "deteriorated"


def test_reliable_change_direction_follows_the_instrument():
    defn = tiny(reliability={"r": 0.84, "sd": 10})
    defn = definitions.Definition(**{**defn.__dict__, "higher_is_worse": False})
    assert reliable_change(defn, before=30, after=18).category == "deteriorated"


def test_no_reliable_change_without_published_figures():
    assert reliable_change(tiny(), 10, 30) is None
    for defn in definitions.latest_all():
        if "reliability" not in defn.scoring:
            assert reliable_change(defn, 0, 20) is None


@pytest.fixture
def two_versions(tmp_path, monkeypatch):
    """madrs-s version 1 as shipped plus a changed version 2 (item 9 flag at 3, new bands)."""
    folder = tmp_path / "madrs-s"
    folder.mkdir()
    shutil.copy(definitions.DEFINITIONS_DIR / "madrs-s" / "1.json", folder / "1.json")
    data = json.loads((folder / "1.json").read_text(encoding="utf-8"))
    data["version"] = "2"
    data["scoring"]["flags"][0]["any"][0]["value"] = 3
    data["scoring"]["flags"][0].pop("threshold_setting")
    data["scoring"]["bands"][0]["high"] = 10
    data["scoring"]["bands"][1]["low"] = 11
    (folder / "2.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(definitions, "DEFINITIONS_DIR", tmp_path)


def test_a_changed_definition_is_a_new_version_and_old_answers_score_as_before(two_versions):
    answers = {str(i): 0 for i in range(1, 10)} | {"1": 6, "2": 2, "3": 3}  # 11 + item 9 at 0
    answers["9"] = 3  # 14 in all
    assert versions("madrs-s") == ["1", "2"]
    assert load("madrs-s").version == "2"

    old = score(load("madrs-s", "1"), answers)
    new = score(load("madrs-s", "2"), answers)
    assert old.definition == "madrs-s/1" and new.definition == "madrs-s/2"
    assert old.total == new.total == 14
    assert old.flags == [] and new.risk  # v2 flags item 9 at 3
    assert old.bands[0].high == 12 and new.bands[0].high == 10


def test_unknown_definitions_and_versions_raise():
    with pytest.raises(definitions.UnknownDefinition):
        load("no-such-instrument")
    with pytest.raises(definitions.UnknownDefinition):
        load("madrs-s", "99")
    with pytest.raises(definitions.UnknownDefinition):
        load("../madrs-s")

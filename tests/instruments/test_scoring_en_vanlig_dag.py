"""En vanlig dag: a structured, unscored account of a day in time slots."""

from instruments.definitions import load
from instruments.scoring import compare_structured, score, validate_answers


def test_template_runs_from_getting_up_to_going_to_bed():
    day = load("en-vanlig-dag")
    assert day.kind == "structured" and day.higher_is_worse is None
    slots = [i for i in day.items if i.type == "group"]
    assert slots[0].id == "slot.getting-up" and slots[-1].id == "slot.bedtime"
    for slot in slots:
        assert [c.id.rsplit(".", 1)[1] for c in slot.items] == [
            "time",
            "what",
            "where",
            "with",
            "feeling",
        ]


def test_it_is_not_scored():
    day = load("en-vanlig-dag")
    answers = {"slot.morning.what": "Sover", "slot.morning.feeling": "hard"}
    result = score(day, answers)
    assert not result.computable and result.total is None and result.flags == []
    assert all(o.score is None for o in day.item("slot.morning.feeling").options)


def test_two_dates_compare_slot_by_slot():
    day = load("en-vanlig-dag")
    before = {"day": "2026-01-10", "slot.morning.what": "Sover", "slot.morning.feeling": "hard"}
    after = {"day": "2026-04-10", "slot.morning.what": "Promenad", "slot.morning.feeling": "ok"}
    rows = {r["id"]: r for r in compare_structured(day, before, after)}
    morning = {f["id"]: (f["before"], f["after"]) for f in rows["slot.morning"]["fields"]}
    assert morning["slot.morning.what"] == ("Sover", "Promenad")
    assert morning["slot.morning.feeling"] == ("Jobbigt", "Varken bra eller dåligt")
    assert rows["slot.morning"]["changed"] and not rows["slot.evening"]["changed"]


def test_times_and_dates_are_validated():
    day = load("en-vanlig-dag")
    errors = validate_answers(day, {"slot.morning.time": "25:99", "day": "igår"})
    assert set(errors) == {"slot.morning.time", "day"}
    assert validate_answers(day, {"slot.morning.time": "07:30", "day": "2026-01-10"}) == {}

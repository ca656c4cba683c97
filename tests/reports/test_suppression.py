"""Small counts are hidden for analysts, and cannot be worked out by subtraction."""

from __future__ import annotations

import datetime

import pytest

from reports.report import build_report
from reports.suppression import HIDDEN, SMALL, suppress_group

D = datetime.date


@pytest.mark.parametrize(
    ("values", "total", "shown", "shown_total"),
    [
        ([3, 10, 12], 25, [SMALL, HIDDEN, 12], 25),  # the next-smallest is hidden too
        ([0, 3, 10], 13, [0, SMALL, HIDDEN], 13),  # zero says nobody; it is not hidden
        ([2, 3, 10], 15, [SMALL, SMALL, 10], 15),  # 2+3=5 could be 1+4 or 2+3
        ([1, 1, 10], 12, [SMALL, SMALL, HIDDEN], 12),  # two hidden ones summing to 2 are both 1
        ([4, 4], 8, [SMALL, SMALL], HIDDEN),  # two fours: nothing else to hide, so the total
        ([2, 1], 3, [SMALL, SMALL], SMALL),
        ([6, 7, 8], 21, [6, 7, 8], 21),
        ([3, 9], None, [SMALL, 9], None),  # no total shown: nothing to subtract from
    ],
)
def test_suppression(values, total, shown, shown_total):
    assert suppress_group(values, total) == (shown, shown_total)


def _table(report, key):
    return next(t for s in report["sections"] for t in s["tables"] if t["key"] == key)


def test_a_small_source_cannot_be_recovered_from_the_total(world):
    for source, n in (("psychiatry", 3), ("relative", 10), ("self", 12)):
        for _ in range(n):
            world.intake(D(2025, 3, 1), source=source)

    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    table = _table(report, "intake_source")
    shown = {row["key"]: row["values"][0] for row in table["rows"]}

    assert shown["psychiatry"] == SMALL
    assert shown["relative"] == HIDDEN
    assert shown["self"] == 12
    assert table["total"]["values"][0] == 25
    # total minus every number shown leaves 13 spread over two hidden cells: not one answer
    visible = sum(v for v in shown.values() if isinstance(v, int))
    assert 25 - visible == 13
    shares = {row["key"]: row["values"][1] for row in table["rows"]}
    assert shares["psychiatry"] == HIDDEN and shares["relative"] == HIDDEN


def test_no_sensitive_column_anywhere_leaves_a_single_hidden_cell_beside_a_shown_total(world):
    for index in range(14):
        person = world.person()
        world.intake(
            D(2025, 2, 1),
            person=person,
            source="psychiatry" if index < 2 else "relative",
            outcome="talk_offered" if index < 11 else "declined",
        )
        world.start(person, D(2025, 3, 1))
        if index < 6:
            world.close(person, D(2025, 10, 1), occupation="work" if index else "studies")

    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    for section in report["sections"]:
        for table in section["tables"]:
            if not (table["sensitive"] and table["total"] and table["kind"] == "counts"):
                continue
            for col in range(len(table["total"]["values"])):
                column = [row["values"][col] for row in table["rows"]]
                hidden = [v for v in column if v in (SMALL, HIDDEN)]
                total_shown = table["total"]["values"][col] not in (SMALL, HIDDEN)
                assert not (total_shown and len(hidden) == 1), (table["key"], column)


def test_not_offered_is_hidden_when_it_would_undo_the_outcome_table(world):
    for outcome, n in (("talk_offered", 3), ("declined", 6), ("not_target_group", 7)):
        for _ in range(n):
            world.intake(D(2025, 3, 1), outcome=outcome)
    for _ in range(2):
        world.intake(D(2025, 3, 1))  # open

    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    outcome = {row["key"]: row["values"][0] for row in _table(report, "intake_outcome")["rows"]}
    assert outcome["talk_offered"] == SMALL and outcome["open"] == SMALL
    assert outcome["declined"] == 6 and outcome["not_target_group"] == 7
    # All reasons shown, so "not offered" (13) is shown: it adds nothing a reader cannot add up.
    assert _table(report, "not_offered")["rows"][0]["values"][0] == 13


def test_managers_report_is_exact(world):
    for _ in range(3):
        world.intake(D(2025, 3, 1), source="psychiatry")
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=False)
    shown = {row["key"]: row["values"][0] for row in _table(report, "intake_source")["rows"]}
    assert shown["psychiatry"] == 3


def test_statistics_over_fewer_than_five_people_are_hidden(world):
    for _ in range(2):
        person = world.person()
        world.start(person, D(2025, 1, 1))
        world.close(person, D(2025, 7, 1))
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    rows = {row["key"]: row["values"][0] for row in _table(report, "contact_time_ended")["rows"]}
    assert rows["n"] == SMALL
    assert rows["mean"] == HIDDEN and rows["max"] == HIDDEN


def test_a_total_hidden_in_one_table_is_hidden_in_the_others(world):
    for source in ("psychiatry",) * 4 + ("relative",) * 4:
        world.intake(D(2025, 3, 1), source=source, channel="phone")
    report = build_report(D(2025, 1, 1), D(2025, 12, 31), suppress=True)
    assert _table(report, "intake_source")["total"]["values"][0] == HIDDEN
    # The channel table alone would show 8 by phone; the total is hidden there as well.
    channel = _table(report, "intake_channel")
    assert channel["total"]["values"][0] == HIDDEN
    # ...and so is the one channel that would otherwise equal it.
    assert {row["key"]: row["values"][0] for row in channel["rows"]}["phone"] == HIDDEN

"""The appeal deadline: three weeks from the day the person received the decision (FL 44 §),
moved to the next working day when the last day is a Saturday, Sunday, public holiday,
Midsummer Eve, Christmas Eve or New Year's Eve (lag (1930:173) om beräkning av lagstadgad tid).

Every expected date below is computed by hand from a calendar.
"""

from __future__ import annotations

import datetime

import pytest

from decisions.deadlines import appeal_deadline, appeal_in_time, is_working_day

d = datetime.date


@pytest.mark.parametrize(
    ("received", "deadline", "why"),
    [
        (d(2026, 3, 2), d(2026, 3, 23), "ordinary: Monday plus three weeks is a Monday"),
        (d(2026, 3, 4), d(2026, 3, 25), "ordinary: a Wednesday"),
        (d(2026, 3, 7), d(2026, 3, 30), "the 28th is a Saturday: moves to Monday"),
        (d(2026, 3, 8), d(2026, 3, 30), "the 29th is a Sunday: moves to Monday"),
        (d(2026, 12, 5), d(2026, 12, 28), "Boxing Day, a Saturday, then Sunday: Monday"),
        (d(2026, 4, 23), d(2026, 5, 15), "Ascension Day (Thursday 14 May): Friday"),
        (d(2026, 3, 13), d(2026, 4, 7), "Good Friday, Easter, Easter Monday: Tuesday"),
        (d(2026, 12, 16), d(2027, 1, 7), "Epiphany (Wednesday 6 January): Thursday"),
        (d(2026, 5, 29), d(2026, 6, 22), "Midsummer Eve (Friday 19 June), Midsummer Day"),
        (d(2027, 6, 4), d(2027, 6, 28), "Midsummer Eve 2027 is Friday 25 June"),
        (d(2026, 12, 3), d(2026, 12, 28), "Christmas Eve, Christmas Day, the weekend"),
        (d(2026, 12, 10), d(2027, 1, 4), "New Year's Eve, New Year's Day, the weekend"),
    ],
)
def test_appeal_deadline_moves_to_the_next_working_day(received, deadline, why):
    assert appeal_deadline(received) == deadline, why


def test_the_three_eves_are_not_working_days_though_the_holidays_package_omits_them():
    assert not is_working_day(d(2026, 6, 19))  # Midsummer Eve
    assert not is_working_day(d(2026, 12, 24))  # Christmas Eve
    assert not is_working_day(d(2026, 12, 31))  # New Year's Eve
    assert is_working_day(d(2026, 6, 18))
    assert is_working_day(d(2026, 12, 23))


def test_an_appeal_on_the_last_day_is_in_time_and_the_day_after_is_late():
    assert appeal_in_time(decision_received_on=d(2026, 12, 3), appeal_received_on=d(2026, 12, 28))
    assert not appeal_in_time(
        decision_received_on=d(2026, 12, 3), appeal_received_on=d(2026, 12, 29)
    )

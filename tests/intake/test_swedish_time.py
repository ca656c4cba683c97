"""An intake note and a web submission are named by their Swedish day and time."""

from __future__ import annotations

import datetime

import pytest

from intake.models import IntakeNote, WebSubmission

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29 00:30"),
        (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-26 00:30"),
    ],
)
def test_intake_times_are_swedish(instant, shown):
    assert str(IntakeNote(happened_at=instant)) == shown
    assert str(WebSubmission(client_key="abcdefgh12", at=instant)) == f"abcdefgh {shown}"

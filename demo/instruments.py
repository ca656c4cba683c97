"""Demo: self-ratings at the start and later for a few demo people, told through
instruments.actions: Elin's MADRS-S item 9 raises a risk alert that stays open on the
coordinator's (and the manager's) worklist; Jonas has a home link waiting for answers; Ali
improves on MADRS-S and has two accounts of an ordinary day to compare; Oskar has AUDIT.
Idempotent: a person who already has a rating is left alone.

The demo has no licensed forms: it loads its own wording of MADRS-S, AUDIT and DUDIT
(demo/wording/instrument_texts.json) through the same loader a municipality uses for the
published text, marked as demo wording, which every form shown with it says.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from instruments import actions
from people.models import Person


def _madrs(total: int, item9: int = 0) -> dict:
    answers = {"9": item9}
    left = total - item9
    for item in range(1, 9):
        answers[str(item)] = min(6, left)
        left -= answers[str(item)]
    return answers


def _audit(values: list[int]) -> dict:
    return {str(n): value for n, value in enumerate(values, start=1)}


def _day(morning: str, feeling: str, evening: str) -> dict:
    return {
        "day.typical": True,
        "slot.getting-up.time": "11:30",
        "slot.getting-up.what": "Vaknar, ligger kvar i sängen",
        "slot.getting-up.where": "Hemma",
        "slot.morning.what": morning,
        "slot.morning.where": "Hemma",
        "slot.morning.feeling": feeling,
        "slot.evening.what": evening,
        "slot.evening.with": "Ensam",
    }


# (first, last), coordinator username, [(code, days ago, occasion, answers)]
RATINGS = [
    (
        ("Elin", "Fiktiv"),
        "coordinator",
        [
            ("madrs-s", 120, "start", _madrs(26, item9=2)),
            ("madrs-s", 3, "follow_up", _madrs(31, item9=4)),
        ],
    ),
    (
        ("Ali", "Testsson"),
        "coordinator3",
        [
            ("madrs-s", 150, "start", _madrs(30, item9=1)),
            ("madrs-s", 60, "visit", _madrs(22, item9=0)),
            ("madrs-s", 10, "follow_up", _madrs(14, item9=0)),
            ("en-vanlig-dag", 150, "start", _day("Spelar datorspel", "hard", "Tittar på serier")),
            (
                "en-vanlig-dag",
                10,
                "follow_up",
                _day("Promenad till affären", "ok", "Ringer en vän"),
            ),
        ],
    ),
    (
        ("Oskar", "Låtsas"),
        "coordinator2",
        [
            ("audit", 90, "start", _audit([2, 1, 1, 0, 0, 0, 0, 0, 0, 0])),
            ("audit", 20, "follow_up", _audit([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
        ],
    ),
]

# (first, last), coordinator username, instrument with an outstanding home link
LINKS = [(("Jonas", "Påhittad"), "coordinator", "madrs-s")]


DEMO_WORDING = Path(__file__).resolve().parent / "wording" / "instrument_texts.json"


def load_demo_wording() -> None:
    """The demo's own texts for the forms, marked as demo wording (never the published form)."""
    actions.load_text_file(json.loads(DEMO_WORDING.read_text(encoding="utf-8")))


def load_instruments(users: dict, today: datetime.date) -> None:
    load_demo_wording()
    for (first, last), username, ratings in RATINGS:
        person = _untouched(first, last)
        if person is None:
            continue
        for code, days_ago, occasion, answers in ratings:
            response = actions.start_response(
                user=users[username],
                person=person,
                code=code,
                occasion=occasion,
                administered_on=today - datetime.timedelta(days=days_ago),
            )
            actions.save_answers(
                user=users[username], response=response, answers=answers, complete=True
            )
    for (first, last), username, code in LINKS:
        person = _untouched(first, last)
        if person is not None:
            actions.send_home_link(user=users[username], person=person, code=code, occasion="visit")


def _untouched(first: str, last: str) -> Person | None:
    person = Person.objects.filter(first_name=first, last_name=last).first()
    if person is None or person.instrument_responses.exists():
        return None
    return person

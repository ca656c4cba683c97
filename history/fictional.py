"""A fictional history import file (docs/import-format.md) of any size, for benchmarks and tests.

Personal numbers come from Skatteverket's test series (`history.synthetic.fictitious_number`),
from `first` on, so that a file can avoid the people already generated; every name is invented
and every person lives in "Fiktiva kommunen". Seeded: the same arguments give the same lines.
"""

from __future__ import annotations

import datetime
import random

from history.synthetic import fictitious_number

FIRST_BIRTH = datetime.date(1961, 1, 1)
BIRTH_DAYS = (datetime.date(2007, 12, 31) - FIRST_BIRTH).days
NAMES = ["Alva", "Bo", "Cilla", "Dag", "Eira", "Frans", "Greta", "Hugo", "Ines", "Jon"]
SURNAMES = ["Fiktivsson", "Påhittad", "Exempelberg", "Prov", "Testlund", "Uppdiktad"]


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def lines(people: int, *, seed: int = 1, first: int = 200_000, prefix: str = "F") -> list[dict]:
    """`people` lines of people (every 25th a line of unidentified intakes besides)."""
    rng = random.Random(seed)
    result: list[dict] = []
    for index in range(people):
        result.append(_person(rng, index, first, prefix))
        if index % 25 == 24:
            result.append(_unidentified(rng, index, prefix))
    return result


def _day(rng: random.Random) -> datetime.date:
    return datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(12 * 365))


def _intake(rng: random.Random, key: str, received: datetime.date, outcome: str) -> dict:
    return {
        "id": key,
        "received_on": _iso(received),
        "source": rng.choice(["psychiatry", "relative", "municipal", "self", "health_centre"]),
        "channel": rng.choice(["phone", "email", "letter", ""]),
        "outcome": outcome,
        "closed_on": _iso(received + datetime.timedelta(days=rng.randrange(30))),
    }


def _person(rng: random.Random, index: int, first: int, prefix: str) -> dict:
    number, kind = fictitious_number(first + index, FIRST_BIRTH, BIRTH_DAYS)
    pid = f"{prefix}{index:07d}"
    line: dict = {"id": pid, "first_name": rng.choice(NAMES), "last_name": rng.choice(SURNAMES)}
    line["municipality"] = "Fiktiva kommunen"
    line["reserve_number" if kind == "reserve" else "personal_number"] = number
    received = _day(rng)
    offered = rng.random() < 0.7
    outcome = "talk_offered" if offered else rng.choice(["not_target_group", "declined"])
    line["intakes"] = [_intake(rng, f"{pid}-A1", received, outcome)]
    if not offered:
        return line
    decided = received + datetime.timedelta(days=20 + rng.randrange(40))
    line["decisions"] = decisions = []
    start = None
    for number_ in range(1 + (rng.random() < 0.5) + (rng.random() < 0.2)):
        outcome = "grant" if number_ or rng.random() < 0.85 else "rejection"
        decision: dict = {"id": f"{pid}-B{number_ + 1}", "decided_on": _iso(decided)}
        decision["outcome"] = outcome
        if number_:
            decision["kind"] = "renewal"
        if outcome == "rejection":
            decision["reasons"] = "Behovet tillgodoses på annat sätt."
            decisions.append(decision)
            break
        until = decided + datetime.timedelta(days=364)
        decision |= {"period_from": _iso(decided), "period_to": _iso(until)}
        start = start or decided + datetime.timedelta(days=rng.randrange(20))
        decision["started_on"] = _iso(max(start, decided))
        decisions.append(decision)
        decided = until - datetime.timedelta(days=10)
    if start is not None and rng.random() < 0.6:
        closed = max(start, decided - datetime.timedelta(days=rng.randrange(200)))
        consent = rng.random() < 0.6
        closure: dict = {
            "closed_on": _iso(closed),
            "reason": rng.choice(["goals_reached", "moved", "declined", "unknown"]),
            "occupation": rng.choice(["work", "studies", "none", ""]),
            "isolation": rng.choice(["none", "partly", "as_before"]),
            "follow_up_consent": consent,
        }
        if consent and rng.random() < 0.5:
            closure["follow_ups"] = [
                {
                    "months": 6,
                    "status": "done",
                    "done_on": _iso(closed + datetime.timedelta(days=190)),
                    "occupation": "work",
                    "isolation": "partly",
                }
            ]
        line["closure"] = closure
    return line


def _unidentified(rng: random.Random, index: int, prefix: str) -> dict:
    received = _day(rng)
    intake = _intake(rng, f"{prefix}X{index:07d}", received, "no_action")
    intake["source"] = "anonymous"
    intake["person_description"] = "Anhörig som ringde anonymt"
    return {"unidentified": True, "intakes": [intake]}

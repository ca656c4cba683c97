from __future__ import annotations

import pytest

from jobs.kinds import KINDS, Kind, Result

FLAKY = "tests.flaky"


class Flaky:
    """A kind of job that fails as often as told, then succeeds; counts its runs."""

    def __init__(self) -> None:
        self.failures_left = 0
        self.runs = 0

    def run(self, job, progress):
        self.runs += 1
        progress.step("Started", 50)
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("Elin Fiktiv's record could not be read")  # never logged
        return Result(html="<p>Klart resultat</p>")

    def check(self, user, job):
        return None


@pytest.fixture
def flaky(monkeypatch):
    kind = Flaky()
    monkeypatch.setitem(KINDS, FLAKY, Kind(run=kind.run, check=kind.check))
    return kind

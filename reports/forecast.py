"""Capacity forecast: a queueing simulation of a unit's places, in pure Python.

Model: M/G/c with first-come-first-served waiting.
- Arrivals of granted people are Poisson: intakes arrive at the unit's own rate, and each is
  granted with the unit's own share granted (a thinned Poisson process is Poisson).
- Contact times are drawn from the unit's own ended cases (empirical distribution, resampled).
- c = the places of the kind of support. Someone granted starts at once if a place is free,
  otherwise waits in line.
- The people already in support keep their place for a remaining time drawn from the ended
  contact times longer than what they have already had; the people already waiting keep their
  place in line.
- Monte Carlo with a fixed seed: the same history gives the same forecast.
Time is in months (`reports.figures.DAYS_PER_MONTH` days, as everywhere in the report); the
inputs are gathered by `reports.capacity`. Nothing here touches the database.
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    low: float  # 10th percentile
    median: float
    high: float  # 90th percentile


@dataclass(frozen=True)
class MonthForecast:
    month: int  # 1 = one month from now
    ongoing: Band
    waiting: Band
    wait_months: Band | None  # wait of those who start support that month; None if nobody


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between closest ranks (values need not be sorted)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * share
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def band(values: list[float]) -> Band:
    return Band(percentile(values, 0.1), percentile(values, 0.5), percentile(values, 0.9))


def _remaining(rng: random.Random, ordered: list[float], elapsed: float) -> float:
    """A remaining time, drawn from the (sorted) contact times longer than `elapsed`."""
    first = bisect.bisect_right(ordered, elapsed)
    if first < len(ordered):
        return ordered[rng.randrange(first, len(ordered))] - elapsed
    return rng.uniform(0.0, 3.0)  # already longer than anyone before: a few months more


def runs_for(arrival_rate: float, months: int, present: int, most: int = 200) -> int:
    """Fewer runs for very large units, so that a forecast stays under a second or so."""
    events = arrival_rate * months + present + 1
    return max(20, min(most, int(200_000 // events)))


def simulate_run(
    rng: random.Random,
    *,
    arrival_rate: float,
    durations: list[float],
    places: int,
    ongoing_elapsed: list[float],
    waiting_since: list[float],
    months: int,
) -> list[tuple[int, int, float | None]]:
    """One run: for each month end, (ongoing, waiting, mean wait of those who started)."""
    ordered = sorted(durations)
    ends = [_remaining(rng, ordered, e) for e in ongoing_elapsed]
    heapq.heapify(ends)
    queue = deque(-w for w in sorted(waiting_since, reverse=True))  # arrival times (past < 0)
    waits: list[list[float]] = [[] for _ in range(months)]
    rows: list[tuple[int, int, float | None]] = []
    next_arrival = rng.expovariate(arrival_rate) if arrival_rate > 0 else float("inf")

    def start(now: float, arrived: float) -> None:
        heapq.heappush(ends, now + rng.choice(durations))
        if 0 <= now < months:
            waits[int(now)].append(now - arrived)

    while len(ends) < places and queue:
        start(0.0, queue.popleft())
    for month in range(1, months + 1):
        while True:
            next_end = ends[0] if ends else float("inf")
            now = min(next_arrival, next_end)
            if now > month:
                break
            if next_end <= next_arrival:
                heapq.heappop(ends)
                if queue:
                    start(now, queue.popleft())
            else:
                if len(ends) < places:
                    start(now, now)
                else:
                    queue.append(now)
                next_arrival = now + rng.expovariate(arrival_rate)
        started = waits[month - 1]
        rows.append((len(ends), len(queue), sum(started) / len(started) if started else None))
    return rows


def forecast(
    *,
    intake_rate: float,
    share_granted: float,
    durations: list[float],
    places: int,
    ongoing_elapsed: Sequence[float] = (),
    waiting_since: Sequence[float] = (),
    months: int = 12,
    runs: int | None = None,
    seed: int = 2024,
) -> list[MonthForecast]:
    """Bands (10th, 50th, 90th percentile over `runs` runs) for each of the next `months`.

    intake_rate: intakes per month; share_granted: the share of intakes that lead to a granted
    decision; durations: contact times of ended cases, in months; places: c.
    runs: default `runs_for(...)`: 200, fewer (at least 20) for very large units.
    """
    if not durations:
        raise ValueError("No contact times to draw from.")
    rng = random.Random(seed)
    arrival_rate = max(intake_rate, 0.0) * min(max(share_granted, 0.0), 1.0)
    if runs is None:
        runs = runs_for(arrival_rate, months, len(ongoing_elapsed) + len(waiting_since))
    per_month: list[list[tuple[int, int, float | None]]] = [[] for _ in range(months)]
    for _run in range(runs):
        rows = simulate_run(
            rng,
            arrival_rate=arrival_rate,
            durations=list(durations),
            places=max(places, 0),
            ongoing_elapsed=list(ongoing_elapsed),
            waiting_since=list(waiting_since),
            months=months,
        )
        for index, row in enumerate(rows):
            per_month[index].append(row)
    result = []
    for index, rows in enumerate(per_month):
        waits = [row[2] for row in rows if row[2] is not None]
        result.append(
            MonthForecast(
                month=index + 1,
                ongoing=band([row[0] for row in rows]),
                waiting=band([row[1] for row in rows]),
                wait_months=band(waits) if len(waits) * 2 >= len(rows) else None,
            )
        )
    return result

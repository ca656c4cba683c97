"""Capacity forecast: a queueing simulation of a unit's places, in pure Python.

Model: M/G/c with first-come-first-served waiting.
- Arrivals of granted people are Poisson: intakes arrive at the unit's own rate, and each is
  granted with the unit's own share granted (a thinned Poisson process is Poisson).
- Contact times are drawn from the unit's own ended cases (empirical distribution, resampled).
- c = the places of the kind of support. Someone granted starts when a place is free and the
  time the unit usually takes from decision to start has passed (drawn from its own accepted
  orders; without any, at once); otherwise they wait in line.
- The people already in support keep their place for a remaining time drawn from the ended
  contact times longer than what they have already had; the people already waiting are still
  waiting at the start: they keep their place in line, and start no sooner than the unit's
  usual time from decision to start, given how long they have waited already.
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


def _remaining(
    rng: random.Random, ordered: list[float], elapsed: float, beyond: float = 3.0
) -> float:
    """A remaining time, drawn from the (sorted) times longer than `elapsed`; beyond them all,
    up to `beyond` months more."""
    first = bisect.bisect_right(ordered, elapsed)
    if first < len(ordered):
        return ordered[rng.randrange(first, len(ordered))] - elapsed
    return rng.uniform(0.0, beyond)


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
    lead_times: list[float] | None = None,
) -> list[tuple[int, int, float | None]]:
    """One run: for each month end, (ongoing, waiting, mean wait of those who started).

    Waiting counts everyone granted who has not started: those in line for a place and those
    whose start is still being prepared (the unit's usual time from decision to start).
    """
    ordered = sorted(durations)
    leads = sorted(lead_times or [])
    ends = [_remaining(rng, ordered, e) for e in ongoing_elapsed]
    heapq.heapify(ends)
    # (time ready to start, time granted): granted people whose start is being prepared.
    preparing: list[tuple[float, float]] = []
    for waited in waiting_since:
        # Waited longer than any start took before: ready now, as soon as a place is free.
        ready = _remaining(rng, leads, waited, beyond=0.0) if leads else 0.0
        heapq.heappush(preparing, (ready, -waited))
    queue: deque[float] = deque()  # arrival times of those ready, waiting for a place
    waits: list[list[float]] = [[] for _ in range(months)]
    rows: list[tuple[int, int, float | None]] = []
    next_arrival = rng.expovariate(arrival_rate) if arrival_rate > 0 else float("inf")

    def start(now: float, arrived: float) -> None:
        heapq.heappush(ends, now + rng.choice(durations))
        if 0 <= now < months:
            waits[int(now)].append(now - arrived)

    for month in range(1, months + 1):
        while True:
            next_end = ends[0] if ends else float("inf")
            next_ready = preparing[0][0] if preparing else float("inf")
            now = min(next_arrival, next_end, next_ready)
            if now > month:
                break
            if next_end == now:
                heapq.heappop(ends)
                if queue:
                    start(now, queue.popleft())
            elif next_ready == now:
                _ready, arrived = heapq.heappop(preparing)
                if len(ends) < places and not queue:
                    start(now, arrived)
                else:
                    queue.append(arrived)
            else:
                lead = rng.choice(leads) if leads else 0.0
                heapq.heappush(preparing, (now + lead, now))
                next_arrival = now + rng.expovariate(arrival_rate)
        started = waits[month - 1]
        waiting = len(queue) + len(preparing)
        rows.append((len(ends), waiting, sum(started) / len(started) if started else None))
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
    lead_times: Sequence[float] = (),
) -> list[MonthForecast]:
    """Bands (10th, 50th, 90th percentile over `runs` runs) for each of the next `months`.

    intake_rate: intakes per month; share_granted: the share of intakes that lead to a granted
    decision; durations: contact times of ended cases, in months; places: c;
    lead_times: the unit's times from decision to start, in months (none: a start needs only
    a free place).
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
            lead_times=list(lead_times),
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

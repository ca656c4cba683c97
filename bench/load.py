"""Load run: N simulated coordinators working at once against a running server.

Start gunicorn on the benchmark database first (see bench/README.md), then:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_brygga \
        .venv/bin/python bench/load.py --url http://127.0.0.1:8765 --staff 70 --seconds 180

Each simulated staff member is a synthetic coordinator (`generate_synthetic`) with a session
made directly in the database (no login form, so the login throttle is not in the way). In a
loop, after a pause (--pause, default 0.5–2.5 s), each does one of: search by surname (the
first four letters: one's own cases only), search by full name (one's own cases and the
register), search by number, open a person, register a visit, write a note, on people of their
own caseload. After --warmup seconds not timed (each gunicorn worker loads its templates and
opens its connection), prints p50/p95/p99 of the response time per action as the client saw it
(on the same machine).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from serving import ACTION_HEADER  # noqa: E402

from people.models import CaseStaff, CaseStatus  # noqa: E402

PAUSE = (0.5, 2.5)  # seconds between one staff member's actions (--pause)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACTIONS = [
    ("search by surname", 15),  # one word: the user's own cases only
    ("search by full name", 15),  # first and last name: own cases and the register
    ("search by number", 20),
    ("open a person", 30),
    ("register a visit", 10),
    ("write a note", 10),
]


def staff_with_caseloads(count: int) -> list[tuple[object, list]]:
    links = (
        CaseStaff.objects.filter(
            role="coordinator",
            case__status=CaseStatus.OPEN,
            user__username__startswith="syn-coord-",
        )
        .select_related("user", "case__person")
        .order_by("user__username")
    )
    by_user: dict = {}
    for link in links.iterator():
        if link.user_id not in by_user and len(by_user) == count:
            continue
        by_user.setdefault(link.user_id, (link.user, []))[1].append(link.case.person)
    return list(by_user.values())


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "organisation.auth.BryggaModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class Worker(threading.Thread):
    def __init__(self, base: str, user, people: list, until: float, results: dict, seed: int):
        super().__init__(daemon=True)
        self.pause = PAUSE
        self.base, self.people, self.until, self.results = base, people, until, results
        self.measure_from = 0.0  # set by main(): requests before it warm the server up
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, session_for(user))
        self.errors = 0

    def timed(self, action: str, method: str, path: str, **kwargs) -> requests.Response:
        # Named for the server's access log (bench/serving.py, `server_times`).
        kwargs["headers"] = {**kwargs.get("headers", {}), ACTION_HEADER: action.replace(" ", "_")}
        began = time.perf_counter()
        response = self.http.request(method, self.base + path, allow_redirects=False, **kwargs)
        elapsed = (time.perf_counter() - began) * 1000
        if time.monotonic() >= self.measure_from:
            self.results.setdefault(action, []).append(elapsed)
        if response.status_code >= 400:
            self.errors += 1
        return response

    def token(self, path: str) -> str:
        response = self.http.get(self.base + path)
        match = TOKEN.search(response.text)
        return match.group(1) if match else ""

    def run(self) -> None:
        names = [a[0] for a in ACTIONS]
        weights = [a[1] for a in ACTIONS]
        while time.monotonic() < self.until:
            time.sleep(self.rng.uniform(*self.pause))
            person = self.rng.choice(self.people)
            action = self.rng.choices(names, weights)[0]
            self.do(action, person)

    def do(self, action: str, person) -> None:
        if action == "search by surname":
            self.timed(action, "GET", "/personer/", params={"q": person.last_name[:4]})
        elif action == "search by full name":
            query = f"{person.first_name} {person.last_name}"
            self.timed(action, "GET", "/personer/", params={"q": query})
        elif action == "search by number":
            number = person.personal_number or person.reserve_number
            self.timed(action, "GET", "/personer/", params={"q": number})
        elif action == "open a person":
            self.timed(action, "GET", f"/personer/{person.pk}/")
        elif action == "register a visit":
            path = f"/genomforande/person/{person.pk}/besok/nytt/"
            data = {
                "csrfmiddlewaretoken": self.token(path),
                "kind": "visit",
                "day": "2026-12-01",
                "time": "10:00",
                "place": "Hemma",
                "status": "planned",
            }
            self.timed(action, "POST", path, data=data, headers={"Referer": self.base + path})
        else:
            path = f"/genomforande/person/{person.pk}/journal/ny/"
            data = {
                "csrfmiddlewaretoken": self.token(path),
                "happened_on": "2026-11-20",
                "text": "Belastningstest: anteckning efter hembesök.",
            }
            self.timed(action, "POST", path, data=data, headers={"Referer": self.base + path})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--staff", type=int, default=70)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument(
        "--warmup", type=int, default=15, help="seconds of load before timing starts"
    )
    parser.add_argument("--pause", type=float, nargs=2, default=(0.5, 2.5), metavar=("MIN", "MAX"))
    args = parser.parse_args()
    global PAUSE
    PAUSE = tuple(args.pause)
    staff = staff_with_caseloads(args.staff)
    measure_from = time.monotonic() + args.warmup
    until = measure_from + args.seconds
    results: dict[str, list[float]] = {}
    workers = [
        Worker(args.url, user, people, until, results, seed)
        for seed, (user, people) in enumerate(staff)
    ]
    print(
        f"# Load run: {len(workers)} staff for {args.seconds} s (after {args.warmup} s of "
        f"warm-up, not timed) against {args.url}, "
        f"pausing {PAUSE[0]}–{PAUSE[1]} s between actions"
    )
    for worker in workers:
        worker.measure_from = measure_from
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = sum(len(v) for v in results.values())
    print(f"{total} requests, {sum(w.errors for w in workers)} errors (status >= 400)")
    print(f"{'action':<18} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for action, _weight in ACTIONS:
        values = results.get(action, [])
        if values:
            print(
                f"{action:<18} {len(values):>6} {percentile(values, 0.5):>8.1f} "
                f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}"
            )


if __name__ == "__main__":
    main()

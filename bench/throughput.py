"""Throughput: the highest request rate at which the 70-staff mix keeps p95 under 100 ms.

Runs the load of `bench/load.py` (the same staff, actions and weights) against gunicorn again and
again, each time with shorter pauses between one staff member's actions, and prints for each
pace: the requests a second reached, p95 per action, the machine's CPU use (from /proc/stat,
client included: it shares the machine), and errors. The last line names the highest rate at
which every action's p95 stayed under `--limit` (100 ms). Beside each p95 as the client timed
it, the server's own in brackets (gunicorn's access log: from the request read to the response
written, without the client's wait for the GIL of its 70 threads). Each pace is one run of
`--seconds` after `--warmup` seconds not timed. The staff work in a closed loop: a staff member
waits for an answer before pausing again, so past the server's capacity the rate stops growing
and the times grow instead.

Run on a copy of the benchmark database (the load writes visits, notes and log entries):

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_rate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rate DEBUG=0 \\
        .venv/bin/python bench/throughput.py [--pauses 10 5 3 2 1.5 1] [--seconds 60]

Prints figures; asserts nothing. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from load import ACTIONS, Worker, percentile, staff_with_caseloads  # noqa: E402
from serving import server_times, start_gunicorn  # noqa: E402

PORT = 8951


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of every core since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def run(staff: list, mean_pause: float, seconds: int, warmup: int, log: Path) -> dict:
    """One closed-loop run with pauses uniform in [mean/2, 3·mean/2]: its figures; the
    server's from the lines its access log `log` gained while timed."""
    measure_from = time.monotonic() + warmup
    until = measure_from + seconds
    results: dict[str, list[float]] = {}
    workers = [
        Worker(f"http://127.0.0.1:{PORT}", user, people, until, results, seed)
        for seed, (user, people) in enumerate(staff)
    ]
    for worker in workers:
        worker.pause = (mean_pause / 2, mean_pause * 3 / 2)
        worker.measure_from = measure_from
        worker.start()
    time.sleep(max(0.0, measure_from - time.monotonic()))
    busy0, total0 = cpu_times()
    start = log.stat().st_size
    for worker in workers:
        worker.join()
    busy1, total1 = cpu_times()
    with log.open() as lines:
        lines.seek(start)
        served = server_times(lines.readlines())
    every = [t for values in results.values() for t in values]
    return {
        "pause": mean_pause,
        "rate": len(every) / seconds,
        "p95": {a: percentile(results[a], 0.95) for a, _w in ACTIONS if results.get(a)},
        "server": {a: percentile(served[a], 0.95) for a, _w in ACTIONS if served.get(a)},
        "all": percentile(every, 0.95) if every else 0.0,
        "cpu": (busy1 - busy0) / max(1, total1 - total0),
        "errors": sum(w.errors for w in workers),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=70)
    parser.add_argument("--pauses", type=float, nargs="+", default=[10, 5, 3, 2, 1.5, 1])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's")
    parser.add_argument("--limit", type=float, default=100.0, help="p95 ms every action keeps")
    args = parser.parse_args()
    staff = staff_with_caseloads(args.staff)
    log = Path(tempfile.mkdtemp()) / "access.log"
    server = start_gunicorn(PORT, args.workers, access_log=log)
    names = [a for a, _w in ACTIONS]
    print(
        f"# Throughput: {len(staff)} staff, gunicorn {args.workers} workers, {os.cpu_count()} "
        f"cores shared with the client; {args.seconds} s a pace after {args.warmup} s warm-up; "
        "p95 ms as the client timed it (the server's own in brackets)"
    )
    head = f"{'pause s':>7} {'req/s':>6} {'CPU':>5} {'errors':>6} {'p95 all':>7}  "
    print(head + "  ".join(names))
    runs = []
    try:
        for pause in args.pauses:
            found = run(staff, pause, args.seconds, args.warmup, log)
            runs.append(found)
            p95 = "  ".join(
                f"{found['p95'].get(a, 0):.0f} ({found['server'].get(a, 0):.0f})".rjust(len(a))
                for a in names
            )
            print(
                f"{pause:>7.2f} {found['rate']:>6.1f} {found['cpu']:>5.0%} {found['errors']:>6} "
                f"{found['all']:>7.0f}  {p95}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()
    under = [r for r in runs if r["p95"] and max(r["p95"].values()) < args.limit]
    if under:
        best = max(under, key=lambda r: r["rate"])
        print(
            f"# Highest rate with every action's p95 under {args.limit:.0f} ms: "
            f"{best['rate']:.1f} requests/s (pause {best['pause']} s, CPU {best['cpu']:.0%})"
        )
    else:
        print(f"# No pace kept every action's p95 under {args.limit:.0f} ms")


if __name__ == "__main__":
    main()

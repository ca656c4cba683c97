"""What the benchmarks that start their own gunicorn share: starting it, and waiting until it
answers."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import requests


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Return once `url` answers without a server error; stop the server and exit if it never
    does within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer at {url}")


# The action the load client named (its `X-Bench-Action` header, "-" for none), the status and
# the server's own time in ms (from the request read to the response written): what
# `server_times` reads back. No paths or query strings: a search's words are personal data.
ACCESS_LOG_FORMAT = "%({x-bench-action}i)s %(s)s %(M)s"
ACTION_HEADER = "X-Bench-Action"


def server_times(lines: list[str]) -> dict[str, list[float]]:
    """The server's ms per action named in the access log's `lines` (`ACCESS_LOG_FORMAT`; the
    action's spaces sent as underscores)."""
    found: dict[str, list[float]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0] != "-":
            found.setdefault(parts[0].replace("_", " "), []).append(float(parts[2]))
    return found


def start_gunicorn(
    port: int,
    workers: int = 4,
    prefix: tuple[str, ...] = (),
    access_log: Path | None = None,
) -> subprocess.Popen:
    """Brygga under gunicorn with `workers` processes on 127.0.0.1:`port`, once it answers.
    `prefix`: a command to run it under (`taskset -c 0`). `access_log`: a file for gunicorn's
    access log, one line per request in `ACCESS_LOG_FORMAT`. The replica's address is not
    passed on: the server reads the primary only."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    logging = (
        ["--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT]
        if access_log
        else []
    )
    process = subprocess.Popen(  # noqa: S603 - our own server
        [*prefix, str(Path(sys.executable).parent / "gunicorn"), "brygga.wsgi"]
        + ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        + logging,
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_until_answering(f"http://127.0.0.1:{port}/", process)
    return process

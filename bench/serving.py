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


def start_gunicorn(port: int, workers: int = 4, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    """Brygga under gunicorn with `workers` processes on 127.0.0.1:`port`, once it answers.
    `prefix`: a command to run it under (`taskset -c 0`). The replica's address is not passed
    on: the server reads the primary only."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    process = subprocess.Popen(  # noqa: S603 - our own server
        [*prefix, str(Path(sys.executable).parent / "gunicorn"), "brygga.wsgi"]
        + ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_until_answering(f"http://127.0.0.1:{port}/", process)
    return process

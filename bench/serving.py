"""What the benchmarks that start their own gunicorn share: waiting until it answers."""

from __future__ import annotations

import contextlib
import subprocess
import time

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

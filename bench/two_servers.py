"""The load run (`bench/load.py`) against app servers behind a round-robin proxy, side by side.

Starts gunicorn servers with the production configuration (`deploy/gunicorn.conf.py`) on one
database behind the round-robin proxy of `tests/servers.py` (request k to server k mod n), runs
`bench/load.py` against the proxy, stops them, and does the same for each layout asked for:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_copy \\
        .venv/bin/python bench/two_servers.py --layouts 1x4 2x2 --staff 70 --seconds 120

`1x4` is one server with 4 workers, `2x2` two servers with 2 workers each: the same number of
workers, so the figures show what the second server and the proxy cost or gain on this machine.
The load run writes (sessions, visits, notes): use a copy of the benchmark database. All servers
get the same SECRET_KEY and BRYGGA_ACCESS_LOG_KEYS as this process (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from tests.servers import access_log_keys_value, servers_behind_proxy  # noqa: E402


def layout(text: str) -> tuple[int, int]:
    servers, _x, workers = text.partition("x")
    return int(servers), int(workers)


def run(servers: int, workers: int, args: argparse.Namespace, logs: Path) -> None:
    env = {
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "BRYGGA_ACCESS_LOG_KEYS": access_log_keys_value(settings.BRYGGA_ACCESS_LOG_KEYS),
        "BRYGGA_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "BRYGGA_WORKERS": str(workers),
    }
    print(
        f"\n## {servers} server(s) × {workers} worker(s) behind the round-robin proxy", flush=True
    )
    with servers_behind_proxy(servers, env, logs / f"{servers}x{workers}") as (proxy, _servers):
        load = [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            f"--url={proxy.url}",
            f"--staff={args.staff}",
            f"--seconds={args.seconds}",
            f"--warmup={args.warmup}",
            "--pause",
            str(args.pause[0]),
            str(args.pause[1]),
        ]
        subprocess.run(load, check=True, env={**os.environ, **env})  # noqa: S603
        answers = list(proxy.answers)
    answered = Counter(server for server, _status, _location in answers)
    # A session made on one server and not known on another would be sent to the login page.
    to_login = Counter(
        server for server, _status, location in answers if location.startswith("/accounts/login/")
    )
    shares = ", ".join(
        f"server {n}: {answered[n]} ({to_login[n]} sent to log in)" for n in range(servers)
    )
    print(f"answered (warm-up included): {shares}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layouts", nargs="+", type=layout, default=[(1, 4), (2, 2)])
    parser.add_argument("--staff", type=int, default=70)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--pause", type=float, nargs=2, default=(5, 15), metavar=("MIN", "MAX"))
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("set DATABASE_URL to a copy of the benchmark database (the run writes)")
    with tempfile.TemporaryDirectory(prefix="brygga-servers-") as logs:
        for servers, workers in args.layouts:
            run(servers, workers, args, Path(logs))


if __name__ == "__main__":
    main()

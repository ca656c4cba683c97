"""Several gunicorn servers on one database behind a round-robin reverse proxy, on this machine.

Used by `tests/test_app_servers.py` (two servers must behave as one) and `bench/two_servers.py`.
Each server is `gunicorn -c deploy/gunicorn.conf.py brygga.wsgi`, the production configuration,
on a port of its own. The proxy sends request k to server k mod n, as nginx's default
round-robin `upstream` does, adds `X-Forwarded-For` as nginx's `$proxy_add_x_forwarded_for`
does, and names the server that answered in `X-Served-By` (nginx: `$upstream_addr`), so that a
test can tell that two steps were answered by different servers.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not forwarded by a proxy (RFC 9110, 7.6.1), and Content-Length, which the proxy sets itself.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def access_log_keys_value(keys: Mapping[str, bytes]) -> str:
    """The BRYGGA_ACCESS_LOG_KEYS value that gives these keys (settings.access_log_keys)."""
    return ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keys.items())


def database_url(settings_dict: Mapping) -> str:
    """DATABASE_URL for a connection's settings (PostgreSQL or an SQLite file)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    if settings_dict.get("PASSWORD"):
        user += f":{settings_dict['PASSWORD']}"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


class Server:
    """One gunicorn with the production configuration; its output goes to `log`."""

    def __init__(self, port: int, env: Mapping[str, str], log: Path):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"
        environment = {**os.environ, **env, "BRYGGA_BIND": f"127.0.0.1:{port}"}
        # Test settings of this process must not reach the servers.
        environment.pop("BRYGGA_TEST_DB_NAME", None)
        environment.setdefault("BRYGGA_WORKERS", "1")
        self._output = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own server, from our own venv
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "brygga.wsgi",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    def healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/health/")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful stop

    def stop(self) -> None:
        self.terminate()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._output.close()


def wait_until_healthy(servers: list[Server], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    waiting = list(servers)
    while waiting:
        for server in list(waiting):
            if server.process.poll() is not None:
                raise RuntimeError(f"gunicorn on {server.url} stopped:\n{server.log.read_text()}")
            if server.healthy():
                waiting.remove(server)
        if waiting and time.monotonic() > deadline:
            logs = "\n".join(server.log.read_text() for server in waiting)
            raise RuntimeError(f"no 200 from /health/ in {seconds:.0f} s:\n{logs}")
        if waiting:
            time.sleep(0.2)


class RoundRobinProxy(ThreadingHTTPServer):
    """Request k goes to backend k mod n; `served_by` lists which backend answered each one, and
    `answers` each answer's backend, status and Location (empty when it has none)."""

    daemon_threads = True

    def __init__(self, backends: list[int]):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.backends = backends
        self.served_by: list[int] = []
        self.answers: list[tuple[int, int, str]] = []
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def next_backend(self) -> int:
        with self._lock:
            index = next(self._turn) % len(self.backends)
            self.served_by.append(index)
        return index


class _ProxyHandler(BaseHTTPRequestHandler):
    server: RoundRobinProxy

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        forwarded = self.headers.get("X-Forwarded-For")
        client = self.client_address[0]
        headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
        if body is not None:
            headers["Content-Length"] = str(len(body))
        index = self.server.next_backend()
        backend = http.client.HTTPConnection("127.0.0.1", self.server.backends[index], timeout=120)
        try:
            backend.request(self.command, self.path, body=body, headers=headers)
            answer = backend.getresponse()
            content = answer.read()
        except OSError:
            self.send_error(502)
            return
        finally:
            backend.close()
        self.server.answers.append((index, answer.status, answer.getheader("Location") or ""))
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("X-Served-By", str(index))
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # paths carry record ids; the servers log requests themselves


@contextlib.contextmanager
def servers_behind_proxy(
    count: int, env: Mapping[str, str], logs: Path
) -> Iterator[tuple[RoundRobinProxy, list[Server]]]:
    """`count` gunicorn servers with the same environment behind one proxy; always stopped."""
    logs.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    proxy = None
    try:
        for number in range(count):
            servers.append(Server(free_port(), env, logs / f"gunicorn-{number}.log"))
        wait_until_healthy(servers)
        proxy = RoundRobinProxy([server.port for server in servers])
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield proxy, servers
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        for server in servers:
            server.terminate()  # all at once: each takes a moment to finish
        for server in servers:
            server.stop()

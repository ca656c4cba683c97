"""Several gunicorn servers on one database behind a round-robin reverse proxy, on this machine.

Used by `tests/test_app_servers.py` (two servers must behave as one) and `bench/two_servers.py`.
Each server is `gunicorn -c deploy/gunicorn.conf.py brygga.wsgi`, the production configuration,
on a port of its own. The proxy sends request k to server k mod n, as nginx's default
round-robin `upstream` does, adds `X-Forwarded-For` as nginx's `$proxy_add_x_forwarded_for`
does, and names the server that answered in `X-Served-By` (nginx: `$upstream_addr`), so that a
test can tell that two steps were answered by different servers. Given a way to find them, the
proxy answers `/static/` itself, as nginx does in production (deploy/nginx-brygga.conf): the app
servers never serve static files.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import itertools
import mimetypes
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from django.contrib.auth.hashers import PBKDF2PasswordHasher

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


def shared_environment(settings_dict: Mapping) -> dict[str, str]:
    """What every server behind the proxy must have the same (docs/operations.md, "Several app
    servers"), taken from this process's settings, on the database of `settings_dict`."""
    from django.conf import settings

    return {
        "DJANGO_SETTINGS_MODULE": "brygga.settings",
        "DATABASE_URL": database_url(settings_dict),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "BRYGGA_ACCESS_LOG_KEYS": access_log_keys_value(settings.BRYGGA_ACCESS_LOG_KEYS),
        # Behind the proxy, as deploy/brygga.env.example sets it.
        "BRYGGA_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    }


def find_static(path: str) -> Path | None:
    """The file of a static path (below STATIC_URL), found as `collectstatic` would find it."""
    from django.contrib.staticfiles import finders
    from django.core.exceptions import SuspiciousFileOperation

    try:
        found = finders.find(unquote(path))
    except SuspiciousFileOperation:  # outside the static directories: "../"
        return None
    return Path(found) if isinstance(found, str) else None


_HASHES: dict[tuple[str, str, int | None], str] = {}


class ServersOwnHasher(PBKDF2PasswordHasher):
    """Passwords as the servers check them (their default PBKDF2, its full iterations), for
    users made in a test process whose servers run elsewhere: the suite's cheap MD5 is not among
    the servers' hashers. One salt, and each password hashed once per process, because the
    fixtures set the same passwords for every test (about 0.3 s of CPU each)."""

    def salt(self) -> str:
        return hashlib.sha256(b"brygga test servers").hexdigest()[:22]

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        key = (password, salt, iterations)
        if key not in _HASHES:
            _HASHES[key] = super().encode(password, salt, iterations)
        return _HASHES[key]


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
    `answers` each answer's backend, status and Location (empty when it has none).

    `static`, when given, maps a path below /static/ to its file (None: no such file); those
    requests are answered by the proxy and go to no backend."""

    daemon_threads = True

    def __init__(self, backends: list[int], static: Callable[[str], Path | None] | None = None):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.backends = backends
        self.static = static
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
        if self.server.static is not None and self.path.startswith("/static/"):
            self._static()
            return
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

    def _static(self) -> None:
        if self.command not in ("GET", "HEAD"):
            self.send_error(405)
            return
        path = self.server.static(self.path.split("?", 1)[0].removeprefix("/static/"))
        if path is None:
            self.send_error(404)
            return
        content = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response_only(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(content)

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # paths carry record ids; the servers log requests themselves


@contextlib.contextmanager
def servers_behind_proxy(
    count: int,
    env: Mapping[str, str],
    logs: Path,
    static: Callable[[str], Path | None] | None = None,
) -> Iterator[tuple[RoundRobinProxy, list[Server]]]:
    """`count` gunicorn servers with the same environment behind one proxy (which answers
    /static/ itself when given `static`, see RoundRobinProxy); always stopped."""
    logs.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    proxy = None
    try:
        for number in range(count):
            servers.append(Server(free_port(), env, logs / f"gunicorn-{number}.log"))
        wait_until_healthy(servers)
        proxy = RoundRobinProxy([server.port for server in servers], static)
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


# In a server's output: Django's errors (a 500 is logged as "ERROR django.request", with its
# traceback; a 403 or 404 is only a WARNING), gunicorn's own ("[ERROR]", "[CRITICAL] WORKER
# TIMEOUT") and any answer of 500 or more in its access log.
SERVER_ERROR = re.compile(r'^\S+ \S+ (?:ERROR|CRITICAL) |\[(?:ERROR|CRITICAL)\]|" 5\d\d \d', re.M)


class ServersBehindProxy:
    """The servers as a test's `live_server` (tests/conftest.py): `url` is the proxy's."""

    def __init__(self, proxy: RoundRobinProxy, servers: list[Server]):
        from django.test.utils import override_settings

        self.proxy, self.servers, self.url = proxy, servers, proxy.url
        # pytest-django's own live server changes settings during a test; these change none.
        self._live_server_modified_settings = override_settings()

    def __str__(self) -> str:
        return self.url

    def mark(self) -> tuple[int, list[int]]:
        return len(self.proxy.served_by), [server.log.stat().st_size for server in self.servers]

    def problems_since(self, mark: tuple[int, list[int]]) -> list[str]:
        """The servers' errors since `mark`, and fewer servers answering than there were
        requests (round-robin gives each of n requests in a row to another server)."""
        answered, sizes = mark
        by = self.proxy.served_by[answered:]
        problems = []
        if len(by) >= len(self.servers) > len(set(by)):
            problems.append(
                f"{len(by)} requests, answered only by server(s) {sorted(set(by))} of "
                f"{len(self.servers)}: the test did not go through every server"
            )
        for server, size in zip(self.servers, sizes, strict=True):
            with server.log.open("rb") as log:
                log.seek(size)
                text = log.read().decode(errors="replace")
            error = SERVER_ERROR.search(text)
            if error:
                line = text.rfind("\n", 0, error.start()) + 1
                problems.append(f"{server.url} ({server.log}):\n{text[line : line + 5000]}")
        return problems

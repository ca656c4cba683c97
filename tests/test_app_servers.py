"""Two app servers that share nothing but the database behave as one.

Two gunicorn servers (the production configuration, `deploy/gunicorn.conf.py`) run on the test
database behind a round-robin proxy (`tests/servers.py`), which sends request k to server k mod 2
and names the server in each answer. Whatever one server keeps (a login, an upload, a form's
one-time token, an API token and its revocation, a reason given, failed logins, the public form's
submissions) is then used by the other, and the test checks that both servers answered each
time. All must work as on one server (docs/operations.md, "Several app servers"); one user's
story after another, in one test, because starting the servers is what takes time.

On PostgreSQL the servers use the test database itself (the data is committed: a transactional
test). On SQLite the test database is in memory, which no other process can open: it is copied
into a file once the data is made, and the servers share that file.
"""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from organisation.models import Role
from tests.factories import UserFactory
from tests.intake.test_public_form import VALID as PUBLIC_FORM  # a complete intake form
from tests.servers import (
    RoundRobinProxy,
    ServersBehindProxy,
    find_static,
    free_port,
    servers_behind_proxy,
    shared_environment,
)

PDF = b"%PDF-1.4\n% two servers\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
REASON = "Kollegan är sjuk och personen har ringt om sitt besök i morgon."
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission_token" value="([^"]+)"')
LIMIT = 3  # the public form's per hour, and the failed logins that lock an account
STAMP = "2026-12-06 22:33:56,698"


def cheap_password(user, password: str = "pw") -> None:  # noqa: S107
    """A password the servers' own hashers check (the suite's MD5 is not among them), with few
    iterations so that logging in stays quick; the server re-hashes it at the first login."""
    user.password = PBKDF2PasswordHasher().encode(password, "twoservers", iterations=1000)
    user.save(update_fields=["password"])


class Browser:
    """A browser behind the proxy: its own cookies; each answer names the server that gave it."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self._send("GET", path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        return self._send("POST", path, data=data, **kwargs)

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(
            method, self.base + path, allow_redirects=False, timeout=60, **kwargs
        )

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields of the page's form: the CSRF token and the one-time submission
        token, when the form has one."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        fields = {"csrfmiddlewaretoken": CSRF.search(page.text).group(1)}
        submission = SUBMISSION.search(page.text)
        if submission:
            fields["submission_token"] = submission.group(1)
        return fields

    def log_in(self, username: str, password: str = "pw") -> requests.Response:  # noqa: S107
        fields = self.form("/accounts/login/")
        return self.post("/accounts/login/", {**fields, "username": username, "password": password})


def answered_by_both(*responses: requests.Response) -> bool:
    return {response.headers["X-Served-By"] for response in responses} == {"0", "1"}


@pytest.fixture
def staff(org, coordinator, colleague, manager, person):
    colleague.first_name, colleague.last_name = "Kim", "Kollega"
    colleague.save(update_fields=["first_name", "last_name"])
    locked = UserFactory(username="forgetful", roles=[(org["south"], Role.COORDINATOR)])
    for user in (coordinator, colleague, manager, locked):
        cheap_password(user)
    return {"coordinator": coordinator, "colleague": colleague, "manager": manager}


@pytest.fixture
def two_servers(staff, tmp_path, transactional_db):
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        # The in-memory test database, copied into a file both servers open.
        db["NAME"] = str(tmp_path / "shared.sqlite3")
        connection.ensure_connection()
        with sqlite3.connect(db["NAME"]) as copy:
            connection.connection.backup(copy)
    env = {
        **shared_environment(db),
        "BRYGGA_WEB_INTAKE_PER_HOUR": str(LIMIT),
        "AXES_FAILURE_LIMIT": str(LIMIT),
    }
    with servers_behind_proxy(2, env, tmp_path / "logs") as (proxy, _servers):
        yield proxy
        assert set(proxy.served_by) == {0, 1}


def test_two_servers_behind_a_proxy_behave_as_one(two_servers, staff, person):
    base = two_servers.url

    # Sessions: logged in on one server, known on the other; logged out on both at once.
    coordinator = Browser(base)
    logged_in = coordinator.log_in("coord")
    assert logged_in.status_code == 302
    start = coordinator.get("/")
    assert start.status_code == 200
    assert answered_by_both(logged_in, start)
    assert 'action="/accounts/logout/"' in start.text

    # An attachment uploaded through one server is downloaded whole from the other.
    upload_path = f"/dokument/{person.pk}/ny/"
    upload = {**coordinator.form(upload_path), "title": "Ansökan", "kind": "application"}
    sent = coordinator.post(upload_path, upload, files={"file": ("ansokan.pdf", PDF)})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/personer/{person.pk}/"
    # The same form sent again (a double click) reaches the other server: handled once.
    resent = coordinator.post(upload_path, upload, files={"file": ("ansokan.pdf", PDF)})
    assert answered_by_both(sent, resent)
    assert resent.status_code == 302
    assert resent.headers["Location"] == sent.headers["Location"]
    page = coordinator.get(f"/personer/{person.pk}/")
    assert "Det här skickades redan" in page.text
    downloads = re.findall(r'href="(/dokument/[0-9a-f-]{36}/)"', page.text)
    assert len(downloads) == 1, "one attachment, not two"
    first = coordinator.get(downloads[0])
    second = coordinator.get(downloads[0])
    assert answered_by_both(first, second)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == PDF

    # An API token created on one server works on both; revoked on one, refused by both.
    token_page = coordinator.post(
        "/api-nycklar/", {**coordinator.form("/api-nycklar/"), "name": "Skript", "scope": "read"}
    )
    assert token_page.status_code == 200
    raw = re.search(r'value="(brygga_[^"]+)"', token_page.text).group(1)
    api = Browser(base)
    bearer = {"Authorization": f"Bearer {raw}"}
    reads = [api.get(f"/api/v1/people/{person.pk}", headers=bearer) for _ in range(2)]
    assert answered_by_both(*reads)
    assert [read.status_code for read in reads] == [200, 200]
    assert reads[0].json()["id"] == str(person.pk)
    tokens = coordinator.get("/api-nycklar/")
    revoke = re.search(r'action="(/api-nycklar/[0-9a-f-]{36}/aterkalla/)"', tokens.text).group(1)
    fields = {
        "csrfmiddlewaretoken": CSRF.search(tokens.text).group(1),
        "submission_token": SUBMISSION.search(tokens.text).group(1),
    }
    assert coordinator.post(revoke, fields).status_code == 302
    refused = [api.get(f"/api/v1/people/{person.pk}", headers=bearer) for _ in range(2)]
    assert answered_by_both(*refused)
    assert [answer.status_code for answer in refused] == [401, 401]

    logged_out = coordinator.post("/accounts/logout/", coordinator.form("/"))
    assert logged_out.status_code == 302
    after = [coordinator.get("/") for _ in range(2)]
    assert answered_by_both(*after)
    assert all(answer.headers["Location"].startswith("/accounts/login/") for answer in after)

    # A reason given on one server opens the record on both, and every read carries it.
    colleague = Browser(base)
    assert colleague.log_in("colleague").status_code == 302
    asked = colleague.get(f"/personer/{person.pk}/")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith(f"/personer/{person.pk}/skal/")
    given = colleague.post(
        asked.headers["Location"], {**colleague.form(asked.headers["Location"]), "reason": REASON}
    )
    assert given.status_code == 302
    opened = [colleague.get(f"/personer/{person.pk}/") for _ in range(2)]
    assert answered_by_both(*opened)
    assert [answer.status_code for answer in opened] == [200, 200]
    assert all("Fiktiv" in answer.text for answer in opened)
    manager = Browser(base)
    assert manager.log_in("boss").status_code == 302
    review = manager.get(f"/atkomstlogg/?person={person.pk}")
    rows = [row for row in review.text.split("<tr")[1:] if "Kim Kollega" in row]
    assert len(rows) >= 3, "the reason given and a read on each server"
    assert all(f"<td>{REASON}</td>" in row for row in rows), "every read carries the reason"

    # Failed logins count on both servers: locked after LIMIT, whichever server is asked.
    forgetful = Browser(base)
    login = {**forgetful.form("/accounts/login/"), "username": "forgetful"}
    failures = [
        forgetful.post("/accounts/login/", {**login, "password": "wrong"}) for _ in range(LIMIT)
    ]
    assert answered_by_both(*failures)
    assert [answer.status_code for answer in failures] == [200] * (LIMIT - 1) + [429]
    right = [forgetful.post("/accounts/login/", {**login, "password": "pw"}) for _ in range(2)]
    assert answered_by_both(*right)
    assert [answer.status_code for answer in right] == [429, 429]

    # The public form's limit per hour counts on both servers (forms opened in several tabs,
    # then sent one after the other); the receipt waits in the session.
    visitor = Browser(base)
    forms = [{**visitor.form("/anmalan/"), **PUBLIC_FORM} for _ in range(LIMIT + 2)]
    sent_forms = [visitor.post("/anmalan/", form) for form in forms]
    assert answered_by_both(*sent_forms[:LIMIT])
    assert [answer.status_code for answer in sent_forms] == [302] * LIMIT + [429, 429]
    assert answered_by_both(*sent_forms[LIMIT:])
    thanks = [visitor.get("/anmalan/tack/") for _ in range(2)]
    assert answered_by_both(*thanks)
    assert all('class="reference"' in answer.text for answer in thanks)


def test_no_server_keeps_a_value_in_its_memory_for_the_next_request():
    """What a lockout or a limit counts must be in the database: there is no cache in a
    process's memory to count it in (docs/operations.md)."""
    from django.core.cache import cache

    cache.set("failed-logins", 3)
    assert cache.get("failed-logins") is None
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_the_proxy_answers_static_files_itself_as_nginx_does():
    """In front of the servers the proxy serves /static/ (deploy/nginx-brygga.conf): no app
    server is asked, and a file that does not exist is a 404."""
    proxy = RoundRobinProxy([free_port()], find_static)  # no server listens there
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        css = requests.get(f"{proxy.url}/static/brygga/brygga.css", timeout=10)
        assert css.status_code == 200
        assert css.headers["Content-Type"] == "text/css"
        assert css.content == (settings.BASE_DIR / "static/brygga/brygga.css").read_bytes()
        assert requests.get(f"{proxy.url}/static/brygga/none.css", timeout=10).status_code == 404
        assert requests.get(f"{proxy.url}/static/..%2Fmanage.py", timeout=10).status_code == 404
        assert proxy.served_by == [], "no server was asked"
        assert requests.get(f"{proxy.url}/", timeout=10).status_code == 502
        assert proxy.served_by == [0]
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_a_password_set_for_the_servers_is_checked_by_their_own_hasher(settings):
    """BRYGGA_TEST_SERVERS: users made by the tests log in on servers whose hashers are the
    production ones, without a new hash at every login."""
    settings.PASSWORD_HASHERS = ["tests.servers.ServersOwnHasher"]
    user = get_user_model()(username="demo")
    user.set_password("demo")
    servers = PBKDF2PasswordHasher()
    assert servers.verify("demo", user.password)
    assert not servers.verify("Demo", user.password)
    assert not servers.must_update(user.password)
    assert user.check_password("demo")
    assert not user.check_password("wrong")


def test_a_test_through_the_servers_fails_when_one_server_answers_all_or_one_fails(tmp_path):
    """The check made after each test with BRYGGA_TEST_SERVERS (tests/conftest.py)."""

    class Proxy:
        url = "http://127.0.0.1:1"
        served_by: list[int] = []

    class Logged:
        def __init__(self, name):
            self.url, self.log = name, tmp_path / f"{name}.log"
            self.log.write_text("started\n")

    proxy, servers = Proxy(), [Logged("a"), Logged("b")]
    both = ServersBehindProxy(proxy, servers)
    mark = both.mark()
    proxy.served_by += [0, 1, 0]
    assert both.problems_since(mark) == []
    mark = both.mark()
    proxy.served_by += [0]
    assert both.problems_since(mark) == [], "one request goes to one server"
    proxy.served_by += [0]
    assert "answered only by server(s) [0] of 2" in both.problems_since(mark)[0]
    mark = both.mark()
    proxy.served_by += [1, 0]
    with servers[0].log.open("a") as log:
        log.write(f"{STAMP} WARNING django.request Forbidden (Permission denied): /personer/\n")
        log.write("Traceback (most recent call last):\ndjango.core.exceptions.PermissionDenied\n")
        log.write('127.0.0.1 - - [06/Dec/2026:22:33:55 +0100] "GET /personer/ HTTP/1.1" 403 2267\n')
    assert both.problems_since(mark) == [], "a 403 is no error"
    for error in (
        f"{STAMP} ERROR django.request Internal Server Error: /personer/\nTraceback (most",
        f"[{STAMP}] [4711] [CRITICAL] WORKER TIMEOUT (pid:4712)",
        '127.0.0.1 - - [06/Dec/2026:22:33:55 +0100] "GET /personer/ HTTP/1.1" 502 0 "-"',
    ):
        mark = both.mark()
        proxy.served_by += [1, 0]
        with servers[1].log.open("a") as log:
            log.write(f"{error}\n")
        (problem,) = both.problems_since(mark)
        assert problem.startswith("b (") and error in problem

"""Shared fixtures: one small organisation and the standard users every view is tried with.

- `coordinator`: in team North, assigned to `person` (the "owner")
- `colleague`: a coordinator in team South (another team)
- `officer`: officer in the authority unit holding the case
- `outsider_officer`: officer in another authority unit
- `manager`: manager of the authority unit and the provider unit
- `analyst`, `meeting_staff`, `administrator`: roles that never see a person's record
- anonymous: the `client` fixture without login

`BRYGGA_TEST_SERVERS=2` runs the tests that talk HTTP to a live server (`live_server`: the
browser tests, the README's curl examples) against two gunicorn servers behind a round-robin
proxy instead of one server in this process (see `live_server` below).
"""

from __future__ import annotations

import os
import socket

import pytest

from organisation.models import Role, UnitKind
from people.models import CaseStaffRole
from tests.factories import (
    CaseFactory,
    CaseStaffFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)

TEST_SERVERS = int(os.environ.get("BRYGGA_TEST_SERVERS") or "1")


@pytest.fixture(autouse=True)
def _fast_and_offline(request, settings, monkeypatch):
    if TEST_SERVERS > 1 and "live_server" in request.fixturenames:
        # The servers check passwords with their own hashers, which do not include MD5.
        settings.PASSWORD_HASHERS = ["tests.servers.ServersOwnHasher"]
    else:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = True

    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Tests never reach the network (tried {host!r}).")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(scope="session", autouse=True)
def _no_other_session_at_teardown(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end every other session on it: one left open by a
    connection outside this thread's handles (one opened in the PostgreSQL run and idle to its
    end) made PostgreSQL refuse the drop ("test_test is being accessed by other users") and
    left the database behind."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _heavy_reads_on_primary(request, settings):
    """Only tests marked `replica` send the heavy reads through the alias "replica" (a mirror
    of the test database, or the real replica of DATABASE_REPLICA_URL): the others are allowed
    the primary alone (pytest-django's `databases`), whatever the environment says."""
    if request.node.get_closest_marker("replica") is None:
        settings.BRYGGA_HEAVY_READS_DATABASE = "default"


if TEST_SERVERS > 1:

    @pytest.fixture(scope="session")
    def live_server(django_db_setup, django_db_blocker, tmp_path_factory):
        """BRYGGA_TEST_SERVERS=n: n gunicorn servers (deploy/gunicorn.conf.py) behind the
        round-robin proxy of tests/servers.py, on the test database, in place of pytest-django's
        one server in this process; the proxy answers /static/ itself, as nginx does. Request k
        of a test goes to server k mod n, so whatever one server keeps in its memory (a session,
        a cache, a file) shows as a failure when the next request reaches another.

        PostgreSQL only: SQLite's test database is in this process's memory. The data a test
        makes is committed (live_server makes every test transactional), so the servers see it.
        """
        from django.db import connection

        from tests.servers import (
            ServersBehindProxy,
            find_static,
            servers_behind_proxy,
            shared_environment,
        )

        with django_db_blocker.unblock():
            settings_dict = dict(connection.settings_dict)
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            pytest.fail(
                "BRYGGA_TEST_SERVERS needs PostgreSQL (DATABASE_URL=postgres://...): SQLite's "
                "test database lives in the memory of the test process.",
                pytrace=False,
            )
        env = shared_environment(settings_dict)
        # The servers read and write the test database only.
        env["DATABASE_REPLICA_URL"] = ""
        logs = tmp_path_factory.mktemp("app-servers")
        with servers_behind_proxy(TEST_SERVERS, env, logs, static=find_static) as (proxy, servers):
            yield ServersBehindProxy(proxy, servers)
            answered = set(proxy.served_by)
        if answered != set(range(TEST_SERVERS)):
            pytest.fail(f"Of {TEST_SERVERS} servers only {sorted(answered)} answered.")


@pytest.fixture(autouse=True)
def _every_server_answers(request):
    """With BRYGGA_TEST_SERVERS, a test that uses the live server fails unless its requests went
    to every server (when it sent at least as many as there are servers) and no server logged an
    error; the session fails unless every server answered."""
    if TEST_SERVERS == 1 or "live_server" not in request.fixturenames:
        yield
        return
    servers = request.getfixturevalue("live_server")
    mark = servers.mark()
    yield
    problems = servers.problems_since(mark)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def org(db):
    authority = UnitFactory(name="Myndigheten", kind=UnitKind.AUTHORITY)
    other_authority = UnitFactory(name="Annan myndighet", kind=UnitKind.AUTHORITY)
    provider = UnitFactory(name="Utföraren", kind=UnitKind.PROVIDER)
    north = UnitFactory(name="Team Norr", kind=UnitKind.TEAM, parent=provider)
    south = UnitFactory(name="Team Syd", kind=UnitKind.TEAM, parent=provider)
    meeting_place = UnitFactory(name="Träffpunkten", kind=UnitKind.MEETING_PLACE)
    return {
        "authority": authority,
        "other_authority": other_authority,
        "provider": provider,
        "north": north,
        "south": south,
        "meeting_place": meeting_place,
    }


@pytest.fixture
def coordinator(org):
    return UserFactory(username="coord", roles=[(org["north"], Role.COORDINATOR)])


@pytest.fixture
def colleague(org):
    return UserFactory(username="colleague", roles=[(org["south"], Role.COORDINATOR)])


@pytest.fixture
def officer(org):
    return UserFactory(username="off", roles=[(org["authority"], Role.OFFICER)])


@pytest.fixture
def outsider_officer(org):
    return UserFactory(username="outsider", roles=[(org["other_authority"], Role.OFFICER)])


@pytest.fixture
def manager(org):
    return UserFactory(
        username="boss",
        roles=[(org["authority"], Role.MANAGER), (org["provider"], Role.MANAGER)],
    )


@pytest.fixture
def analyst(org):
    return UserFactory(username="analyst", roles=[(org["authority"], Role.ANALYST)])


@pytest.fixture
def meeting_staff(org):
    return UserFactory(username="mp", roles=[(org["meeting_place"], Role.MEETING_PLACE)])


@pytest.fixture
def administrator(org):
    return UserFactory(username="adm", roles=[(org["authority"], Role.ADMIN)])


@pytest.fixture
def role_users(
    coordinator,
    colleague,
    officer,
    outsider_officer,
    manager,
    analyst,
    meeting_staff,
    administrator,
):
    """Each user of the role matrices (tests/test_role_matrix.py) by the name it has there."""
    return {
        "coordinator": coordinator,
        "colleague": colleague,
        "officer": officer,
        "outsider_officer": outsider_officer,
        "manager": manager,
        "analyst": analyst,
        "meeting_staff": meeting_staff,
        "administrator": administrator,
    }


@pytest.fixture
def person(org, coordinator):
    """A person whose case is held by `authority` and delivered by team North, `coordinator`."""
    person = PersonFactory(first_name="Elin", last_name="Fiktiv")
    case = CaseFactory(person=person, authority_unit=org["authority"], provider_unit=org["north"])
    CaseStaffFactory(case=case, user=coordinator, role=CaseStaffRole.COORDINATOR)
    return person


@pytest.fixture
def login(client):
    """login(user) -> the test client logged in as that user."""

    def _login(user):
        client.force_login(user, backend="organisation.auth.BryggaModelBackend")
        return client

    return _login


@pytest.fixture
def law_in_force():
    """The legal bases a decision cites, which a data migration adds: a transactional test's
    database has been emptied by the tests before it, so such a test adds them again (with the
    migration's own, idempotent function). Use with `django_db(transaction=True)`."""
    from importlib import import_module

    from django.apps import apps

    import_module("decisions.migrations.0004_legal_bases").seed(apps, None)

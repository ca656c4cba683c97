"""The heavy reads on the read replica: statistics, their downloads and register extracts.

Without DATABASE_REPLICA_URL the alias "replica" is a mirror of the test database, so the routing
is checked on SQLite and PostgreSQL alike. With it (`scripts/replica_tests.sh`, run by .ci/run:
a streaming replica made with pg_basebackup), the same tests read from the real standby, and the
tests marked `real_replica` check what a page shows while the replica lags behind.

Run against a real replica by hand (a standby of the primary on port 5433):
    bash scripts/replica_tests.sh
"""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessLogEntry
from core import replica
from people.models import CaseStaffRole, Person
from retention.actions import record_extract
from tests.background import extract_file
from tests.factories import CaseStaffFactory
from tests.retention.test_extract import pdf_text

D = datetime.date
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
REAL = bool(settings.DATABASE_REPLICA_URL)

real_replica = pytest.mark.skipif(
    not REAL, reason="needs a streaming replica: DATABASE_REPLICA_URL (scripts/replica_tests.sh)"
)
# Rows must be committed to be seen through another connection, let alone streamed.
on_both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


class Replica:
    """The replica alias as the tests see it."""

    def sync(self, timeout: float = 120.0) -> None:
        """Wait until the replica has replayed all the primary has written (a mirror: at once)."""
        if not REAL:
            return
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            position = cursor.fetchone()[0]
        deadline = time.monotonic() + timeout
        while True:
            try:
                with connections["replica"].cursor() as cursor:
                    cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
                    if cursor.fetchone()[0]:
                        return
            except OperationalError:  # the test database not replayed yet
                connections["replica"].close()
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not reach {position} in {timeout} s")
            time.sleep(0.05)

    def scalar(self, sql: str):
        with connections["replica"].cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]


@pytest.fixture
def standby(settings):
    settings.BRYGGA_HEAVY_READS_DATABASE = "replica"
    the_replica = Replica()
    yield the_replica
    if REAL:
        the_replica.scalar("SELECT pg_wal_replay_resume()")
    connections["replica"].close()  # no session on the standby holds up the flush's replay


def _world(world, coordinator, n=3):
    people = []
    for _n in range(n):
        person = world.person(first_name="Elin", last_name="Hemligsson")
        world.intake(D(2025, 2, 1), person=person, source="psychiatry", outcome="talk_offered")
        world.start(person, D(2025, 3, 1))
        CaseStaffFactory(
            case=person.cases.first(), user=coordinator, role=CaseStaffRole.COORDINATOR
        )
        people.append(person)
    return people


def _from_psychiatry(report: dict) -> int:
    for section in report["sections"]:
        for tbl in section["tables"]:
            if tbl["key"] == "intake_source":
                return next(r["values"][0] for r in tbl["rows"] if r["key"] == "psychiatry")
    raise LookupError("intake_source")


def _touches(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if table in q["sql"]]


@pytest.mark.replica
@on_both
def test_the_statistics_and_their_downloads_are_counted_on_the_replica(
    world, coordinator, manager, login, standby
):
    _world(world, coordinator)
    standby.sync()
    client = login(manager)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get("/statistik/", PERIOD)
    assert response.status_code == 200
    assert _from_psychiatry(response.context["report"]) == 3
    # The figures were counted on the replica (side by side, the workers' connections are
    # their own: at least the snapshot's first statements are on this one); none on the primary.
    assert on_replica.captured_queries
    assert not _touches(on_primary.captured_queries, "intake_intake")
    if REAL:
        assert standby.scalar("SELECT pg_is_in_recovery()") is True
        assert "Siffrorna gäller läget" in response.content.decode()
    for download in ("/statistik/statistik.csv", "/statistik/statistik.xlsx"):
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            assert client.get(download, PERIOD).status_code == 200
        assert on_replica.captured_queries
        assert not _touches(on_primary.captured_queries, "intake_intake")


@pytest.mark.replica
@on_both
def test_a_persons_page_and_lists_read_the_primary(world, coordinator, login, standby):
    person = _world(world, coordinator, n=1)[0]
    standby.sync()
    client = login(coordinator)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(f"/personer/{person.pk}/").status_code == 200
        assert client.get("/").status_code == 200
    assert on_replica.captured_queries == []


def _extract(manager, person):
    """A register extract the person asked for today, recorded by their manager."""
    return record_extract(
        user=manager,
        person=person,
        requested_by="person",
        requester_name="Elin Hemligsson",
        requested_on=timezone.localdate(),
    )


@pytest.mark.replica
@on_both
def test_the_register_extract_reads_the_replica_and_logs_its_download_on_the_primary(
    world, coordinator, manager, login, standby
):
    person = _world(world, coordinator, n=1)[0]
    made = _extract(manager, person)
    standby.sync()
    client = login(manager)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = extract_file(client, made, "json")  # made by the worker, then downloaded
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["person_id"] == str(person.pk)
    assert any(s["rows"] for s in data["records"])
    assert _touches(on_replica.captured_queries, "people_person")
    assert not _touches(on_replica.captured_queries, "INSERT")
    assert _touches(on_primary.captured_queries, 'INSERT INTO "audit_accesslogentry"')
    assert AccessLogEntry.objects.filter(
        person_id=person.pk, action="export", record_type="register_extract", detail="json"
    ).exists()
    assert ("as_of" in data) is REAL
    if REAL:  # the PDF says it too, in Swedish time
        pdf = pdf_text(extract_file(client, made, "pdf").content)
        assert f"Uppgifterna gäller läget: {data['as_of'][:16].replace('T', ' ')}" in pdf


@pytest.mark.replica
@on_both
@real_replica
def test_while_the_replica_lags_a_persons_page_shows_the_change_and_the_statistics_say_when(
    world, coordinator, manager, login, standby
):
    person = _world(world, coordinator, n=1)[0]
    standby.sync()
    standby.scalar("SELECT pg_wal_replay_pause()")
    replayed = standby.scalar("SELECT pg_last_xact_replay_timestamp()")

    # A coordinator changes the record; the statistics would count a new intake.
    Person.objects.filter(pk=person.pk).update(first_name="Ellinor")
    world.intake(D(2025, 4, 1), source="psychiatry")
    changed_at = timezone.now()

    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()
    assert "Ellinor" in page  # the primary: what was just changed

    response = login(manager).get("/statistik/", PERIOD)
    assert _from_psychiatry(response.context["report"]) == 1  # the replica: not yet
    assert response.context["report"]["as_of"] == replayed < changed_at
    shown = timezone.localtime(replayed).strftime("%Y-%m-%d %H:%M:%S")  # Swedish time
    assert f"Siffrorna gäller läget {shown}" in response.content.decode()

    standby.scalar("SELECT pg_wal_replay_resume()")
    standby.sync()
    response = login(manager).get("/statistik/", PERIOD)
    assert _from_psychiatry(response.context["report"]) == 2
    assert response.context["report"]["as_of"] >= changed_at - datetime.timedelta(seconds=1)


@pytest.mark.replica
@on_both
@real_replica
def test_an_extract_the_replica_has_not_caught_up_with_is_read_on_the_primary(
    world, coordinator, manager, login, standby
):
    person = _world(world, coordinator, n=1)[0]
    standby.sync()
    standby.scalar("SELECT pg_wal_replay_pause()")
    made = _extract(manager, person)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = extract_file(login(manager), made, "json")
    data = json.loads(response.content)
    # Everything up to the request, the request's own access-log entry too.
    assert any(e for e in data["access_log"]) and "as_of" not in data
    assert not _touches(on_replica.captured_queries, "people_person")


@pytest.mark.django_db
def test_without_a_replica_the_heavy_reads_stay_on_the_primary():
    with replica.heavy_reads() as alias:
        assert alias == replica.current() == DEFAULT_DB_ALIAS
        assert replica.replayed_up_to() is None


def test_inside_heavy_reads_writes_go_to_the_primary_and_reads_to_the_replica(
    settings, monkeypatch
):
    settings.BRYGGA_HEAVY_READS_DATABASE = "replica"
    monkeypatch.setattr(replica, "_reachable", lambda alias: True)  # no database in this test
    router = replica.HeavyReadsRouter()
    assert router.db_for_read(Person) == DEFAULT_DB_ALIAS
    with replica.heavy_reads():
        assert router.db_for_read(Person) == "replica"
        assert router.db_for_write(AccessLogEntry) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Person) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_inside_a_transaction_on_the_primary_reads_stay_there(settings, monkeypatch):
    settings.BRYGGA_HEAVY_READS_DATABASE = "replica"
    monkeypatch.setattr(replica, "_reachable", lambda alias: True)
    # The test runs inside a transaction (pytest-django's `db`), as an action's would.
    with replica.heavy_reads():
        assert replica.current() == DEFAULT_DB_ALIAS


@pytest.fixture
def replica_down(settings, monkeypatch):
    """A replica is configured but refuses connections."""
    settings.BRYGGA_HEAVY_READS_DATABASE = "replica"

    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["replica"], "ensure_connection", refused)


def test_a_replica_that_is_down_sends_the_heavy_reads_to_the_primary(replica_down, caplog):
    with replica.heavy_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert replica.HeavyReadsRouter().db_for_read(Person) == DEFAULT_DB_ALIAS
    assert "read replica unreachable" in caplog.text


@pytest.mark.django_db
def test_the_statistics_page_answers_while_the_replica_is_down(replica_down, manager, login):
    response = login(manager).get("/statistik/")
    assert response.status_code == 200

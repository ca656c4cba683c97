"""Backup and restore as docs/operations.md says: pg_dump, pg_restore into a new database, and the
copy has the same records and an access log that verifies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from audit.events import log_access
from audit.models import Action
from tests.factories import PersonFactory

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["people_person", "people_case", "audit_accesslogentry", "organisation_unit"]


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_has_the_same_records_and_a_log_that_verifies(tmp_path, officer, person):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are PostgreSQL's (docs/operations.md)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("PostgreSQL's client tools (pg_dump, pg_restore) are not installed")
    import psycopg

    for n in range(3):
        log_access(user=officer, person=PersonFactory(last_name=f"Backup{n}"), action=Action.READ)
    log_access(user=officer, person=person, action=Action.READ)
    db = connection.settings_dict
    server = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    dump = tmp_path / "brygga.dump"
    subprocess.run(  # noqa: S603
        [shutil.which("pg_dump"), *server, "--format=custom", f"--file={dump}", db["NAME"]],
        check=True,
    )
    copy = f"{db['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    conninfo = {"host": server[1], "port": server[3], "user": db["USER"], "autocommit": True}
    with psycopg.connect(dbname="postgres", **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        subprocess.run(  # noqa: S603
            [shutil.which("pg_restore"), *server, "--no-owner", f"--dbname={copy}", str(dump)],
            check=True,
        )
        with connection.cursor() as cursor:
            original = _counts(cursor)
        with psycopg.connect(dbname=copy, **conninfo) as restored:
            assert _counts(restored.cursor()) == original
        assert original["audit_accesslogentry"] >= 4
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{server[1]}:{server[3]}/{copy}",
        }
        env.pop("BRYGGA_TEST_DB_NAME", None)
        verified = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "verify_access_log"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0, verified.stderr
        assert "holds" in verified.stdout
    finally:
        with psycopg.connect(dbname="postgres", **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

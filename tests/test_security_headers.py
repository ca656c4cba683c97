"""Headers and connection handling that protect every page."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection


def test_every_page_forbids_inline_script(client, login, coordinator, person):
    for response in (client.get("/accounts/login/"), login(coordinator).get("/")):
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"


def test_no_page_template_has_inline_script():
    """The policy would silently break such a script: none may be written."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+=\"", re.I
    )
    found = [
        str(path.relative_to(root))
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and inline.search(path.read_text())
    ]
    assert found == []


@pytest.mark.django_db(transaction=True)
def test_a_request_after_a_database_restart_gets_a_new_connection():
    """A persistent connection that the server dropped is replaced, not used (and a 500 shown)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to restart")
    import psycopg

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    request_finished.send(sender=None)  # the previous request ended
    request_started.send(sender=None)  # the next one begins: Django checks its connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

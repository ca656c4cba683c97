"""Running Brygga in production: the health endpoint and the daily jobs."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.events import log_access
from audit.models import Action


def test_health_answers_ok_without_login_and_without_personal_data(client, person):
    response = client.get("/health/")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
    }
    assert "Fiktiv" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_health_is_unavailable_while_migrations_are_pending(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [object()] * 2)
    response = client.get("/health/")
    assert response.status_code == 503
    assert json.loads(response.content)["migrations"] == "2 not applied"


def test_the_daily_command_runs_every_job(capsys, officer, person):
    log_access(user=officer, person=person, action=Action.READ)
    call_command("daily")
    out = capsys.readouterr().out
    for command in ("cull", "clearsessions", "verify_access_log", "clear_ended_periods"):
        assert f"({command})" in out
    assert "All daily jobs done." in out
    assert "Fiktiv" not in out


def test_the_daily_command_fails_when_a_job_fails_and_still_runs_the_rest(capsys, officer, person):
    entry = log_access(user=officer, person=person, action=Action.READ)
    with connection.cursor() as cursor:  # as someone writing to the database directly would
        cursor.execute(
            "UPDATE audit_accesslogentry SET record_type = 'x' WHERE id = %s",
            [entry.pk],
        )
    with pytest.raises(CommandError, match="verify_access_log"):
        call_command("daily")
    assert "(cull)" in capsys.readouterr().out


def test_the_daily_command_anchors_the_log_when_an_anchor_is_set(
    capsys, officer, person, settings, tmp_path
):
    settings.BRYGGA_ACCESS_LOG_ANCHOR = str(tmp_path / "anchor.jsonl")
    log_access(user=officer, person=person, action=Action.READ)
    call_command("daily")
    assert "(anchor_access_log)" in capsys.readouterr().out
    assert (tmp_path / "anchor.jsonl").read_text().count("\n") == 1

"""The daily check of the access log reads only what is new (issue 17): it starts from a sealed
checkpoint left by the last verification, and a full verification still runs weekly."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.events import log_access
from audit.models import Action, VerifiedUpTo
from audit.verification import FULL_EVERY, verify


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def entries(db, officer, person):
    return [log_access(user=officer, person=person, action=Action.READ) for _ in range(6)]


def _daily(capsys):
    call_command("verify_access_log", since_checkpoint=True)
    return capsys.readouterr().out


def test_the_daily_check_reads_only_entries_written_since_the_last_verification(
    entries, officer, person, capsys
):
    first = _daily(capsys)
    assert "holds (6 entries)" in first  # no checkpoint yet: from the start

    for _ in range(2):
        log_access(user=officer, person=person, action=Action.READ)
    out = _daily(capsys)
    assert f"2 new entries since the checkpoint at entry {entries[-1].id}" in out
    assert verify(full=False).read == 0


def test_a_new_entry_changed_after_the_checkpoint_is_found_by_the_daily_check(
    entries, officer, person, capsys
):
    _daily(capsys)
    new = log_access(user=officer, person=person, action=Action.READ)
    _raw("UPDATE audit_accesslogentry SET reason = 'ändrat' WHERE id = %s", [new.id])
    with pytest.raises(CommandError, match=rf"entry {new.id}\b"):
        call_command("verify_access_log", since_checkpoint=True)


def test_an_old_entry_changed_behind_the_checkpoint_is_found_by_the_full_verification(
    entries, capsys
):
    _daily(capsys)
    _raw("UPDATE audit_accesslogentry SET reason = 'ändrat' WHERE id = %s", [entries[1].id])
    call_command("verify_access_log", since_checkpoint=True)  # reads only what is new
    with pytest.raises(CommandError, match=rf"entry {entries[1].id}\b"):
        call_command("verify_access_log")  # the default: from the start


def test_a_forged_checkpoint_is_not_trusted(entries, officer, person, capsys):
    _daily(capsys)
    bad = log_access(user=officer, person=person, action=Action.READ)
    _raw("UPDATE audit_accesslogentry SET reason = 'ändrat' WHERE id = %s", [bad.id])
    # Someone who can write to the database, but has no key, adds a checkpoint past the change.
    checkpoint = VerifiedUpTo.objects.first()
    _raw(
        'INSERT INTO audit_verifiedupto (entry_id, entry_hash, keyed, "full", at, key_id, mac) '
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [bad.id, bad.entry_hash, True, True, checkpoint.at, checkpoint.key_id, "0" * 64],
    )
    with pytest.raises(CommandError, match=rf"entry {bad.id}\b"):
        call_command("verify_access_log", since_checkpoint=True)


def test_a_checkpoint_whose_entry_was_changed_is_not_used(entries, capsys):
    _daily(capsys)
    _raw(
        "UPDATE audit_accesslogentry SET entry_hash = %s WHERE id = %s",
        ["f" * 64, entries[-1].id],
    )
    with pytest.raises(CommandError, match=rf"entry {entries[-1].id}\b"):
        call_command("verify_access_log", since_checkpoint=True)


def test_a_full_verification_is_due_a_week_after_the_last_one(entries, capsys):
    _daily(capsys)
    week_ago = VerifiedUpTo.objects.get().at - FULL_EVERY - datetime.timedelta(minutes=1)
    checkpoint = VerifiedUpTo.objects.get()
    # Resealed honestly with the key, as a week-old verification would have been.
    checkpoint.at = week_ago
    checkpoint.seal()
    VerifiedUpTo.objects.filter(pk=checkpoint.pk).update(at=week_ago, mac=checkpoint.mac)
    assert "holds (6 entries)" in _daily(capsys)


def test_the_daily_check_reads_a_constant_number_of_rows_whatever_the_log_s_age(
    entries, officer, person, capsys
):
    """What grows with the log's age is not read: with the same number of new entries, the
    daily check runs the same queries after 6 old entries as after 60."""

    def daily_queries():
        log_access(user=officer, person=person, action=Action.READ)
        with CaptureQueriesContext(connection) as queries:
            outcome = verify(full=False)
        assert outcome.since is not None and outcome.read == 1
        return len(queries)

    verify(full=True)
    small = daily_queries()
    for _ in range(54):
        log_access(user=officer, person=person, action=Action.READ)
    verify(full=True)
    assert daily_queries() == small


def test_the_daily_command_verifies_since_the_checkpoint(entries, capsys):
    call_command("daily")
    call_command("daily")
    assert "0 new entries since the checkpoint" in capsys.readouterr().out

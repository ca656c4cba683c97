"""The access log's bulk path (audit.events.append_accesses), used by the history import: the
same entries and the same keyed hash chain as one entry at a time, verified as such."""

from __future__ import annotations

import datetime
import io
import itertools
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from audit.events import (
    Access,
    append_accesses,
    append_ready,
    chain_in_use,
    log_accesses,
    prepare_accesses,
    verify_chain,
)
from audit.models import (
    AccessLogEntry,
    Action,
    canonical_payload,
    chain_hash,
    entry_payload,
    keyed_hasher,
    keyed_text_hasher,
    payload_texts,
)

FIELDS = ("user_id", "username", "person_id", "record_type", "record_id", "action", "detail")


def _accesses(n: int) -> list[Access]:
    people = [uuid.uuid4() for _ in range(3)]
    return [
        Access(people[i % 3], "intake", uuid.uuid4(), Action.CREATE, detail="import" * (i % 2))
        for i in range(n)
    ]


def test_the_keyed_hasher_gives_the_hashes_of_chain_hash():
    payload = {"at": "2026-12-06T10:00:00+00:00", "person": "x", "reason": "åäö"}
    assert keyed_hasher(b"k" * 32)("0" * 64, payload) == chain_hash("0" * 64, payload, b"k" * 32)
    text = canonical_payload(payload)
    assert keyed_text_hasher(b"k" * 32)("0" * 64, text) == chain_hash("0" * 64, payload, b"k" * 32)


@pytest.mark.parametrize("guess", ["right", "wrong", "none"])
def test_entries_made_ready_beforehand_are_those_appended_at_once(db, officer, monkeypatch, guess):
    """The history import makes a batch's entries while the previous batch is written, for the
    chain its transaction holds: appended, they are the entries `append_accesses` writes, and
    made for another chain than the one taken they are made again for that one."""
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    accesses = _accesses(6)
    with transaction.atomic():
        append_accesses(user=officer, accesses=accesses[:2])
        chain = {"right": chain_in_use(), "wrong": 5, "none": None}[guess]
        ready = prepare_accesses(user=officer, accesses=accesses[2:], chain=chain)
        assert bool(ready.unlinked) == (guess != "none")
        assert append_ready(ready) == 4
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [tuple(getattr(e, f) for f in FIELDS) for e in entries] == [
        (officer.pk, officer.username, a.person_id, a.record_type, str(a.record_id))
        + (a.action, a.detail)
        for a in accesses
    ]
    assert {e.chain for e in entries} == {0}
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert verify_chain() is None


def test_an_entry_hash_stays_unique(db, officer):
    """Declared as a constraint (no LIKE index beside it on PostgreSQL), still enforced."""
    append_accesses(user=officer, accesses=_accesses(2))
    first, second = AccessLogEntry.objects.order_by("id")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslogentry SET entry_hash = %s WHERE id = %s",
            [first.entry_hash, second.id],
        )


@pytest.mark.parametrize("copy_from", [200, 1])
def test_bulk_entries_are_those_one_at_a_time_would_write_and_the_chain_verifies(
    db, officer, monkeypatch, copy_from
):
    """On PostgreSQL with copy_from=1 the rows go by COPY."""
    monkeypatch.setattr("core.bulk.COPY_FROM", copy_from)
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    accesses = _accesses(7)
    log_accesses(user=officer, accesses=accesses[:2])
    assert append_accesses(user=officer, accesses=accesses) == 7
    log_accesses(user=officer, accesses=accesses[2:3])  # one at a time again, after the bulk
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert len(entries) == 10
    written = [tuple(getattr(e, f) for f in FIELDS) for e in entries[2:9]]
    expected = [
        (officer.pk, officer.username, a.person_id, a.record_type, str(a.record_id))
        + (a.action, a.detail)
        for a in accesses
    ]
    assert written == expected
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert verify_chain() is None
    call_command("verify_access_log", stdout=io.StringIO())


def test_a_changed_bulk_entry_breaks_the_chain_there(db, officer, monkeypatch):
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    append_accesses(user=officer, accesses=_accesses(5))
    third = AccessLogEntry.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["edited", third.id]
        )
    assert verify_chain().id == third.id
    with pytest.raises(CommandError):
        call_command("verify_access_log", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_lists_entry_is_refused_by_the_bulk_path(db, officer):
    listed = Access(None, "person", "", Action.SEARCH, people=(uuid.uuid4(),))
    with pytest.raises(ValueError, match="log_accesses"):
        append_accesses(user=officer, accesses=[listed])
    assert not AccessLogEntry.objects.exists()


def test_nothing_to_append_writes_nothing(db, officer):
    assert append_accesses(user=officer, accesses=[]) == 0
    assert not AccessLogEntry.objects.exists()


# One builder: `log_accesses` (entries, one at a time or a page's few) and `append_accesses`
# (rows, an import's thousands) make their entries in one place (audit.events._rows).

ONE_AT_A_TIME, IN_BULK = "log_accesses", "append_accesses"


def _write(path: str, user, access: Access) -> None:
    if path == ONE_AT_A_TIME:
        log_accesses(user=user, accesses=[access])
    else:
        append_accesses(user=user, accesses=[access])


def _stored(path: str, user, access: Access) -> dict:
    """The row `path` writes for `access` at the head of a fresh chain, then rolled back."""
    with pytest.raises(RuntimeError), transaction.atomic():
        _write(path, user, access)
        row = AccessLogEntry.objects.values().get()
        raise RuntimeError("roll back")
    del row["id"]
    return row


def test_the_same_access_makes_the_same_entry_and_hash_by_either_path(db, officer, monkeypatch):
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    at = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr("audit.events.timezone.now", lambda: at)
    access = Access(uuid.uuid4(), "decision", uuid.uuid4(), Action.READ, "Vikarie", "steg 2")
    one, bulk = _stored(ONE_AT_A_TIME, officer, access), _stored(IN_BULK, officer, access)
    assert one == bulk
    assert (one["username"], one["reason"], one["detail"]) == ("off", "Vikarie", "steg 2")


def test_entries_of_both_paths_in_one_chain_verify_alike(db, officer, monkeypatch):
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    for n, path in enumerate([ONE_AT_A_TIME, IN_BULK, IN_BULK, ONE_AT_A_TIME]):
        _write(path, officer, Access(uuid.uuid4(), "intake", n, Action.CREATE, detail=path))
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [e.detail for e in entries] == [ONE_AT_A_TIME, IN_BULK, IN_BULK, ONE_AT_A_TIME]
    assert all(e.compute_hash() == e.entry_hash for e in entries)
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert verify_chain() is None
    call_command("verify_access_log", stdout=io.StringIO())


@pytest.mark.parametrize("path", [ONE_AT_A_TIME, IN_BULK])
@pytest.mark.parametrize("column", ["username", "record_type", "record_id", "reason", "detail"])
def test_a_field_changed_in_an_entry_of_either_path_is_found(
    db, officer, monkeypatch, path, column
):
    monkeypatch.setattr("django.conf.settings.BRYGGA_ACCESS_LOG_CHAINS", 1)
    other = IN_BULK if path == ONE_AT_A_TIME else ONE_AT_A_TIME
    for written_by in (other, path, other):
        _write(written_by, officer, Access(uuid.uuid4(), "intake", "7", Action.READ, "skäl", "x"))
    changed = AccessLogEntry.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_accesslogentry SET {column} = %s WHERE id = %s",  # noqa: S608
            ["ändrat", changed.id],
        )
    assert verify_chain().id == changed.id
    with pytest.raises(CommandError, match=rf"entry {changed.id}\b"):
        call_command("verify_access_log", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("key_id", [None, "k1", 'nyckel "å"'])
@pytest.mark.parametrize("chain", [0, 3])
def test_a_payloads_text_made_straight_is_the_canonical_payloads(key_id, chain):
    """`payload_texts` (the bulk path's entries) gives the text `canonical_payload` makes of
    `entry_payload`, whatever the fields hold: the hashes cannot tell the paths apart."""
    at = "2026-12-07T10:00:00.123456+00:00"
    text = payload_texts(at=at, key_id=key_id, chain=chain)
    for (
        user_id,
        username,
        person_id,
        record_type,
        record_id,
        action,
        reason,
        detail,
    ) in itertools.product(
        [None, 7],
        ["", 'anna\\\\"ö'],
        [None, "", uuid.uuid4()],
        ["person", "intake"],
        ["", "x\u2028y"],
        [Action.CREATE, "read"],
        ["", 'skäl "citat"\n\t\x01'],
        ["", "import", "🙂"],
    ):
        fields = (user_id, username, person_id, record_type, record_id, action, reason, detail)
        expected = entry_payload(
            at=at,
            **dict(zip(PAYLOAD_FIELDS, fields, strict=True)),
            key_id=key_id,
            chain=chain,
        )
        assert text(*fields) == canonical_payload(expected)


PAYLOAD_FIELDS = (
    "user_id",
    "username",
    "person_id",
    "record_type",
    "record_id",
    "action",
    "reason",
    "detail",
)

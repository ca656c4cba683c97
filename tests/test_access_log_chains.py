"""The access log in several chains (issue 18): writers take a chain nobody else holds, each chain
verifies on its own, and the anchor's root over every chain's head finds a chain cut short."""

from __future__ import annotations

import datetime
import importlib
import io
import json
import threading
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.utils import timezone

from audit import events
from audit.anchor import _mac
from audit.events import Access, log_access, log_accesses, verify_chain, verify_chains
from audit.models import GENESIS_HASH, AccessLogEntry, Action, ChainHead, VerifiedUpTo, current_key
from audit.verification import verify
from retention import actions
from retention.models import AccessLogCheckpoint
from tests.threads import at_once

CHAINS = 4


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _in_chain(monkeypatch, chain: int) -> None:
    """Make the next writes go to `chain`, as a writer that found it free would."""

    def take():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            pk=chain, defaults={"last_hash": GENESIS_HASH}
        )
        return head

    monkeypatch.setattr(events, "_take_a_chain", take)


@pytest.fixture
def chained(db, officer, person, monkeypatch):
    """Three entries in each of four chains, written in turn: {chain: [entries, oldest first]}."""
    written: dict[int, list[AccessLogEntry]] = {chain: [] for chain in range(CHAINS)}
    for round_ in range(3):
        for chain in range(CHAINS):
            _in_chain(monkeypatch, chain)
            entry = log_access(user=officer, person=person, action=Action.READ, detail=str(round_))
            written[chain].append(entry)
    monkeypatch.undo()
    return written


def _verify_command() -> str:
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    return out.getvalue()


def test_each_entry_records_its_chain_and_links_to_the_one_before_in_that_chain(chained):
    for chain, entries in chained.items():
        stored = list(AccessLogEntry.objects.filter(chain=chain).order_by("id"))
        assert [e.id for e in stored] == [e.id for e in entries]
        assert stored[0].prev_hash == GENESIS_HASH
        assert [e.prev_hash for e in stored[1:]] == [e.entry_hash for e in stored[:-1]]
        assert ChainHead.objects.get(pk=chain).last_hash == stored[-1].entry_hash
    assert [v.broken for v in verify_chains()] == [None] * CHAINS
    assert "holds (12 entries in 4 chains)" in _verify_command()


def test_writers_spread_over_the_chains_that_exist_and_all_verify(db, officer, person):
    ChainHead.objects.bulk_create([ChainHead(pk=n) for n in range(1, CHAINS)])
    for i in range(40):
        log_accesses(
            user=officer, accesses=[Access(person.pk, "person", person.pk, Action.READ, f"{i}")]
        )
    assert AccessLogEntry.objects.count() == 40
    assert set(AccessLogEntry.objects.values_list("chain", flat=True)) <= set(range(CHAINS))
    assert verify_chain() is None


def test_with_one_chain_configured_every_entry_is_in_chain_0(db, settings, officer, person):
    settings.BRYGGA_ACCESS_LOG_CHAINS = 1
    ChainHead.objects.bulk_create([ChainHead(pk=n) for n in range(1, CHAINS)])
    for _ in range(10):
        log_access(user=officer, person=person, action=Action.READ)
    assert set(AccessLogEntry.objects.values_list("chain", flat=True)) == {0}
    assert verify_chain() is None


@pytest.mark.parametrize("chain", range(CHAINS))
def test_an_altered_entry_in_any_chain_is_found(chained, chain):
    target = chained[chain][1]
    _raw("UPDATE audit_accesslogentry SET reason = %s WHERE id = %s", ["ändrat", target.id])
    assert verify_chain().id == target.id
    with pytest.raises(CommandError, match=rf"entry {target.id}\b"):
        _verify_command()


@pytest.mark.parametrize("chain", range(CHAINS))
def test_a_deleted_entry_in_any_chain_is_found(chained, chain):
    gone, after = chained[chain][1], chained[chain][2]
    models.QuerySet(model=AccessLogEntry).filter(pk=gone.pk)._raw_delete("default")
    assert verify_chain().id == after.id
    with pytest.raises(CommandError, match=rf"entry {after.id}\b"):
        _verify_command()


def test_an_entry_moved_to_another_chain_is_found(chained):
    moved = chained[1][1]
    _raw("UPDATE audit_accesslogentry SET chain = 2 WHERE id = %s", [moved.id])
    broken = verify_chain()
    assert broken is not None and broken.id <= moved.id


def test_entries_of_a_chain_whose_head_was_removed_are_found(chained):
    _raw("DELETE FROM audit_chainhead WHERE id = 3", [])
    assert verify_chain() is not None
    with pytest.raises(CommandError, match="chain is broken"):
        _verify_command()


# The root: every chain's head, anchored outside the database


@pytest.fixture
def anchor(settings, tmp_path):
    path = tmp_path / "access-log.anchor"
    settings.BRYGGA_ACCESS_LOG_ANCHOR = str(path)
    return path


def test_the_anchor_line_is_a_sealed_root_over_every_chain_s_head(chained, anchor):
    call_command("anchor_access_log", stdout=io.StringIO())
    line = json.loads(anchor.read_text())
    assert line["heads"] == {
        str(chain): [entries[-1].id, entries[-1].entry_hash] for chain, entries in chained.items()
    }
    assert "the 4 anchored heads match" in _verify_command()

    line["heads"]["2"] = [chained[2][1].id, chained[2][1].entry_hash]
    anchor.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="line 1 of the anchor was changed"):
        _verify_command()


def test_a_chain_s_tail_cut_off_with_its_head_moved_back_is_detected_by_the_root(chained, anchor):
    call_command("anchor_access_log", stdout=io.StringIO())
    kept, last = chained[2][0], chained[2][-1]
    ids = [e.id for e in chained[2][1:]]
    models.QuerySet(model=AccessLogEntry).filter(id__in=ids)._raw_delete("default")
    _raw("UPDATE audit_chainhead SET last_hash = %s WHERE id = 2", [kept.entry_hash])

    assert verify_chain() is None  # the chain alone cannot tell: that is what the root is for
    with pytest.raises(CommandError, match=rf"entry {last.id}, anchored at .*chain 2\)"):
        _verify_command()


def test_a_whole_chain_removed_with_its_head_is_detected_by_the_root(chained, anchor):
    call_command("anchor_access_log", stdout=io.StringIO())
    _raw("DELETE FROM audit_accesslogentry WHERE chain = 3", [])
    _raw("DELETE FROM audit_chainhead WHERE id = 3", [])

    assert verify_chain() is None
    with pytest.raises(CommandError, match=rf"entry {chained[3][-1].id}, anchored at"):
        _verify_command()


def test_anchor_lines_from_before_chains_still_verify(chained, anchor):
    last = chained[0][-1]
    key_id, key = current_key()
    fields = {"id": last.id, "hash": last.entry_hash, "at": "2026-12-01T02:00:00", "key": key_id}
    anchor.write_text(json.dumps({**fields, "mac": _mac(fields, key)}) + "\n")
    assert "the 1 anchored heads match" in _verify_command()


def test_anchoring_refuses_when_any_chain_s_newest_entry_does_not_verify(chained, anchor):
    target = chained[1][-1]
    _raw("UPDATE audit_accesslogentry SET reason = %s WHERE id = %s", ["ändrat", target.id])
    with pytest.raises(CommandError, match="chain 1 does not verify"):
        call_command("anchor_access_log")
    assert not anchor.exists()


# Checkpoints per chain


def test_the_daily_check_starts_each_chain_from_its_own_checkpoint(
    chained, officer, person, monkeypatch
):
    verify(full=True)
    assert sorted(VerifiedUpTo.objects.values_list("chain", "entry_id")) == [
        (chain, entries[-1].id) for chain, entries in sorted(chained.items())
    ]
    for chain in (1, 3):
        _in_chain(monkeypatch, chain)
        log_access(user=officer, person=person, action=Action.READ)
    outcome = verify(full=False)
    assert outcome.broken is None and outcome.read == 2

    changed = log_access(user=officer, person=person, action=Action.READ)  # in chain 3
    _raw("UPDATE audit_accesslogentry SET reason = %s WHERE id = %s", ["ändrat", changed.id])
    assert verify(full=False).broken.id == changed.id


# Retention


D = datetime.date


@pytest.fixture
def old_log(db, monkeypatch):
    """Over three chains: entries from 2019 (culled at 2026-06-01) and from 2026 (kept)."""
    person = uuid.uuid4()
    for year in (2019, 2019, 2026):
        for chain in range(3):
            _in_chain(monkeypatch, chain)
            day = datetime.datetime(year, 3, 1, 9, tzinfo=datetime.UTC)
            monkeypatch.setattr(timezone, "now", lambda day=day: day)
            log_access(user=None, person=person, action="read", record_type="journal")
    monkeypatch.undo()
    return person


def test_culling_leaves_a_checkpoint_for_each_chain_and_every_chain_still_verifies(old_log):
    done = actions.cull_access_log(D(2026, 6, 1))
    assert done.count == 6
    assert sorted(AccessLogCheckpoint.objects.values_list("chain", "culled_count")) == [
        (0, 2),
        (1, 2),
        (2, 2),
    ]
    assert verify_chain() is None
    assert "chain holds" in _verify_command()


def test_removing_the_first_kept_entry_of_a_chain_after_culling_is_detected(old_log):
    actions.cull_access_log(D(2026, 6, 1))
    first = AccessLogEntry.objects.filter(chain=1).order_by("id").first()
    models.QuerySet(model=AccessLogEntry).filter(pk=first.pk)._raw_delete("default")
    assert verify_chain() is not None


# Migration: the one chain of before becomes chain 0


def test_the_one_chain_of_before_becomes_chain_0(db, officer, person):
    for _ in range(3):
        log_access(user=officer, person=person, action=Action.READ)
    head = ChainHead.objects.get()
    # As before the migration: the one head was row 1.
    _raw("UPDATE audit_chainhead SET id = 1 WHERE id = 0", [])
    migration = importlib.import_module("audit.migrations.0008_access_log_chains")
    migration.one_chain_becomes_chain_0(django_apps, None)
    assert list(ChainHead.objects.values_list("pk", "last_hash")) == [(0, head.last_hash)]
    assert verify_chain() is None
    log_access(user=officer, person=person, action=Action.READ)
    assert verify_chain() is None


# PostgreSQL: writers no longer wait on one row


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chains", [1, 8])
def test_concurrent_writers_hold_different_chains_at_the_same_time(
    settings, officer, person, chains
):
    """Eight writers each log a read and keep their transaction open until all eight have
    logged: with eight chains they all get there; with one chain (as before) the first holds
    the head and the others wait on it, so they never all arrive."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks matter on PostgreSQL")
    settings.BRYGGA_ACCESS_LOG_CHAINS = chains
    ChainHead.objects.bulk_create(
        [ChainHead(pk=n) for n in range(8)], ignore_conflicts=True
    )  # as a deployment that has had writers on every chain
    all_logged = threading.Barrier(8, timeout=5 if chains > 1 else 2)

    def read():
        with transaction.atomic():
            entry = log_access(user=officer, person=person, action=Action.READ)
            all_logged.wait()
        return entry.chain

    results = at_once(8, read)
    if chains == 1:
        assert any(isinstance(r, threading.BrokenBarrierError) for r in results)
    else:
        assert sorted(results) == list(range(8))
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_from_one_chain_start_new_chains_that_verify(officer, person):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks matter on PostgreSQL")

    def reads():
        for i in range(10):
            log_accesses(
                user=officer,
                accesses=[Access(person.pk, "person", person.pk, Action.READ, f"{i}")] * 3,
            )
        return True

    assert at_once(8, reads) == [True] * 8
    assert AccessLogEntry.objects.count() == 8 * 10 * 3
    assert verify_chain() is None
    assert "chain holds (240 entries" in _verify_command()

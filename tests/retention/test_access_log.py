"""The access log's own retention: oldest entries culled behind a checkpoint; the chain verifies."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from audit.events import log_access, verify_chain
from audit.models import AccessLogEntry
from retention import actions
from retention.models import AccessLogCheckpoint

D = datetime.date


def at(day: D) -> datetime.datetime:
    # UTC, as timezone.now() gives: the entry's hash covers the time as written.
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)


@pytest.fixture
def old_log(db, monkeypatch):
    """Three entries from 2019, two from mid-2021, two from 2026, chained as written then."""
    person = uuid.uuid4()
    for day, n in [(D(2019, 1, 10), 3), (D(2021, 6, 1), 2), (D(2026, 3, 1), 2)]:
        monkeypatch.setattr(timezone, "now", lambda day=day: at(day))
        for _ in range(n):
            log_access(user=None, person=person, action="read", record_type="journal")
    monkeypatch.undo()
    return person


def verify() -> str:
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    return out.getvalue()


def test_entries_older_than_the_retention_go_and_the_chain_still_verifies(old_log):
    # 2026-06-01 minus five years is 2021-06-01 00:00: the 2019 entries go, mid-2021 stays.
    plan = actions.plan_access_log_culling(D(2026, 6, 1))
    assert plan.count == 3
    done = actions.cull_access_log(D(2026, 6, 1))
    assert done.count == 3
    kept = list(AccessLogEntry.objects.order_by("id").values_list("at", flat=True))
    assert [a.date() for a in kept[:4]] == [D(2021, 6, 1)] * 2 + [D(2026, 3, 1)] * 2
    assert timezone.localtime(kept[4]).date() == timezone.localdate()  # the culling's own entry
    assert verify_chain() is None
    assert "chain holds (5 entries)" in verify()
    checkpoint = AccessLogCheckpoint.objects.get()
    assert checkpoint.culled_count == 3


def test_culling_the_log_again_and_later_keeps_it_verifiable(old_log):
    actions.cull_access_log(D(2026, 6, 1))
    assert actions.cull_access_log(D(2026, 6, 1)).count == 0
    assert actions.cull_access_log(D(2026, 7, 1)).count == 2
    log_access(user=None, person=old_log, action="read", record_type="journal")
    assert verify_chain() is None
    assert AccessLogCheckpoint.objects.count() == 2


def test_the_retention_of_the_log_is_a_setting(old_log, settings):
    settings.BRYGGA_ACCESS_LOG_RETENTION_YEARS = 10
    assert actions.plan_access_log_culling(D(2026, 6, 1)).count == 0


def test_removing_entries_by_hand_is_still_detected_after_culling(old_log):
    actions.cull_access_log(D(2026, 6, 1))
    first = AccessLogEntry.objects.order_by("id").first()
    models.QuerySet(model=AccessLogEntry).filter(pk=first.pk)._raw_delete("default")
    assert verify_chain() is not None
    with pytest.raises(CommandError):
        verify()


def test_a_checkpoint_nobody_logged_does_not_verify(old_log):
    """Removing old entries and writing a checkpoint by hand, without the culling's entry."""
    last_old = AccessLogEntry.objects.order_by("id")[2]
    AccessLogCheckpoint.objects.create(
        last_culled_id=last_old.id,
        last_hash=last_old.entry_hash,
        culled_count=3,
        culled_before=at(D(2021, 6, 1)),
    )
    models.QuerySet(model=AccessLogEntry).filter(id__lte=last_old.id)._raw_delete("default")
    assert verify_chain() is not None


def test_the_cull_command_culls_the_log_too(old_log):
    out = io.StringIO()
    call_command("cull", "--dry-run", "--today", "2026-06-01", stdout=out)
    assert "Access log: 3 entries before 2021-06-01 would be culled." in out.getvalue()
    assert AccessLogEntry.objects.count() == 7


def _anchor(path, entries):
    from audit.anchor import anchor_line

    path.write_text("".join(anchor_line({e.chain: (e.id, e.entry_hash)}) + "\n" for e in entries))


def test_anchored_entries_that_were_culled_still_verify(old_log, settings, tmp_path):
    settings.BRYGGA_ACCESS_LOG_ANCHOR = str(tmp_path / "anchor")
    entries = list(AccessLogEntry.objects.order_by("id"))
    _anchor(tmp_path / "anchor", [entries[0], entries[2], entries[-1]])
    actions.cull_access_log(D(2026, 6, 1))
    assert "the 3 anchored heads match" in verify()


def test_culling_the_newest_anchored_entry_is_detected(old_log, settings, tmp_path):
    """Anchoring runs daily: its newest entry is never older than the log's retention."""
    settings.BRYGGA_ACCESS_LOG_ANCHOR = str(tmp_path / "anchor")
    _anchor(tmp_path / "anchor", AccessLogEntry.objects.order_by("id")[:2])
    actions.cull_access_log(D(2026, 6, 1))
    with pytest.raises(CommandError, match="the newest anchored entry, .* has been removed"):
        verify()

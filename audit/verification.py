"""Verifying the access log without rereading years of it every day.

`verify(full=False)` starts from the newest sealed checkpoint (`VerifiedUpTo`) whose entry is
still in the log with the same hash, so the daily check reads only the entries written since; a
full verification from the start is due when none was done in the last `FULL_EVERY`, and runs on
demand (`verify_access_log`, the default). Each verification that finds the chain whole leaves a
checkpoint (docs/access-log.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from audit.events import Verified, chain_start, verify_from
from audit.models import AccessLogEntry, VerifiedUpTo

# A full verification also finds an old entry changed behind the newest checkpoint.
FULL_EVERY = datetime.timedelta(days=7)
# Checkpoints looked at, newest first, before falling back to a full verification.
_LOOK_BACK = 20


@dataclass(frozen=True)
class Outcome:
    verified: Verified
    since: VerifiedUpTo | None  # the checkpoint it started from; None when from the start

    @property
    def full(self) -> bool:
        return self.since is None


def usable_checkpoint() -> VerifiedUpTo | None:
    """The newest checkpoint whose seal holds and whose entry is still in the chain unchanged.

    A checkpoint behind the culling's checkpoint is not used: the first run after culling
    verifies from the start of what is kept."""
    _hash, culled_up_to, _marker = chain_start()
    candidates = list(VerifiedUpTo.objects.filter(entry_id__gt=culled_up_to)[:_LOOK_BACK])
    stored = dict(
        AccessLogEntry.objects.filter(id__in=[c.entry_id for c in candidates]).values_list(
            "id", "entry_hash"
        )
    )
    for checkpoint in candidates:
        if checkpoint.sealed() and stored.get(checkpoint.entry_id) == checkpoint.entry_hash:
            return checkpoint
    return None


def full_due(now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    for checkpoint in VerifiedUpTo.objects.filter(full=True, at__gte=now - FULL_EVERY)[:_LOOK_BACK]:
        if checkpoint.sealed():
            return False
    return True


def verify(*, full: bool = True) -> Outcome:
    """Verify the chain, from the start or from the newest usable checkpoint, and leave a
    checkpoint when it holds."""
    since = None if full or full_due() else usable_checkpoint()
    start = (since.entry_hash, since.entry_id, since.keyed) if since is not None else None
    verified = verify_from(start)
    unchanged = since is not None and verified.last_id == since.entry_id
    if verified.broken is None and verified.last_id > 0 and not unchanged:
        checkpoint = VerifiedUpTo(
            entry_id=verified.last_id,
            entry_hash=verified.last_hash,
            keyed=verified.keyed,
            full=since is None,
            at=timezone.now(),
        )
        checkpoint.seal()
        checkpoint.save()
    return Outcome(verified, since)

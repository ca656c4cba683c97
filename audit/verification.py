"""Verifying the access log without rereading years of it every day.

The log has several chains (audit.events), each verified on its own. `verify(full=False)` starts
each chain from its newest sealed checkpoint (`VerifiedUpTo`) whose entry is still in the log
with the same hash, so the daily check reads only the entries written since; a full verification
from the start is due when none was done in the last `FULL_EVERY`, and runs on demand
(`verify_access_log`, the default). Each verification that finds a chain whole leaves a
checkpoint for it (docs/access-log.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from audit.events import Verified, chain_numbers, chain_start, verify_from
from audit.models import AccessLogEntry, VerifiedUpTo

# A full verification also finds an old entry changed behind the newest checkpoint.
FULL_EVERY = datetime.timedelta(days=7)
# Checkpoints looked at per chain, newest first, before falling back to a full verification.
_LOOK_BACK = 20


@dataclass(frozen=True)
class Outcome:
    """One verification: each chain's result and the checkpoint it started from (None: from
    the start)."""

    chains: list[tuple[Verified, VerifiedUpTo | None]]

    @property
    def broken(self) -> AccessLogEntry | None:
        found = [v.broken for v, _since in self.chains if v.broken is not None]
        return min(found, key=lambda entry: entry.id or 0, default=None)

    @property
    def read(self) -> int:
        return sum(v.read for v, _since in self.chains)

    @property
    def since(self) -> VerifiedUpTo | None:
        """The newest checkpoint started from; None when every chain was verified from the
        start."""
        used = [since for _v, since in self.chains if since is not None]
        return max(used, key=lambda checkpoint: checkpoint.entry_id, default=None)

    @property
    def full(self) -> bool:
        return self.since is None


def usable_checkpoint(chain: int = 0) -> VerifiedUpTo | None:
    """The chain's newest checkpoint whose seal holds and whose entry is still in the chain
    unchanged.

    A checkpoint behind the culling's checkpoint is not used: the first run after culling
    verifies from the start of what is kept."""
    _hash, culled_up_to, _marker = chain_start(chain)
    candidates = list(
        VerifiedUpTo.objects.filter(chain=chain, entry_id__gt=culled_up_to)[:_LOOK_BACK]
    )
    stored = dict(
        AccessLogEntry.objects.filter(
            chain=chain, id__in=[c.entry_id for c in candidates]
        ).values_list("id", "entry_hash")
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
    """Verify every chain, from the start or from its newest usable checkpoint, and leave a
    checkpoint for each chain that holds and has grown."""
    from_start = full or full_due()
    results = []
    checkpoints = []
    for chain in chain_numbers():
        since = None if from_start else usable_checkpoint(chain)
        start = (since.entry_hash, since.entry_id, since.keyed) if since is not None else None
        verified = verify_from(start, chain=chain)
        results.append((verified, since))
        unchanged = since is not None and verified.last_id == since.entry_id
        if verified.broken is None and verified.last_id > 0 and not unchanged:
            checkpoint = VerifiedUpTo(
                chain=chain,
                entry_id=verified.last_id,
                entry_hash=verified.last_hash,
                keyed=verified.keyed,
                full=from_start,
                at=timezone.now(),
            )
            checkpoint.seal()
            checkpoints.append(checkpoint)
    outcome = Outcome(results)
    if outcome.broken is None:
        # Only a verification of the whole log leaves checkpoints: one broken chain leaves none.
        VerifiedUpTo.objects.bulk_create(checkpoints)
    return outcome

"""The chain's head, anchored outside the database (BRYGGA_ACCESS_LOG_ANCHOR).

Someone who can write to the database can still wipe the log and reset the chain head, or remove
the newest entries and point the head at the last one kept: what is left is a valid chain. So
`manage.py anchor_access_log` appends the head (its id, its hash, the time and an HMAC over them)
to a file the database does not hold, and `verify_access_log` checks that every anchored entry is
still in the chain with the same hash (docs/access-log.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.events import chain_start
from audit.models import GENESIS_HASH, AccessLogEntry, ChainHead, access_log_key, current_key


class AnchorError(Exception):
    """The head cannot be anchored: the newest entry does not verify."""


@dataclass(frozen=True)
class Anchor:
    line: int
    id: int
    hash: str
    at: str


def _mac(fields: dict, key: bytes) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def current_head() -> tuple[int, str]:
    """The newest entry's id and hash, if it verifies and the chain head names it."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        last = AccessLogEntry.objects.order_by("-id").first()
    head_hash = head.last_hash if head is not None else GENESIS_HASH
    if last is None and head_hash == GENESIS_HASH:
        return 0, GENESIS_HASH
    if last is None or last.entry_hash != head_hash or last.compute_hash() != last.entry_hash:
        raise AnchorError("The newest entry does not verify or is not the chain's head.")
    return last.id, last.entry_hash


def anchor_line(entry_id: int, entry_hash: str) -> str:
    key_id, key = current_key()
    fields = {
        "id": entry_id,
        "hash": entry_hash,
        "at": timezone.now().isoformat(timespec="seconds"),
        "key": key_id,
    }
    return json.dumps({**fields, "mac": _mac(fields, key)}, sort_keys=True)


def append_anchor(path: str) -> tuple[int, str]:
    """Append the head to the anchor file; opened for appending only, so that the file may be
    append-only (`chattr +a`) or a pipe to syslog."""
    entry_id, entry_hash = current_head()
    line = anchor_line(entry_id, entry_hash)
    with open(path, "a", encoding="utf-8") as anchor:
        anchor.write(line + "\n")
        anchor.flush()
        os.fsync(anchor.fileno())
    return entry_id, entry_hash


def read_anchors(lines: Iterable[str]) -> tuple[list[Anchor], list[str]]:
    """The anchors whose HMAC holds, and a problem for every other non-empty line."""
    anchors, problems = [], []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            fields = {k: data[k] for k in ("id", "hash", "at", "key")}
            entry_id, mac = int(fields["id"]), data["mac"]
        except (ValueError, TypeError, KeyError):
            problems.append(f"line {number} of the anchor is not an anchor line")
            continue
        key = access_log_key(str(fields["key"]))
        if key is None:
            problems.append(
                f"line {number} of the anchor was written with key {fields['key']!r}, "
                "which is not in BRYGGA_ACCESS_LOG_KEYS"
            )
        elif not hmac.compare_digest(_mac(fields, key), str(mac)):
            problems.append(f"line {number} of the anchor was changed: its HMAC does not match")
        else:
            anchors.append(Anchor(number, entry_id, str(fields["hash"]), str(fields["at"])))
    return anchors, problems


def check_anchors(lines: Iterable[str]) -> tuple[int, list[str]]:
    """(anchors read, problems): every anchored entry must still be in the chain, or culled
    behind a checkpoint; the newest one must never have been culled."""
    anchors, problems = read_anchors(lines)
    culled_hash, culled_up_to, _marker = chain_start()
    stored = _stored_hashes([a.id for a in anchors if a.id > culled_up_to])
    for anchor in anchors:
        if anchor.id == 0:
            ok = anchor.hash == GENESIS_HASH
        elif anchor.id < culled_up_to:
            ok = True  # culled by retention, behind a checkpoint the chain vouches for
        elif anchor.id == culled_up_to:
            ok = anchor.hash == culled_hash
        else:
            ok = stored.get(anchor.id) == anchor.hash
        if not ok:
            problems.append(
                f"entry {anchor.id}, anchored at {anchor.at} (line {anchor.line}), "
                "is no longer in the chain with the hash anchored"
            )
    newest = max(anchors, key=lambda a: a.id, default=None)
    if newest is not None and 0 < newest.id <= culled_up_to:
        # Culling keeps years of entries: the newest anchor is never culled while anchoring runs.
        problems.append(f"the newest anchored entry, {newest.id}, has been removed")
    return len(anchors), problems


def _stored_hashes(ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on parameters
        chunk = ids[start : start + 500]
        found.update(AccessLogEntry.objects.filter(id__in=chunk).values_list("id", "entry_hash"))
    return found

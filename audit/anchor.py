"""The chains' heads, anchored outside the database (BRYGGA_ACCESS_LOG_ANCHOR).

Someone who can write to the database can still wipe the log and reset a chain's head, or remove
the newest entries of a chain and point its head at the last one kept: what is left is a valid
chain. So `manage.py anchor_access_log` appends the **root** to a file the database does not
hold: every chain's head (its newest entry's id and hash) and the time, sealed with the entries'
own keyed hash under a label of its own. `verify_access_log` checks that every anchored entry is
still in its chain with the same hash (docs/access-log.md): a chain whose tail was dropped, or
that was removed whole, no longer has the entry the root names.

Lines written before the log had several chains hold one head (`id`, `hash`: chain 0) under an
HMAC over canonical JSON; they are still read.
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
from audit.models import (
    GENESIS_HASH,
    AccessLogEntry,
    ChainHead,
    access_log_key,
    chain_hash,
    current_key,
)

# In place of a previous hash: a root's seal can never pass for an entry's or a checkpoint's.
ROOT_LABEL = "root"


class AnchorError(Exception):
    """The heads cannot be anchored: a chain's newest entry does not verify."""


@dataclass(frozen=True)
class Anchor:
    line: int
    id: int
    hash: str
    at: str
    chain: int = 0


def _mac(fields: dict, key: bytes) -> str:
    """The seal of a line written before several chains (one head)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def current_heads() -> dict[int, tuple[int, str]]:
    """Every chain's newest entry (id, hash), if it verifies and the chain's head names it; a
    chain without entries is (0, the genesis). The heads are locked while they are read, so
    that the root is one moment of every chain."""
    heads: dict[int, tuple[int, str]] = {}
    with transaction.atomic():
        for head in ChainHead.objects.select_for_update().order_by("pk"):
            last = AccessLogEntry.objects.filter(chain=head.pk).order_by("-id").first()
            if last is None and head.last_hash == GENESIS_HASH:
                heads[head.pk] = (0, GENESIS_HASH)
                continue
            if (
                last is None
                or last.entry_hash != head.last_hash
                or last.compute_hash() != last.entry_hash
            ):
                raise AnchorError(
                    f"The newest entry of chain {head.pk} does not verify or is not its head."
                )
            heads[head.pk] = (last.id, last.entry_hash)
    return heads or {0: (0, GENESIS_HASH)}


def anchor_line(heads: dict[int, tuple[int, str]]) -> str:
    """One line: the root over every chain's head, sealed with the access-log key."""
    key_id, key = current_key()
    fields = {
        "heads": {
            str(chain): [entry_id, entry_hash] for chain, (entry_id, entry_hash) in heads.items()
        },
        "at": timezone.now().isoformat(timespec="seconds"),
        "key": key_id,
    }
    return json.dumps({**fields, "root": chain_hash(ROOT_LABEL, fields, key)}, sort_keys=True)


def append_anchor(path: str) -> dict[int, tuple[int, str]]:
    """Append the root to the anchor file; opened for appending only, so that the file may be
    append-only (`chattr +a`) or a pipe to syslog."""
    heads = current_heads()
    line = anchor_line(heads)
    with open(path, "a", encoding="utf-8") as anchor:
        anchor.write(line + "\n")
        anchor.flush()
        os.fsync(anchor.fileno())
    return heads


def _read_line(data: dict) -> tuple[str, list[tuple[int, int, str]], bool]:
    """(key id, [(chain, id, hash)], whether the seal holds) of a root line or of a line from
    before chains; raises KeyError, ValueError or TypeError when it is neither."""
    if "heads" in data:
        fields = {k: data[k] for k in ("heads", "at", "key")}
        heads = [(int(c), int(h[0]), str(h[1])) for c, h in dict(fields["heads"]).items()]
        key = access_log_key(str(fields["key"]))
        sealed = key is not None and hmac.compare_digest(
            chain_hash(ROOT_LABEL, fields, key), str(data["root"])
        )
        return str(fields["key"]), heads, sealed
    fields = {k: data[k] for k in ("id", "hash", "at", "key")}
    key = access_log_key(str(fields["key"]))
    sealed = key is not None and hmac.compare_digest(_mac(fields, key), str(data["mac"]))
    return str(fields["key"]), [(0, int(fields["id"]), str(fields["hash"]))], sealed


def read_anchors(lines: Iterable[str]) -> tuple[list[Anchor], list[str]]:
    """The anchored heads of every line whose seal holds, and a problem for every other
    non-empty line."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            key_id, heads, sealed = _read_line(data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            problems.append(f"line {number} of the anchor is not an anchor line")
            continue
        if access_log_key(key_id) is None:
            problems.append(
                f"line {number} of the anchor was written with key {key_id!r}, "
                "which is not in BRYGGA_ACCESS_LOG_KEYS"
            )
        elif not sealed:
            problems.append(f"line {number} of the anchor was changed: its seal does not match")
        else:
            at = str(data["at"])
            anchors.extend(Anchor(number, entry_id, h, at, chain) for chain, entry_id, h in heads)
    return anchors, problems


def check_anchors(lines: Iterable[str]) -> tuple[int, list[str]]:
    """(heads read, problems): every anchored entry must still be in its chain, or culled behind
    a checkpoint; the newest one of each chain must never have been culled."""
    anchors, problems = read_anchors(lines)
    starts = {chain: chain_start(chain) for chain in {a.chain for a in anchors}}
    stored = _stored(
        [a.id for a in anchors if a.id > starts[a.chain][1]],
    )
    for anchor in anchors:
        culled_hash, culled_up_to, _marker = starts[anchor.chain]
        if anchor.id == 0:
            ok = anchor.hash == GENESIS_HASH
        elif anchor.id < culled_up_to:
            ok = True  # culled by retention, behind a checkpoint the chain vouches for
        elif anchor.id == culled_up_to:
            ok = anchor.hash == culled_hash
        else:
            ok = stored.get(anchor.id) == (anchor.chain, anchor.hash)
        if not ok:
            problems.append(
                f"entry {anchor.id}, anchored at {anchor.at} (line {anchor.line}, chain "
                f"{anchor.chain}), is no longer in its chain with the hash anchored"
            )
    for chain, (_hash, culled_up_to, _marker) in sorted(starts.items()):
        newest = max((a for a in anchors if a.chain == chain), key=lambda a: a.id, default=None)
        if newest is not None and 0 < newest.id <= culled_up_to:
            # Culling keeps years of entries: the newest anchor is never culled while anchoring
            # runs.
            problems.append(
                f"the newest anchored entry, {newest.id} (chain {chain}), has been removed"
            )
    return len(anchors), problems


def _stored(ids: list[int]) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):  # SQLite's limit on parameters
        chunk = unique[start : start + 500]
        rows = AccessLogEntry.objects.filter(id__in=chunk).values_list("id", "chain", "entry_hash")
        found.update((entry_id, (chain, h)) for entry_id, chain, h in rows)
    return found

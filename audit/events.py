"""The only way entries enter the access log. Call inside the action's transaction."""

from __future__ import annotations

import contextvars
import datetime
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Max, Value, When
from django.utils import timezone

from audit.models import (
    GENESIS_HASH,
    AccessLogEntry,
    AccessLogSubject,
    Action,
    ChainHead,
    attach_people,
    canonical_payload,
    current_key,
    entry_payload,
    keyed_text_hasher,
    named_people,
    payload_texts,
)
from core.bulk import insert, insert_values, unsaved
from core.compiled import CompiledQuery


@dataclass(frozen=True)
class Access:
    """One look at or change of one record of one person."""

    person_id: object
    record_type: str
    record_id: object = ""
    action: str = "read"
    reason: str = ""
    detail: str = ""
    # A list's entry: everyone shown (person_id is then None). See `log_list`.
    people: tuple = ()


def log_access(
    *,
    user,
    person,
    action: str,
    record_type: str = "person",
    record_id: object = "",
    reason: str = "",
    detail: str = "",
) -> AccessLogEntry | None:
    """One entry; None when it waits for the end of a `one_write()` block."""
    person_id = getattr(person, "pk", person)
    access = Access(
        person_id=person_id,
        record_type=record_type,
        record_id=record_id or person_id or "",
        action=action,
        reason=reason,
        detail=detail,
    )
    entries = log_accesses(user=user, accesses=[access])
    return entries[0] if entries else None


def list_access(
    record_type: str, people: Iterable, action: str = "search", detail: str = ""
) -> Access | None:
    """One entry for a list shown, naming every person in it once (AccessLogSubject rows), in
    place of one entry per row: a page's writes no longer grow with what it shows, and the
    register extract and the log review still find the read (docs/access-log.md). None for an
    empty list, which is not logged."""
    named = tuple(dict.fromkeys(_as_uuid(p) for p in people if p is not None))
    if not named:
        return None
    return Access(None, record_type, "", action, detail=detail, people=named)


def log_list(
    *, user, record_type: str, people: Iterable, action: str = "search", detail: str = ""
) -> list[AccessLogEntry]:
    """Log a list shown to `user` as one entry naming everyone in it (see `list_access`)."""
    access = list_access(record_type, people, action, detail)
    return log_accesses(user=user, accesses=[access] if access else [])


@dataclass
class _RequestReads:
    """What one request has logged so far, and the reasons its user reads people under."""

    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    logged: set[tuple[str, str]] = field(default_factory=set)


_request: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar(
    "access_log_request", default=None
)
_READS = ("read", "export")


@contextmanager
def request_scope() -> Iterator[None]:
    """One request (the middleware opens it): reads logged in it carry the reason in force for
    that person, whoever logs them (a section, a view, a template tag), and `read_logged` tells
    whether the page has logged anything about a person yet."""
    token = _request.set(_RequestReads())
    try:
        yield
    finally:
        _request.reset(token)


def remember_reason(user_id, person_id, reason: str) -> None:
    """Every read of this person by this user in this request is logged with `reason`."""
    scope = _request.get()
    if scope is not None and reason:
        scope.reasons[(str(user_id), str(person_id))] = reason


def remembered_reason(user_id, person_id) -> str | None:
    """The reason remembered for this person in this request; None when there is none."""
    scope = _request.get()
    return None if scope is None else scope.reasons.get((str(user_id), str(person_id)))


def read_logged(user_id, person_id) -> bool | None:
    """Has this request logged a read of the person by the user? None outside a request."""
    scope = _request.get()
    if scope is None:
        return None
    return (str(user_id), str(person_id)) in scope.logged


def _with_reasons(user, accesses: list[Access]) -> list[Access]:
    scope = _request.get()
    if scope is None or user is None:
        return accesses
    uid = str(getattr(user, "pk", user))
    result = []
    for access in accesses:
        if access.people:
            if access.action in _READS:
                scope.logged.update((uid, str(p)) for p in access.people)
            result.append(access)
            continue
        key = (uid, str(access.person_id))
        if access.action in _READS:
            scope.logged.add(key)
            if not access.reason and key in scope.reasons:
                access = replace(access, reason=scope.reasons[key])
        result.append(access)
    return result


# Entries gathered inside `one_entry_per_person()`: the block's single-person accesses.
_gathered: contextvars.ContextVar[list[Access] | None] = contextvars.ContextVar(
    "access_log_gathered", default=None
)
# Between the items of a combined entry's detail, and between an item's parts.
ITEM_SEPARATOR, PART_SEPARATOR = "; ", " "
_STRONGEST = (Action.DELETE, Action.CREATE, Action.UPDATE)


@contextmanager
def one_entry_per_person(*, user, record_type: str, record_id: object = "") -> Iterator[None]:
    """What the block logs about one person at a time is written when it ends as one entry per
    person (`combined`), in place of an entry per record: an imported line of history creates
    some ten records of a person, and their ten entries were most of what the import wrote
    (docs/access-log.md, "An imported line is one entry per person"). Written only when the
    block ends without an error, inside the transaction that holds the block (call it inside
    the one that makes the changes). A list's entry (`people`) is written as usual. Inside
    another such block, the outer one gathers."""
    if _gathered.get() is not None:
        yield
        return
    gathered: list[Access] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    log_accesses(
        user=user, accesses=combined(gathered, record_type=record_type, record_id=record_id)
    )


def combined(accesses: Iterable[Access], *, record_type: str, record_id: object) -> list[Access]:
    """One access per person for `accesses` (each about one person, or about no one): of the
    kind `record_type` and id `record_id` (an import's run), with the strongest action among
    them (a removal, else a creation, else a change, else theirs), the reasons given, and every
    access as an item of its detail (record type, id, action and detail; `combined_items`
    reads them back), sorted, so that the same accesses in another order make the same entry.
    The people in the order they first appear."""
    by_person: dict[uuid.UUID | None, list[Access]] = {}
    for access in accesses:
        by_person.setdefault(_as_uuid(access.person_id), []).append(access)
    result = []
    for person_id, items in by_person.items():
        actions = {a.action for a in items}
        action = next((a for a in _STRONGEST if a in actions), items[0].action)
        reasons = sorted({a.reason for a in items if a.reason})
        detail = ITEM_SEPARATOR.join(sorted(_item(a) for a in items))
        result.append(Access(person_id, record_type, record_id, action, "; ".join(reasons), detail))
    return result


def _item(access: Access) -> str:
    parts = (access.record_type, str(access.record_id or ""), access.action, access.detail)
    return PART_SEPARATOR.join(parts).rstrip()


def combined_items(detail: str) -> list[tuple[str, str, str, str]]:
    """The accesses a combined entry's detail names: (record type, record id, action, detail)."""
    items = []
    for item in detail.split(ITEM_SEPARATOR) if detail else []:
        record_type, record_id, action, *rest = item.split(PART_SEPARATOR, 3)
        items.append((record_type, record_id, action, rest[0] if rest else ""))
    return items


# Reads logged inside `one_write()`: (depth of transactions when it began, [(user, access)]).
_batch: contextvars.ContextVar[tuple[int, list] | None] = contextvars.ContextVar(
    "access_log_batch", default=None
)


@contextmanager
def one_write() -> Iterator[None]:
    """Entries logged inside the block are written together when it ends: one lock of the
    chain and one insert for a page whose sections each log what they read (the person page's
    eight apps), instead of one transaction each.

    An entry logged inside a transaction opened within the block (a change, with its action)
    is still written at once, in that transaction, so that it stands or falls with the change.
    The entries are written even when the block raises: what was read was read.
    """
    if _batch.get() is not None:
        yield  # the outer block writes
        return
    pending: list = []
    token = _batch.set((len(connection.atomic_blocks), pending))
    try:
        yield
    finally:
        _batch.reset(token)
        if pending:
            _write(pending)


def log_accesses(*, user, accesses: Iterable[Access]) -> list[AccessLogEntry]:
    """Append several entries with one lock and one insert, whatever their number.

    Inside `one_write()` (and not inside a transaction opened there) the entries are written
    when the block ends, and an empty list is returned.
    """
    accesses = _with_reasons(user, list(accesses))
    gathered = _gathered.get()
    if gathered is not None:  # `one_entry_per_person()`: written when its block ends
        gathered.extend(a for a in accesses if not a.people)
        accesses = [a for a in accesses if a.people]
    if not accesses:
        return []
    batch = _batch.get()
    if batch is not None and len(connection.atomic_blocks) == batch[0]:
        batch[1].extend((user, access) for access in accesses)
        return []
    return _write([(user, access) for access in accesses])


def _write(pending: list) -> list[AccessLogEntry]:
    """Append `pending` ((user, access) pairs) as entries, returned with their ids when the
    insert reads them back (not after a COPY of a large batch without lists)."""
    return _append(pending, _store_entries)


def append_accesses(*, user, accesses: Iterable[Access]) -> int:
    """Append many entries about one person each (an import's batch: thousands) with one lock
    and one insert, as rows rather than entries: the same rows and hashes `log_accesses`
    writes (both are made by `_rows`), without making an entry object of each. Written at once
    (not deferred by `one_write()`); a list's entry (`people`) goes through `log_accesses`.
    Returns the number written. Inside `one_entry_per_person()` they are gathered by its
    block, as `log_accesses` gathers them."""
    if _gathered.get() is not None:
        accesses = list(accesses)
        log_accesses(user=user, accesses=accesses)
        return len(accesses)
    return append_ready(prepare_accesses(user=user, accesses=accesses))


@dataclass
class Ready:
    """Entries about one person each, made ready to append (`prepare_accesses`): with a chain
    named, each one's fields and the text its hash covers are made, and only the links are
    left for `append_ready` (the previous hash is known only once the chain is locked)."""

    pending: list
    chain: int | None = None
    key_id: str | None = None
    unlinked: list = field(default_factory=list)


def prepare_accesses(*, user, accesses: Iterable[Access], chain: int | None = None) -> Ready:
    """What `append_accesses` writes, made ready apart from the writing (in another thread,
    while another batch is written: the history import). `chain`: the one the entries will
    most likely be linked into (`chain_in_use`); if another is taken, they are made again."""
    accesses = _with_reasons(user, list(accesses))
    if any(access.people for access in accesses):
        raise ValueError("append_accesses() writes entries about one person; use log_accesses()")
    ready = Ready([(user, access) for access in accesses])
    if chain is not None and ready.pending:
        ready.chain, ready.key_id = chain, current_key()[0]
        ready.unlinked = _unlinked(ready.pending, chain, ready.key_id, timezone.now())
    return ready


def append_ready(ready: Ready) -> int:
    """Append entries made ready by `prepare_accesses`; returns the number written."""
    if not ready.pending:
        return 0
    return _append(ready.pending, _store_rows, ready)


def chain_in_use() -> int | None:
    """The chain this connection appended to last: the one its transaction holds if it has
    appended since it began, and takes again (`_take_a_chain`)."""
    return getattr(connection, _LAST_CHAIN, None)


# An entry's columns, in the order of `_rows`' tuples.
_COLUMNS = (
    "at",
    "user_id",
    "username",
    "person_id",
    "record_type",
    "record_id",
    "action",
    "reason",
    "detail",
    "prev_hash",
    "entry_hash",
    "key_id",
    "chain",
)
_ENTRY_HASH = _COLUMNS.index("entry_hash")
_Stored = TypeVar("_Stored")


def _append(
    pending: list, store: Callable[[list[tuple], list], _Stored], ready: Ready | None = None
) -> _Stored:
    """The one way entries are appended: lock a chain, make the rows (`_rows`), `store` them,
    and move the chain's head to the last one, in one transaction."""
    with transaction.atomic():
        head = _take_a_chain()
        rows = _rows(head, pending, ready)
        stored = store(rows, pending)
        ChainHead.objects.filter(pk=head.pk).update(last_hash=rows[-1][_ENTRY_HASH])
    return stored


def _rows(head: ChainHead, pending: list, ready: Ready | None = None) -> list[tuple]:
    """The rows (`_COLUMNS`) of the entries `pending` asks for, linked one after the other
    from `head` in its chain and hashed with the key in force: the one place an entry's fields,
    its chain, its place in it and its hash are made (the hash's payload: `entry_payload`).
    `ready`: the entries already made for this chain and key (`prepare_accesses`), to link."""
    key_id, key = current_key()
    if ready is not None and ready.chain == head.pk and ready.key_id == key_id:
        unlinked = ready.unlinked
    else:
        unlinked = _unlinked(pending, head.pk, key_id, timezone.now())
    hashed = keyed_text_hasher(key)
    prev, rows = head.last_hash, []
    for fields, canonical in unlinked:
        entry_hash = hashed(prev, canonical)
        rows.append((*fields, prev, entry_hash, key_id, head.pk))
        prev = entry_hash
    return rows


def _unlinked(
    pending: list, chain: int, key_id: str, now: datetime.datetime
) -> list[tuple[tuple, str]]:
    """Each entry's fields before its links (`_COLUMNS` up to `prev_hash`) and the text of its
    payload, for `chain` and the key `key_id`."""
    stamp = now.astimezone(datetime.UTC).isoformat()
    text = payload_texts(at=stamp, key_id=key_id, chain=chain)
    result = []
    who: dict[int, tuple[int | None, str]] = {}  # by the user object: most pending share one
    for user, access in pending:
        user_id, username = who.get(id(user)) or who.setdefault(id(user), _who(user))
        person_id = _as_uuid(access.person_id)
        record_id = str(access.record_id or "")
        fields = (
            *(now, user_id, username, person_id, access.record_type, record_id),
            *(access.action, access.reason, access.detail),
        )
        if not access.people:
            result.append((fields, text(*fields[1:])))
            continue
        payload = entry_payload(
            at=stamp,
            user_id=user_id,
            username=username,
            person_id=person_id,
            record_type=access.record_type,
            record_id=record_id,
            action=access.action,
            reason=access.reason,
            detail=access.detail,
            key_id=key_id,
            chain=chain,
            people=named_people(access.people),
        )
        result.append((fields, canonical_payload(payload)))
    return result


def _who(user) -> tuple[int | None, str]:
    """(id, username) of the user an entry names; (None, "") for no one or anonymous."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return user_id, user.get_username() if user_id else ""


def _store_rows(rows: list[tuple], pending: list) -> int:
    """Store the rows as they are (`append_accesses`)."""
    insert_values(AccessLogEntry, _COLUMNS, rows)  # COPY for a large batch
    return len(rows)


def _store_entries(rows: list[tuple], pending: list) -> list[AccessLogEntry]:
    """Store the rows as entries (`log_accesses`), with the people a list names."""
    entries = [unsaved(AccessLogEntry, **dict(zip(_COLUMNS, row, strict=True))) for row in rows]
    for entry, (_, access) in zip(entries, pending, strict=True):
        entry.people = access.people
    if any(entry.people for entry in entries):
        # A list's people refer to its entry: they need the entries' ids.
        AccessLogEntry.objects.bulk_create(entries)
        _write_subjects(entries)
    else:
        insert(AccessLogEntry, entries)  # COPY for a large batch: then without ids
    return entries


def _write_subjects(entries: list[AccessLogEntry]) -> None:
    """The people the list entries name, in one insert (two columns: up to 499 rows in one
    statement on SQLite, and a page shows at most a few hundred people)."""
    rows = [AccessLogSubject(entry=e, person_id=p) for e in entries for p in e.people]
    if rows:
        AccessLogSubject.objects.bulk_create(rows)


# The chain a connection wrote to last is kept on the connection itself (`_LAST_CHAIN`), not
# per thread: the history import writes a batch from another thread on the same connection
# (`core.background`), and its transaction must then come back to the chain it holds.
_LAST_CHAIN = "brygga_access_log_chain"


# The head of a free chain, the one `last` first: asked for every entry written, its SQL built
# once (core/compiled.py). `first()` of the ordered queryset.
_FREE_CHAIN = CompiledQuery(
    lambda chains, last: (
        ChainHead.objects.select_for_update(skip_locked=True)
        .filter(pk__lt=chains)
        .order_by(Case(When(pk=last, then=Value(0)), default=Value(1)), "?")[:1]
    ),
    ChainHead._meta.pk,
    ChainHead._meta.pk,
)


def _take_a_chain() -> ChainHead:
    """Lock the head of a chain no other writer holds, so that concurrent writers do not queue
    on one row: one query, `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer at a
    time and no row locks; it takes any chain). Only when every chain there is is held, a new
    one is started (up to BRYGGA_ACCESS_LOG_CHAINS) or, with all started, the writer waits for
    one: the chains in use follow the peak number of concurrent writers."""
    # The chain this connection wrote to last comes first: a transaction that already
    # holds a chain takes it again (its own lock is not skipped), so it never waits for another
    # while holding one (no deadlock), and a connection keeps to its chain while it is free.
    last = chain_in_use()
    # No chain is numbered -1: with none taken yet, every chain comes in random order.
    found = _FREE_CHAIN.rows(settings.BRYGGA_ACCESS_LOG_CHAINS, -1 if last is None else last)
    free = found[0] if found else None
    if free is not None:
        setattr(connection, _LAST_CHAIN, free.pk)
        return free
    started = set(ChainHead.objects.values_list("pk", flat=True))
    unstarted = [n for n in range(settings.BRYGGA_ACCESS_LOG_CHAINS) if n not in started]
    # At random, so that writers starting chains at the same moment rarely pick the same one.
    chain = random.choice(unstarted or range(settings.BRYGGA_ACCESS_LOG_CHAINS))
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        pk=chain, defaults={"last_hash": GENESIS_HASH}
    )
    setattr(connection, _LAST_CHAIN, head.pk)
    return head


def _as_uuid(value) -> uuid.UUID | None:
    """The hash covers the id as text: a str in another spelling must not break the chain."""
    if value is None or value == "":
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def verify_chain(batch_size: int = 5000) -> AccessLogEntry | None:
    """Return the first entry whose hash or link is wrong in any chain, or None when all hold."""
    broken = [v.broken for v in verify_chains(batch_size=batch_size) if v.broken is not None]
    return min(broken, key=lambda entry: entry.id or 0, default=None)


@dataclass(frozen=True)
class Verified:
    """What one verification of a chain found: the first broken entry (or None), how many
    entries it read, and the last entry it verified (its id and hash), from which the next one
    may start."""

    broken: AccessLogEntry | None
    read: int
    last_id: int
    last_hash: str
    keyed: bool = False
    chain: int = 0


def chain_numbers() -> list[int]:
    """Every chain to verify: 0 up to the highest chain that has a head or an entry (a chain
    without either is empty and verifies; one with entries but no head does not)."""
    top = max(
        ChainHead.objects.aggregate(top=Max("pk"))["top"] or 0,
        AccessLogEntry.objects.aggregate(top=Max("chain"))["top"] or 0,
    )
    return list(range(top + 1))


def verify_chains(
    starts: dict[int, tuple[str, int, bool]] | None = None, batch_size: int = 5000
) -> list[Verified]:
    """Verify every chain on its own, each from its start in `starts` or from its beginning."""
    starts = starts or {}
    return [verify_from(starts.get(c), batch_size, chain=c) for c in chain_numbers()]


def verify_from(
    start: tuple[str, int, bool] | None = None,
    batch_size: int = 5000,
    *,
    chain: int = 0,
) -> Verified:
    """Verify one chain from `start` = (hash, id, keyed) of an entry already verified, or from
    the beginning (the genesis or the culling's checkpoint) when start is None.

    Entries without a key id were written before keyed hashes and are checked by plain SHA-256;
    after the first keyed entry every entry must be keyed.

    After the oldest entries were culled (retention), the chain is verified from the checkpoint
    the culling left: the first kept entry must link to the hash of the last culled one, and the
    culling must itself be an entry of the log (docs/retention.md).
    """
    if start is None:
        prev, last_id, marker = chain_start(chain)
        keyed = False
    else:
        (prev, last_id, keyed), marker = start, None
    read = 0

    def result(broken: AccessLogEntry | None) -> Verified:
        return Verified(broken, read, last_id, prev, keyed, chain)

    entries = AccessLogEntry.objects.filter(chain=chain)
    while True:
        batch = list(entries.filter(id__gt=last_id).order_by("id")[:batch_size])
        attach_people(batch)
        if not batch:
            break
        for entry in batch:
            read += 1
            if entry.prev_hash != prev or entry.compute_hash() != entry.entry_hash:
                return result(entry)
            if keyed and entry.key_id is None:
                # Once entries are keyed, an unkeyed one was written by someone without the key.
                return result(entry)
            keyed = keyed or entry.key_id is not None
            prev = entry.entry_hash
            last_id = entry.id
    if marker is not None and not AccessLogEntry.objects.filter(**marker).exists():
        # A checkpoint that no logged culling vouches for: entries were removed by hand.
        return result(AccessLogEntry(id=last_id + 1, prev_hash=prev, entry_hash="", chain=chain))
    head = ChainHead.objects.filter(pk=chain).first()
    head_hash = head.last_hash if head is not None else GENESIS_HASH
    if head_hash != prev:
        # Entries were removed from the end of the chain (or the head with them).
        return result(
            AccessLogEntry(id=last_id + 1, prev_hash=prev, entry_hash=head_hash, chain=chain)
        )
    return result(None)


# Where a chain's verification may start instead of the genesis: each
# `fn(chain) -> (prev_hash, last_id, marker)` with marker None when it has no checkpoint for that
# chain. The retention app, which culls the oldest entries, registers its checkpoint in its
# AppConfig.ready(), so that the log never imports it.
CHAIN_STARTS: list[Callable[[int], tuple[str, int, dict | None]]] = []


def chain_start(chain: int = 0) -> tuple[str, int, dict | None]:
    """The genesis, or the newest checkpoint of the chain a registered source vouches for."""
    for source in CHAIN_STARTS:
        prev, last_id, marker = source(chain)
        if marker is not None:
            return prev, last_id, marker
    return GENESIS_HASH, 0, None

"""The heavy reads on a read replica: the statistics, their downloads and register extracts.

With `DATABASE_REPLICA_URL` set (docs/operations.md), code that reads much and changes nothing
runs inside `heavy_reads()`, and its reads go to the PostgreSQL streaming replica (the database
alias "replica"). Nothing else does: a page of a person, a list, a form shown again, anything a
member of staff changes and then looks at, reads the primary, so that nobody sees a lagging copy
of their own work. There is no blanket routing; the one switch is this context.

Within it, still on the primary:

- every write (`db_for_write`), so an access-log entry written during an extract goes to the
  primary; so do reads made for a write (`select_for_update`, `get_or_create`);
- every read inside a transaction on the primary, which would otherwise miss what the
  transaction wrote (and, in the tests, what the test wrote).

A background job gets the same routing by calling the same functions (they enter the context
themselves). Worker threads do not inherit a context variable: `reading_on(alias)` carries it
over (reports/parallel.py).
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"

logger = logging.getLogger(__name__)

# The database the heavy reads of this context go to; None outside `heavy_reads()`.
_heavy: contextvars.ContextVar[str | None] = contextvars.ContextVar("heavy_reads", default=None)


def configured() -> str:
    """Where heavy reads go in this installation: "replica" when one is named, else "default"."""
    return settings.BRYGGA_HEAVY_READS_DATABASE


def current() -> str:
    """Where a read goes now: the heavy reads' database inside `heavy_reads()`, else the
    primary; the primary too while it is in a transaction (read what you wrote)."""
    alias = _heavy.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


@contextmanager
def heavy_reads(*, fresh_since: datetime.datetime | None = None) -> Iterator[str]:
    """Send this context's reads to the replica, when one is configured.

    `fresh_since`: the reads must include what was committed at that moment (a register
    extract must hold everything up to its request): while the replica has not replayed that far,
    the reads stay on the primary. Yields the alias the reads go to."""
    alias = configured()
    if alias != DEFAULT_DB_ALIAS and not _reachable(alias):
        alias = DEFAULT_DB_ALIAS  # a replica that is down slows the statistics, never stops them
    if alias != DEFAULT_DB_ALIAS and fresh_since is not None:
        replayed = _replay_position(alias)
        if replayed is not None and (replayed[1] is None or replayed[1] < fresh_since):
            alias = DEFAULT_DB_ALIAS
    with reading_on(alias):
        yield current()


def _reachable(alias: str) -> bool:
    try:
        connections[alias].ensure_connection()
    except DatabaseError as error:
        logger.warning(
            "read replica unreachable (%s): heavy reads on the primary", type(error).__name__
        )
        return False
    return True


@contextmanager
def reading_on(alias: str) -> Iterator[None]:
    token = _heavy.set(alias)
    try:
        yield
    finally:
        _heavy.reset(token)


def replayed_up_to() -> datetime.datetime | None:
    """When reading from a standby: the commit time of the last transaction it has replayed.
    What is read there holds everything committed up to then (and nothing committed on the
    primary after it). None when the reads go to the primary."""
    alias = current()
    if alias == DEFAULT_DB_ALIAS:
        return None
    replayed = _replay_position(alias)
    return replayed[1] if replayed else None


def _replay_position(alias: str) -> tuple[bool, datetime.datetime | None] | None:
    """(True, last replayed commit time) on a standby; None on a primary (a test's mirror)."""
    if connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp()")
        recovering, replayed_at = cursor.fetchone()
    return (True, replayed_at) if recovering else None


class HeavyReadsRouter:
    """Reads go where `current()` says; writes always to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return current()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # A row read on the replica is the primary's row: it may be linked to in a write.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica is changed only by replication.
        return db == DEFAULT_DB_ALIAS

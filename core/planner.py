"""Asking PostgreSQL's planner for a plan it would not choose itself, for one block of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from psycopg.pq import TransactionStatus


@contextmanager
def without_parallel_workers(using: str = "default") -> Iterator[None]:
    """The block's queries are planned without parallel workers (PostgreSQL; elsewhere nothing).

    On two cores shared by the app servers, a parallel plan for a page's query only adds the
    workers' start and the gathering: the search outside one's own cases took 32–80 ms with two
    workers and 14–37 ms without, at a million people (bench/README.md). Set for the session
    and reset after the block, also when it fails, so that the kept connection's next request
    plans as usual.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        _put_back(connection, "RESET max_parallel_workers_per_gather")


@contextmanager
def index_lookups(using: str = "default") -> Iterator[None]:
    """The block's queries look rows up by index rather than read whole tables, wherever there
    is an index to use (PostgreSQL; elsewhere nothing). For a transaction that fills tables.

    The planner plans from its statistics, which count only rows committed when they were
    gathered. A transaction inserting many rows (the history import, going live from an empty
    database) makes tables of thousands of rows that the planner still takes for a page of a
    few, and plans every lookup in them as a read of the whole table: each foreign-key check
    of an inserted row (planned once per session and kept), each trigger's lookup, so that
    every row inserted made the next one slower. Importing 10,000 people into a new database,
    the follow-ups' inserts took 1.1 s of the database's time where they take 0.1 s with
    index lookups (bench/README.md, "The history import at 2,000 a second"). Plans cached in
    the block stay as they are after it, lookups by index, right for a table of any size.

    Set for the transaction (call it inside the one that fills the tables) and restored after
    the block; a failed block's rollback restores it by itself.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        _put_back(connection, "SELECT set_config('enable_seqscan', %s, true)", [before])


def _put_back(connection: Any, sql: str, params: list | None = None) -> None:
    """Put a setting back after a block, unless a query of the block failed inside a
    transaction and aborted it: then no statement runs before its rollback, which undoes the
    setting itself, and the block's own error goes on."""
    if connection.connection.info.transaction_status != TransactionStatus.INERROR:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

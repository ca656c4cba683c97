"""Asking PostgreSQL's planner for a plan it would not choose itself, for one block of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
        # A query of the block that failed inside a transaction aborted it: no statement runs
        # before its rollback, which undoes the SET itself. The block's own error goes on.
        if connection.connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                cursor.execute("RESET max_parallel_workers_per_gather")

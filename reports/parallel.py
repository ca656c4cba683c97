"""Run the report's independent parts side by side on PostgreSQL, all in one snapshot.

The report is some forty aggregate queries that do not depend on each other. On PostgreSQL they
run on `BRYGGA_REPORT_WORKERS` connections at once (bench/README.md: the yearly report at a
million people). Every connection reads the same snapshot, exported by the calling connection
(`pg_export_snapshot`), so the figures agree with each other exactly as if one connection had
run them all: a visit registered meanwhile is in every figure or in none.

With one worker the parts run one after the other in one such transaction. On SQLite, or inside
a transaction of the caller (whose uncommitted rows other connections cannot see), they run one
after the other on the caller's connection as it is.

They read where `core.replica.current()` says: the replica, when the report is built inside
`heavy_reads()` and one is configured; each worker thread reads there too.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation

from core import replica

T = TypeVar("T")

READ_ONLY_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


def _begin(cursor: Any, snapshot: str | None = None, *, side_by_side: bool = False) -> None:
    """First statements of a report transaction: a read-only snapshot (the caller's, if given),
    and room to sort and group in memory (PostgreSQL's default work_mem, 4 MB, spills a year's
    grouping to disk). Side by side, no parallel workers within a query: the connections
    already keep the cores busy, and measured at a million people the yearly report took
    1.6–1.8 s without them and 1.9–2.1 s with them (bench/README.md)."""
    cursor.execute(READ_ONLY_SNAPSHOT)
    if snapshot:
        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
    cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.BRYGGA_REPORT_WORK_MEM])
    if side_by_side:
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")


def own_transaction_possible() -> bool:
    """PostgreSQL, and the caller not inside a transaction whose rows others could not see."""
    connection = connections[replica.current()]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def can_run_side_by_side() -> bool:
    return settings.BRYGGA_REPORT_WORKERS > 1 and own_transaction_possible()


def run_all(parts: list[Callable[[], T]]) -> list[T]:
    """The results of `parts`, in their order; see the module docstring for where they run."""
    if not own_transaction_possible():
        return [part() for part in parts]
    alias = replica.current()
    connection = connections[alias]
    if not can_run_side_by_side() or len(parts) < 2:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            _begin(cursor)
            return [part() for part in parts]
    language = translation.get_language()
    zone = timezone.get_current_timezone()
    results: list = [None] * len(parts)
    waiting: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(parts)):
        waiting.put(index)

    def work(snapshot: str) -> None:
        """One connection: import the snapshot, then take parts until none are left."""
        try:
            with (
                translation.override(language),
                timezone.override(zone),
                replica.reading_on(alias),
                transaction.atomic(using=alias),
            ):
                with connections[alias].cursor() as cursor:
                    _begin(cursor, snapshot, side_by_side=True)
                while True:
                    try:
                        index = waiting.get_nowait()
                    except queue.Empty:
                        return
                    results[index] = parts[index]()
        finally:
            connections.close_all()  # this thread's connection; the caller's stays open

    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            _begin(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        workers = min(settings.BRYGGA_REPORT_WORKERS, len(parts))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
            for future in [pool.submit(work, snapshot) for _n in range(workers)]:
                future.result()  # re-raises a part's exception here
    return results

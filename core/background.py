"""One piece of database work at a time in another thread, on the caller's connection and in its
transaction, while the caller goes on with work that needs no database (the history import
writes one batch while it works out the next: the database server and Python then use a core
each, where they took turns).

The caller must not use the connection until `wait()` has returned: a connection serves one
thread at a time. What the work raises is raised again by `wait()`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")


class Background:
    def __init__(self, pool: ThreadPoolExecutor, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.pool, self.alias = pool, alias
        self.future: Future | None = None

    def start(self, work: Callable[..., T], *args: Any) -> None:
        """Run `work(*args)` in the other thread on this thread's connection."""
        if self.future is not None:
            raise RuntimeError("wait() for the work under way first")
        wrapper = connections[self.alias]
        wrapper.inc_thread_sharing()

        def run() -> T:
            connections[self.alias] = wrapper  # the other thread's handle: this connection
            try:
                return work(*args)
            finally:
                del connections[self.alias]
                wrapper.dec_thread_sharing()

        self.future = self.pool.submit(run)

    def wait(self) -> Any:
        """The result of the work started (None when none was), once it is done."""
        future, self.future = self.future, None
        return None if future is None else future.result()


# How long a thread may keep the interpreter while the other waits for it, in the block: the
# work in the background waits for the database at every statement and must then have it back
# at once, or the database waits in turn (the default is 5 ms; the history import's batch
# waits a few hundred times).
SWITCH_INTERVAL = 0.0005


@contextmanager
def background(alias: str = DEFAULT_DB_ALIAS) -> Iterator[Background]:
    """A `Background` for the block; work still under way at its end is waited for."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-background") as pool:
            worker = Background(pool, alias)
            try:
                yield worker
            finally:
                if worker.future is not None:
                    worker.future.exception()  # waited for; the block's own error goes on
    finally:
        sys.setswitchinterval(interval)

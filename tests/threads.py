"""Running the same action at the same moment from several threads (PostgreSQL's row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection


def at_once(count: int, work: Callable[[], object]) -> list[object]:
    """Run `work()` in `count` threads released together, each on its own database connection;
    return, in the order they finished, what each returned or the exception it raised."""
    barrier, results = threading.Barrier(count), []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - the caller says what it expected
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

"""The id of a new record: one home for how every table's UUID key is made (`new_id`)."""

from __future__ import annotations

import os
import time
import uuid

# Random bits read from the system's generator many at a time: `os.urandom` lets go of the
# interpreter while it reads, and the history import, whose rows take a new id each, then waited
# at every id for its writing thread to give it back (bench/README.md, issue 17, hI).
_IDS_READ = 256
_bits: list[int] = []
# A child process must never hand out random bits its parent handed out too.
os.register_at_fork(after_in_child=_bits.clear)
_VERSION_7 = (0x7 << 76) | (0x2 << 62)  # RFC 9562's version 7 and variant bits
_RANDOM = ((1 << 80) - 1) & ~((0xF << 76) | (0x3 << 62))  # the 74 bits left random
_MILLIS = (1 << 48) - 1
_clock = time.time_ns  # nanoseconds since 1970 (replaced in tests)


def new_id() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.

    Time-ordered, so that a table's key, and the foreign keys pointing at its new rows, are added
    at the right-hand end of their indexes, whose pages stay in memory. With random (version 4)
    ids each new row touched a random page of every such index: in indexes larger than the
    database's buffers each insert read a page and, after each checkpoint, wrote a full-page
    image to the WAL (the history import into a million people, bench/README.md). The 74
    random bits keep ids unguessable; what an id gives away is the millisecond its record was
    made, which the records hold themselves and show to whoever may open them.
    """
    try:
        bits = _bits.pop()
    except IndexError:
        data = os.urandom(10 * _IDS_READ)
        _bits.extend(int.from_bytes(data[i : i + 10]) for i in range(0, len(data), 10))
        bits = _bits.pop()
    millis = _clock() // 1_000_000 & _MILLIS
    return uuid.UUID(int=millis << 80 | bits & _RANDOM | _VERSION_7)

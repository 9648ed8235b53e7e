"""Time-ordered 64-bit ids, as Mastodon's: sortable by creation time, unique without a database
round trip.

Layout: 48 bits of milliseconds since the Unix epoch, 16 bits of sequence and randomness. The ids
sort by time, so `max_id`/`since_id` pagination and "newest first" need no extra column, and they
fit a signed BIGINT on both SQLite and PostgreSQL. Imports nothing of fedihub.
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def new_id(at_ms: int | None = None) -> int:
    """A fresh id; ids made by one process are strictly increasing."""
    global _last_ms, _seq
    with _lock:
        ms = int(time.time() * 1000) if at_ms is None else at_ms
        if at_ms is None:
            if ms <= _last_ms:
                ms = _last_ms
                _seq += 1
                if _seq > 0xFFFF:
                    ms += 1
                    _seq = int.from_bytes(os.urandom(2), "big") & 0x7FFF
            else:
                # random low bits keep ids from two processes in the same millisecond apart
                # (15 of them, leaving room to count up; 8 collided often enough in a cluster
                # to lose rows, and callers still retry an insert whose id was taken)
                _seq = int.from_bytes(os.urandom(2), "big") & 0x7FFF
            _last_ms = ms
            return (ms << 16) | _seq
        return (ms << 16) | int.from_bytes(os.urandom(2), "big")


def id_floor(ms: int) -> int:
    """The smallest id that can be made at millisecond `ms` (for time-range queries)."""
    return ms << 16


def id_time_ms(value: int) -> int:
    return value >> 16

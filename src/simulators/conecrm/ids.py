"""UUID7 ids for the simulator's records (seed 004: every id is "UUID7"), without the gateway's helper."""

from __future__ import annotations

import os
import threading
import time
from uuid import NAMESPACE_URL, UUID, uuid5

_lock = threading.Lock()
_last = 0


def uuid7() -> UUID:
    """A time-ordered UUID version 7 (RFC 9562), strictly increasing within this process."""
    global _last
    with _lock:
        stamp = max(time.time_ns() // 1_000_000 << 12, _last + 1)  # ms, then a 12-bit counter
        _last = stamp
    value = (stamp >> 12) << 80 | 0x7 << 76 | (stamp & 0xFFF) << 64
    value |= 0b10 << 62 | int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return UUID(int=value)


def user_id(subject: str) -> str:
    """The user id (seed 004: a UUID) standing for a token's subject: the subject itself when it is a
    UUID, else a UUID5 derived from it, the same every time."""
    try:
        return str(UUID(subject))
    except ValueError:
        return str(uuid5(NAMESPACE_URL, f"conecrm-user:{subject}"))

"""Identifier helpers: time-ordered UUIDv7 for new rows and the clock used for audit fields."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime


def uuid7() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): millisecond timestamp first, so new rows sort after old ones."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)

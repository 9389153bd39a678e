"""Opaque keyset cursors: the sort-key values of a row, tagged with the ordering they belong to.

Here rather than in ``resolvers``: the planner's statement computes them too (``gateway/planner/
sql.py``), and the gateway imports nothing of the resolvers (``tests/test_layering.py``).
``resolvers.common.cursor`` re-exports them."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Any

import orjson

from gateway import safejson
from gateway.backends.query import OrderKey
from gateway.errors import InvalidCursor


@lru_cache(maxsize=256)
def order_signature(order: tuple[OrderKey, ...]) -> str:
    return ",".join(f"{key.field}{'-' if key.descending else '+'}" for key in order)


def encode_cursor(order: tuple[OrderKey, ...], keys: tuple[Any, ...]) -> str:
    return encode_signed_cursor(order_signature(order), keys)


def encode_signed_cursor(signature: str, keys: tuple[Any, ...]) -> str:
    """The cursor of ``keys`` in the ordering of ``signature`` (the query planner's statement builds
    the same text in SQL on PostgreSQL: ``gateway/planner/sql.py``)."""
    raw = orjson.dumps([signature, keys])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: tuple[OrderKey, ...]) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        signature, keys = safejson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidCursor("the cursor is not valid") from None
    if signature != order_signature(order) or not isinstance(keys, list):
        raise InvalidCursor("the cursor belongs to a different ordering of this list")
    # One plain value per sort key plus the id: the keys end up in hashable loader keys and in SQL.
    if len(keys) != len(order) + 1 or not all(isinstance(key, _SCALARS) for key in keys):
        raise InvalidCursor("the cursor is not valid")
    return tuple(keys)


_SCALARS = (str, int, float, bool, type(None))

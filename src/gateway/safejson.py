"""JSON from clients, parsed without recursion in Python and refused past a nesting depth.

``json.loads`` recurses once per level: a 2 KB body nested 1,000 deep raised ``RecursionError`` (not
a ``ValueError``), and the request answered a plain-text HTTP 500. orjson parses in Rust (up to 1,024
levels), rejects what is not JSON (invalid UTF-8, lone surrogates, NaN, numbers past a double) with a
``JSONDecodeError``, and the depth is then checked without recursion, before anything walks the value
recursively (variable coercion, Strawberry's input conversion, the cost estimate).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Deeper than any request the graph accepts needs (a filter nested 8 levels, the most filters may,
# is ~20 levels of JSON), far
# below the ~1,000 frames at which Python's recursion gives up.
DEFAULT_MAX_DEPTH = 64


class JsonTooDeep(json.JSONDecodeError):
    """Nested deeper than the limit. A ``JSONDecodeError``, so that code that handles malformed JSON
    (Strawberry's, for a WebSocket message) handles this too."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels, the limit", "", 0)
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.limit,))


def loads(data: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The value of ``data``; ``JSONDecodeError`` when it is not JSON, ``JsonTooDeep`` past ``max_depth``."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        if error.msg.startswith("depth limit"):  # orjson's own limit, 1,024 levels
            raise JsonTooDeep(max_depth) from None
        raise
    # A value cannot be deeper than it has brackets: most bodies need no walk at all.
    if _brackets(data) > max_depth and depth_exceeds(value, max_depth):
        raise JsonTooDeep(max_depth)
    return value


def _brackets(data: str | bytes) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def loads_or_none(data: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The value of ``data``, or None when it is not JSON or too deep (the caller reports neither)."""
    try:
        return loads(data, max_depth)
    except ValueError:
        return None


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest deeper than ``limit``; a walk with its own stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False

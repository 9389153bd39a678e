"""Caches of parsed and validated documents, keyed by query text: clients send the same few queries.

Parsing and validating Q1 of the benchmark took ~6 ms of its ~100 ms per request; both are pure
functions of the text (and of the schema and rules), so each text is parsed and validated once.
Only successes are kept: a failing document is parsed or validated again each time, so its errors are
always fresh objects (``MaskUnexpectedErrors`` edits errors in place). The caches are bounded, so
unique texts sent on purpose cannot grow memory without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from graphql import DocumentNode

MAX_ENTRIES = 512
MAX_QUERY_LENGTH = 100_000  # longer texts are not worth keeping

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


# query text -> (lexer tokens in it, its document): the token count is kept because the token limit
# is a setting, and one process may serve (in tests) apps with different limits.
parsed: BoundedCache[str, tuple[int, DocumentNode]] = BoundedCache()
# (schema, query text, validation rules) that validated without errors.
validated: BoundedCache[tuple[object, str, tuple[type, ...]], bool] = BoundedCache()


def cacheable(query: str | None) -> bool:
    return query is not None and len(query) <= MAX_QUERY_LENGTH

"""Caches of parsed and validated documents, keyed by query text: clients send the same few queries.

Parsing and validating Q1 of the benchmark took ~6 ms of its ~100 ms per request; both are pure
functions of the text (and of the schema and rules), so each text is parsed and validated once.
Only successes are kept: a failing document is parsed or validated again each time, so its errors are
always fresh objects (``MaskUnexpectedErrors`` edits errors in place). The caches are bounded, so
unique texts sent on purpose cannot grow memory without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

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


_SCALARS = (str, int, float, bool, type(None), Enum)
MAX_KEYED_TEXT = 1_000  # a longer string variable (a search text, say) is not worth a key


def scalar_variables_key(values: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """Variable values as a hashable key, for work that depends on the document and its variables
    only (cost estimates, prefetch plans); None unless every value is a short scalar or an enum.
    Lists and input objects (a bulk mutation's inputs) are not kept as keys: they may be large, and
    the operations that repeat most (list pages, a record by id) do not have them. Values are tagged
    with their type, since ``1``, ``1.0`` and ``True`` are equal keys in Python."""
    if not values:
        return ()
    key = []
    for name, value in values.items():
        if isinstance(value, str) and len(value) > MAX_KEYED_TEXT:
            return None
        if not isinstance(value, _SCALARS):
            return None
        key.append((name, type(value), value))
    return tuple(sorted(key, key=lambda item: item[0]))


class HeldCache(Generic[V]):
    """A ``BoundedCache`` for values worked out from objects that are not hashable cheaply (document
    nodes, schemas, settings): keyed by their ids and a hashable rest, each entry holding the objects
    themselves, so no id in its key can be reused by another object while it exists."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._cache: BoundedCache[Hashable, tuple[tuple[Any, ...], V]] = BoundedCache(size)

    def get(self, objects: tuple[Any, ...], rest: Hashable = ()) -> V | None:
        entry = self._cache.get((tuple(map(id, objects)), rest))
        if entry is None or any(held is not given for held, given in zip(entry[0], objects, strict=True)):
            return None
        return entry[1]

    def put(self, objects: tuple[Any, ...], rest: Hashable, value: V) -> None:
        self._cache.put((tuple(map(id, objects)), rest), (objects, value))

    def clear(self) -> None:
        self._cache.clear()

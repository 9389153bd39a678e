"""Caches of parsed and validated documents, keyed by query text: clients send the same few queries.

Parsing and validating Q1 of the benchmark took ~6 ms of its ~100 ms per request; both are pure
functions of the text (and of the schema and rules), so each text is parsed and validated once.
Only successes are kept: a failing document is parsed or validated again each time, so its errors are
always fresh objects (``MaskUnexpectedErrors`` edits errors in place).

Every cache keyed by what a client sent (here, and the plans and estimates worked out from documents
elsewhere) is bounded by entries and by bytes. A count alone was not a bound: distinct 16 KB
documents grew the process by ~1.2 MB each, to 4.2 GB after 3,500 of them, since each cached
document (its nodes and lexer tokens, which any node keeps alive through its location) weighs ~45
times its text. An entry weighs what it keeps alive, estimated from the length of the text of the
document it holds; texts over a length are not kept at all (``configure``, from the settings).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import DocumentNode

MAX_ENTRIES = 512
# Measured with tracemalloc (bench/memory.py): a parsed 16 KB document takes ~700 KB of Python objects,
# ~45 bytes per character of its text; the process grew by ~75 per character with every cache holding it.
BYTES_PER_CHARACTER = 64

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class Budget:
    """The byte bound of each cache, and the longest text kept (CRM_GATEWAY_DOCUMENT_CACHE_BYTES and
    CRM_GATEWAY_MAX_CACHED_DOCUMENT_BYTES)."""

    cache_bytes: int = 64 * 1_048_576
    max_text: int = 100_000


BUDGET = Budget()


def configure(cache_bytes: int, max_text: int) -> None:
    """Set from the settings as the app starts; the caches are the process's, like the schema."""
    BUDGET.cache_bytes, BUDGET.max_text = cache_bytes, max_text


def text_weight(text: str) -> int:
    """What the parsed document of ``text`` is estimated to take in memory."""
    return len(text) * BYTES_PER_CHARACTER


def held_weight(node: object) -> int:
    """What holding ``node`` keeps alive: through its location, every lexer token of its document."""
    location = getattr(node, "loc", None)
    return text_weight(location.source.body) if location is not None else 0


class BoundedCache(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries weighing at most ``max_bytes`` (default:
    the budget's bytes, read as each entry is put)."""

    def __init__(self, size: int = MAX_ENTRIES, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.weight = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def peek(self, key: K) -> V | None:
        """The entry, without making it the most recently used."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: K, value: V, weight: int = 0) -> None:
        """Keeps ``value`` in place of what ``key`` held, evicting the least recently used entries to stay
        within both bounds; an entry heavier than the longest text kept (or than the whole budget) is
        not kept."""
        self.pop(key)
        max_bytes = BUDGET.cache_bytes if self.max_bytes is None else self.max_bytes
        longest = BUDGET.max_text * BYTES_PER_CHARACTER if self.max_bytes is None else max_bytes
        if weight > min(longest, max_bytes):
            return
        self._entries[key] = (value, weight)
        self.weight += weight
        while len(self._entries) > self.size or self.weight > max_bytes:
            self.weight -= self._entries.popitem(last=False)[1][1]

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.weight -= entry[1]
        return entry[0]

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self.weight = 0


# query text -> (lexer tokens in it, its document): the token count is kept because the token limit
# is a setting, and one process may serve (in tests) apps with different limits.
parsed: BoundedCache[str, tuple[int, DocumentNode]] = BoundedCache()
# (schema, query text, validation rules) that validated without errors.
validated: BoundedCache[tuple[object, str, tuple[type, ...]], bool] = BoundedCache()


def cacheable(query: str | None) -> bool:
    return query is not None and len(query) <= BUDGET.max_text


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
        weight = max(map(held_weight, objects), default=0)
        self._cache.put((tuple(map(id, objects)), rest), (objects, value), weight)

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()

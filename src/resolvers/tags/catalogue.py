"""The tenant's tag catalogue inside a transaction: tags by value, ignoring case, without duplicates."""

from __future__ import annotations

from typing import Any

from gateway.backends.base import RecordWriter
from gateway.tags import tags_by_key, value_key, value_problem
from resolvers.common.errors import UserError, UserErrors
from resolvers.tags.errors import tag_problem

__all__ = ["refuse_duplicate", "tags_by_key", "value_key", "value_problems"]


def value_problems(value: str, path: list[str]) -> list[UserError]:
    """A tag value the catalogue cannot keep (blank values are the caller's REQUIRED check)."""
    problem = value_problem(value)
    return [] if problem is None else [tag_problem(path, problem)]


async def refuse_duplicate(writer: RecordWriter, key: str, own_id: Any = None) -> None:
    """Another tag with this value exists: the catalogue holds each value once."""
    found = (await tags_by_key(writer, [key])).get(key)
    if found is not None and found.id != own_id:
        raise UserErrors([tag_problem(["input", "value"], "A tag with this value exists already.")])

"""Building GraphQL objects from backend records: same field names, enum strings turned to enums."""

from __future__ import annotations

import types
import typing
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def _plain_fields(cls: type[Any]) -> tuple[tuple[str, type[Enum] | None], ...]:
    """(python name, enum class or None) for each field that is set by the constructor."""
    definition = cls.__strawberry_definition__
    hints = typing.get_type_hints(cls, include_extras=False)
    fields = []
    for field in definition.fields:
        if field.base_resolver is not None or field.python_name in ("id", "record"):
            continue
        fields.append((field.python_name, _enum_of(hints.get(field.python_name))))
    return tuple(fields)


def _enum_of(annotation: Any) -> type[Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _enum_of(arg)
            if found:
                return found
    return None


class _FromRecord:
    """A plain field of a GraphQL type, read off the object's record the first time it is asked for.

    A non-data descriptor: a value in the instance's ``__dict__`` wins over it, so objects built by the
    dataclass ``__init__`` (which sets every field) never reach it, and once read, the value is kept
    there. Records are frozen, so reading late gives what reading early would have.
    """

    __slots__ = ("enum", "members", "name")

    def __init__(self, name: str, enum: type[Enum] | None) -> None:
        self.name = name
        self.enum = enum
        self.members = enum._value2member_map_ if enum is not None else None

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        value = getattr(instance.__dict__["record"], self.name)
        if self.members is not None and value is not None:
            member = self.members.get(value)  # a dict lookup; the enum's call (and its error) only for misses
            value = member if member is not None else self.enum(value)  # type: ignore[misc]
        instance.__dict__[self.name] = value
        return value


def from_record(cls: type[T], record: Any, **extra: Any) -> T:
    # The object is made without the dataclass ``__init__`` (~35 keyword arguments for a lead), and its
    # plain fields are read off the record only when a selection asks for them (``_FromRecord``): a
    # page builds ~550 of these and reads two or three fields of each.
    _install(cls)  # type: ignore[arg-type]
    instance = object.__new__(cls)
    instance.__dict__["record"] = record
    if extra:
        instance.__dict__.update(extra)
    return instance


@cache
def _install(cls: type[Any]) -> None:
    """Put a ``_FromRecord`` on ``cls`` for each plain field, once per class."""
    for name, enum in _plain_fields(cls):  # type: ignore[arg-type]
        setattr(cls, name, _FromRecord(name, enum))

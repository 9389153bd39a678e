"""Building GraphQL objects from backend records: same field names, enum strings turned to enums."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from operator import attrgetter
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


def from_record(cls: type[T], record: Any, **extra: Any) -> T:
    # The object is made without the dataclass ``__init__`` (~35 keyword arguments for a lead): the
    # fields are set straight into its ``__dict__``, as ``__init__`` would; fields not set here keep
    # their class-level defaults. A page builds ~800 of these.
    names, read, enums = _reader(cls)  # type: ignore[arg-type]
    values = dict(zip(names, read(record), strict=True))
    for name, members, enum in enums:
        value = values[name]
        if value is not None:
            member = members.get(value)  # a dict lookup; the enum's call (and its error) only for misses
            values[name] = member if member is not None else enum(value)
    values["record"] = record
    values.update(extra)
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


@cache
def _reader(cls: type[Any]) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]], tuple[Any, ...]]:
    """(field names, a function reading them off a record as a tuple, (name, members by value, enum)
    for each enum field)."""
    plain = _plain_fields(cls)  # type: ignore[arg-type]
    names = tuple(name for name, _ in plain)
    getter = attrgetter(*names) if names else (lambda _record: ())
    read = getter if len(names) != 1 else (lambda record: (getter(record),))
    enums = tuple((name, enum._value2member_map_, enum) for name, enum in plain if enum is not None)
    return names, read, enums

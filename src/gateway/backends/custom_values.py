"""Custom field values (seed 004 ``customFieldValues``): checked against their definitions, stored typed.

Seed 004 sends every value as text (``{"field": {"id": ...}, "value": "string"}``); the gateway keeps
each as its definition's type, so that filters and orderings compare numbers as numbers:

| fieldType | text accepted                          | stored as                                  |
|-----------|----------------------------------------|--------------------------------------------|
| string    | any text without NUL, <= 1,000 chars   | JSON text                                  |
| number    | a finite decimal number, within the options' ``min`` / ``max`` | JSON number        |
| boolean   | ``true`` or ``false``                  | JSON boolean                               |
| date      | ISO 8601 date (``2026-12-07``)         | JSON text ``YYYY-MM-DD``                   |
| datetime  | ISO 8601 date-time (no offset: UTC)    | JSON text ``YYYY-MM-DDTHH:MM:SS.ffffffZ``  |
| enum      | one of the options' ``values``         | JSON text                                  |

A definition whose options say ``"required": true`` needs a value on create, and refuses clearing one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from gateway.backends.customization import CustomField

MAX_TEXT = 1000


class CustomValueProblem(ValueError):
    """A value its definition refuses: ``code`` is REQUIRED, INVALID or NOT_FOUND (no such field)."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index


@dataclass(frozen=True)
class GivenValue:
    """One entry of an input's ``customFieldValues``: the field by id or by name, and its text (None
    clears the value)."""

    field_id: str | None
    field_name: str | None
    value: str | None


def stored_instant(moment: datetime) -> str:
    """A date-time as stored: UTC with microseconds and a Z (fixed width: text order is time order)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def options_of(definition: CustomField) -> dict[str, Any]:
    return definition.options if isinstance(definition.options, dict) else {}


def is_required(definition: CustomField) -> bool:
    return options_of(definition).get("required") is True


def parse(definition: CustomField, text: str) -> Any:
    """The stored value of ``text`` for this definition; ``CustomValueProblem`` (INVALID) if it has none."""
    kind = definition.field_type or "string"
    if "\x00" in text or len(text) > MAX_TEXT:
        raise CustomValueProblem("INVALID", f"A value holds at most {MAX_TEXT} characters and no NUL.")
    parser = _PARSERS.get(kind, _text)
    try:
        return parser(definition, text)
    except (ValueError, OverflowError):
        raise CustomValueProblem("INVALID", f"{definition.field_name} takes a {kind} value.") from None


def _text(definition: CustomField, text: str) -> Any:
    return text


def _number(definition: CustomField, text: str) -> Any:
    number = float(text.strip())
    if not math.isfinite(number):
        raise ValueError(text)
    options = options_of(definition)
    low, high = options.get("min"), options.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        raise CustomValueProblem("INVALID", f"{definition.field_name} must lie within {low} and {high}.")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _boolean(definition: CustomField, text: str) -> Any:
    if text not in ("true", "false"):
        raise ValueError(text)
    return text == "true"


def _date(definition: CustomField, text: str) -> Any:
    return date.fromisoformat(text).isoformat()


def _datetime(definition: CustomField, text: str) -> Any:
    return stored_instant(datetime.fromisoformat(text))


def _enum(definition: CustomField, text: str) -> Any:
    values = options_of(definition).get("values") or []
    if text not in values:
        raise CustomValueProblem("INVALID", f"{definition.field_name} is one of {', '.join(values)}.")
    return text


_PARSERS = {
    "string": _text,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "enum": _enum,
}


def merged_values(
    definitions: Sequence[CustomField],
    current: Mapping[str, Any],
    given: Sequence[GivenValue],
    creating: bool,
) -> dict[str, Any]:
    """The record's values after ``given`` (fieldName -> stored value), checked: every given field is a
    definition of the entity, every value fits its definition, and a required field keeps a value
    (on create: has one). Values of fields no longer defined are dropped."""
    by_id = {d.id: d for d in definitions if d.id is not None}
    by_name = {d.field_name: d for d in definitions if d.field_name is not None}
    values = {name: value for name, value in current.items() if name in by_name}
    for index, item in enumerate(given):
        definition = (
            by_id.get(item.field_id) if item.field_id is not None else by_name.get(item.field_name or "")
        )
        if definition is None or definition.field_name is None:
            raise CustomValueProblem("NOT_FOUND", "No such custom field for this entity.", index)
        if item.value is None:
            values.pop(definition.field_name, None)
            continue
        try:
            values[definition.field_name] = parse(definition, item.value)
        except CustomValueProblem as problem:
            raise CustomValueProblem(problem.code, problem.message, index) from None
    _require(definitions, values, given, creating)
    return values


def _require(
    definitions: Sequence[CustomField], values: Mapping[str, Any], given: Sequence[GivenValue], creating: bool
) -> None:
    touched = {item.field_id for item in given} | {item.field_name for item in given}
    for definition in definitions:
        if not is_required(definition) or definition.field_name in values:
            continue
        if creating or definition.id in touched or definition.field_name in touched:
            raise CustomValueProblem("REQUIRED", f"The custom field {definition.field_name} is required.")


def typed(definition: CustomField, stored: Any) -> Any:
    """A stored value as its definition's Python type (date and datetime parsed), None if it does not fit
    (a definition whose type changed after the value was written)."""
    kind = definition.field_type or "string"
    try:
        if kind == "number":
            return None if isinstance(stored, bool) or not isinstance(stored, int | float) else stored
        if kind == "boolean":
            return stored if isinstance(stored, bool) else None
        if not isinstance(stored, str):
            return None
        if kind == "date":
            return date.fromisoformat(stored)
        if kind == "datetime":
            return datetime.fromisoformat(stored)
        return stored
    except ValueError:
        return None


def as_text(stored: Any) -> str | None:
    """A stored value in seed 004's text form."""
    if stored is None:
        return None
    if isinstance(stored, bool):
        return "true" if stored else "false"
    return str(stored)

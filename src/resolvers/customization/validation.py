"""Checks of customization inputs before anything is sent: a bad value is a user error (mutations) or a
BAD_USER_INPUT error (queries), and costs no ConeCRM call."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from gateway.errors import BadUserInput
from resolvers.common.errors import UserError, UserErrorCode, error

ENTITY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_ID, MAX_TEXT, MAX_JSON_BYTES, MAX_INT = 100, 255, 65_536, 2**31 - 1


def invalid(path: list[str], message: str) -> UserError:
    return error(path, message, UserErrorCode.INVALID)


def refuse(problems: list[UserError]) -> None:
    """Queries have no payload: the first problem becomes a BAD_USER_INPUT error on the field."""
    if problems:
        raise BadUserInput(problems[0].message, field=problems[0].field)


def entity(value: str | None, path: list[str]) -> list[UserError]:
    if value is None or ENTITY.match(value):
        return []
    return [invalid(path, "An entity name: a letter, then up to 63 letters, digits, '_' or '-'.")]


def record_id(value: str, path: list[str] | None = None) -> list[UserError]:
    """A ConeCRM id as a path segment: never empty, never one that could name another resource."""
    path = path or ["id"]
    if not value.strip():
        return [error(path, "An id is required.", UserErrorCode.REQUIRED)]
    if len(value) > MAX_ID or "/" in value or value in (".", "..") or any(ord(c) < 32 for c in value):
        return [invalid(path, f"Not a ConeCRM id (up to {MAX_ID} characters, no '/').")]
    return []


def uuid_id(value: str, path: list[str] | None = None) -> list[UserError]:
    try:
        UUID(value)
    except ValueError:
        return [invalid(path or ["id"], "Not a ConeCRM id (a UUID).")]
    return []


def text(value: str | None, path: list[str], required: bool = False) -> list[UserError]:
    if value is None:
        return [error(path, "A value is required.", UserErrorCode.REQUIRED)] if required else []
    if not value.strip():
        return [error(path, "Must not be blank.", UserErrorCode.REQUIRED)]
    return [invalid(path, f"Up to {MAX_TEXT} characters.")] if len(value) > MAX_TEXT else []


def field_name(value: str | None, path: list[str], required: bool = False) -> list[UserError]:
    if value is None:
        return [error(path, "A value is required.", UserErrorCode.REQUIRED)] if required else []
    if FIELD_NAME.match(value):
        return []
    return [invalid(path, "A field name: a letter, then up to 63 letters, digits or '_'.")]


def json_object(
    value: Any, path: list[str], required: bool = False, non_empty: bool = False
) -> list[UserError]:
    if value is None:
        return [error(path, "A JSON object is required.", UserErrorCode.REQUIRED)] if required else []
    if not isinstance(value, dict):
        return [invalid(path, "Must be a JSON object.")]
    if non_empty and not value:
        return [error(path, "Must not be an empty object.", UserErrorCode.REQUIRED)]
    return _size(value, path)


def json_objects(value: Any, path: list[str]) -> list[UserError]:
    """A list of JSON objects (an automation's nodes or edges)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return [invalid(path, "Must be a list of JSON objects.")]
    return _size(value, path)


def whole_number(value: int | None, path: list[str]) -> list[UserError]:
    if value is None or 0 <= value <= MAX_INT:
        return []
    return [invalid(path, "Must be a whole number, 0 or more.")]


def something(values: list[Any], path: list[str]) -> list[UserError]:
    if any(value is not None for value in values):
        return []
    return [error(path, "Nothing to change: give at least one field.", UserErrorCode.REQUIRED)]


def _size(value: Any, path: list[str]) -> list[UserError]:
    if len(json.dumps(value)) > MAX_JSON_BYTES:
        return [invalid(path, f"Larger than {MAX_JSON_BYTES} bytes as JSON.")]
    return []

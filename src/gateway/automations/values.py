"""Ids in automation definitions: the graph's global IDs (what clients see) or plain UUIDs."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID


def as_uuid(value: Any, type_name: str | None = None) -> UUID:
    """A UUID, or the one a global ID (base64url of "Type:uuid") names, of ``type_name`` when given."""
    if isinstance(value, UUID):
        return value
    text = str(value)
    try:
        return UUID(text)
    except ValueError:
        pass
    named, record_id = _decoded(text)
    if record_id is None or (type_name is not None and named != type_name):
        raise ValueError(f"takes the ID of a {type_name}" if type_name else "takes an ID")
    return record_id


def _decoded(text: str) -> tuple[str, UUID | None]:
    try:
        named, _, raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition(":")
        return named, UUID(raw)
    except (ValueError, binascii.Error, UnicodeError):
        return "", None

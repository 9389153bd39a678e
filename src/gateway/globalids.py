"""Opaque global IDs: ``base64url("<TypeName>:<uuid>")``. Clients must not parse them.

Here rather than in ``resolvers``: the gateway computes them too (the planner's SQLite functions,
``gateway/planner/sql.py``; the cost budget and downloads read them), and the gateway imports
nothing of the resolvers (``tests/test_layering.py``). ``resolvers.common.ids`` re-exports them."""

from __future__ import annotations

import base64
import binascii
import uuid

from gateway.errors import BadUserInput


class InvalidId(BadUserInput):
    code = "INVALID_ID"


def encode_global_id(type_name: str, record_id: uuid.UUID) -> str:
    # A list page shows ~500 ids, many of them the same stages and users again; formatting a UUID and
    # base64 cost more than a dict lookup. The bound keeps a stream of distinct ids from holding memory.
    key = (type_name, record_id)
    found = _ENCODED.get(key)
    if found is None:
        if len(_ENCODED) >= 65_536:
            _ENCODED.clear()
        raw = f"{type_name}:{record_id}".encode()
        found = _ENCODED[key] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return found


_ENCODED: dict[tuple[str, uuid.UUID], str] = {}


def decode_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    """(type name, uuid), or InvalidId for anything that is not a global id of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_uuid = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, uuid.UUID(raw_uuid)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidId(f"'{global_id[:80]}' is not a valid ID") from None


def decode_id_of(global_id: str, *type_names: str) -> uuid.UUID:
    """The uuid of a global id that must name one of these types."""
    type_name, record_id = decode_global_id(global_id)
    if type_name not in type_names:
        raise InvalidId(f"ID '{global_id[:80]}' is not the ID of a {' or '.join(type_names)}")
    return record_id

"""References inside mutation inputs: global IDs decoded, and checked to exist in the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from strawberry import UNSET

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.ids import InvalidId, decode_id_of
from resolvers.common.naming import to_camel

# Seed 000's own codes for a reference that does not resolve.
REFERENCE_SEED_CODES: dict[Entity, str] = {Entity.CONTACT: "CUST1102", Entity.ACCOUNT: "CUST2102"}


@dataclass(frozen=True)
class RefField:
    """An input field that holds the global ID of another object (``contact_id`` -> a Contact)."""

    name: str
    type_name: str
    entity: Entity


@dataclass(frozen=True)
class Ref:
    """A decoded reference that must exist in the caller's tenant; ``path`` is where to report it."""

    path: list[str]
    entity: Entity
    id: UUID


def decode_ref(
    global_id: str, type_name: str, entity: Entity, path: list[str]
) -> tuple[UUID | None, list[UserError]]:
    """A reference of the wrong type or in no valid form is a NOT_FOUND on its path, not a GraphQL error."""
    try:
        return decode_id_of(global_id, type_name), []
    except InvalidId:
        message = f"No {type_name} with this ID."
        return None, [error(path, message, UserErrorCode.NOT_FOUND, REFERENCE_SEED_CODES.get(entity))]


def decode_refs(
    input: Any, fields: Sequence[RefField], path: Sequence[str] = ("input",)
) -> tuple[dict[str, UUID | None], list[Ref], list[UserError]]:
    """Column values of the reference fields the input sets (UNSET skipped, null kept), and what to check."""
    values: dict[str, UUID | None] = {}
    refs: list[Ref] = []
    problems: list[UserError] = []
    for field in fields:
        global_id = getattr(input, field.name, UNSET)
        if global_id is UNSET:
            continue
        values[field.name] = None
        if global_id is None:
            continue
        field_path = [*path, to_camel(field.name)]
        values[field.name], found = decode_ref(global_id, field.type_name, field.entity, field_path)
        problems += found
        if values[field.name] is not None:
            refs.append(Ref(field_path, field.entity, values[field.name]))  # type: ignore[arg-type]
    return values, refs, problems


def decode_ref_list(
    global_ids: Sequence[str], field: RefField, path: Sequence[str] = ("input",)
) -> tuple[list[UUID], list[Ref], list[UserError]]:
    """Decoded IDs of a list field (e.g. ``assigneeIds``), without duplicates, and what to check."""
    ids: list[UUID] = []
    refs: list[Ref] = []
    problems: list[UserError] = []
    for index, global_id in enumerate(global_ids):
        item_path = [*path, to_camel(field.name), str(index)]
        record_id, found = decode_ref(global_id, field.type_name, field.entity, item_path)
        problems += found
        if record_id is not None and record_id not in ids:
            ids.append(record_id)
            refs.append(Ref(item_path, field.entity, record_id))
    return ids, refs, problems


async def require_refs(writer: RecordWriter, refs: Sequence[Ref]) -> None:
    """Every reference names a live object of this tenant; else NOT_FOUND on each failing path."""
    wanted: dict[Entity, set[UUID]] = {}
    for ref in refs:
        wanted.setdefault(ref.entity, set()).add(ref.id)
    found = {entity: await writer.existing_ids(entity, list(ids)) for entity, ids in wanted.items()}
    problems = [
        error(
            ref.path,
            f"No {ref.entity.value} with this ID.",
            UserErrorCode.NOT_FOUND,
            REFERENCE_SEED_CODES.get(ref.entity),
        )
        for ref in refs
        if ref.id not in found[ref.entity]
    ]
    if problems:
        raise UserErrors(problems)

"""Seed 001's rules for communications: templates, required values, media permissions and queueing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.outgoing import completion_values as completion_values
from gateway.backends.outgoing import enqueue_if_sent as enqueue_if_sent
from gateway.backends.outgoing import next_number as next_number
from gateway.backends.records import (
    CommunicationRecord,
    CommunicationTemplateRecord,
    Entity,
)
from gateway.permissions import MEDIA_RECEIVE_PERMISSIONS, MEDIA_SEND_PERMISSIONS, MEDIA_VIEW_PERMISSIONS
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import InvalidId, decode_global_id
from resolvers.common.naming import to_camel
from resolvers.common.permissions import require
from resolvers.common.references import Ref
from resolvers.communications.errors import invalid, required
from resolvers.communications.inputs import REFERRING_TO_TYPES, TEMPLATE_COLUMNS

REFERENCE_TYPES = ", ".join(REFERRING_TO_TYPES)


def referring_to(
    global_ids: Sequence[str] | None, path: Sequence[str] = ("input",)
) -> tuple[list[dict[str, Any]] | None, list[Ref], list[UserError]]:
    """Reference rows for ``referringToIds`` (None: leave as is), the references to check, problems."""
    if global_ids is None or global_ids is strawberry.UNSET:
        return None, [], []
    rows: list[dict[str, Any]] = []
    refs: list[Ref] = []
    problems: list[UserError] = []
    for index, global_id in enumerate(global_ids):
        item_path = [*path, "referringToIds", str(index)]
        try:
            type_name, target_id = decode_global_id(global_id)
        except InvalidId:
            type_name, target_id = "", None
        entity = REFERRING_TO_TYPES.get(type_name)
        if entity is None or target_id is None:
            problems.append(invalid(item_path, f"A communication may refer to: {REFERENCE_TYPES}."))
            continue
        if all(row["target_id"] != target_id for row in rows):
            rows.append({"target_type": type_name, "target_id": target_id})
            refs.append(Ref(item_path, entity, target_id))
    return rows, refs, problems


async def fill_from_template(writer: RecordWriter, values: dict[str, Any], given: set[str]) -> None:
    """The template sets direction, media, subject and content wherever the input did not."""
    template_id = values.get("template_id")
    if template_id is None:
        return
    templates = await writer.get_many(Entity.COMMUNICATION_TEMPLATE, [template_id])
    template = templates.get(template_id)
    assert isinstance(template, CommunicationTemplateRecord)  # require_refs checked it exists
    for column in TEMPLATE_COLUMNS:
        if column not in given and getattr(template, column) is not None:
            values[column] = getattr(template, column)


def given_columns(values: dict[str, Any]) -> set[str]:
    """Template columns the input set to a value (null counts as not given, so the template fills it)."""
    return {column for column in TEMPLATE_COLUMNS if values.get(column) is not None}


def check_complete(values: dict[str, Any], path: Sequence[str] = ("input",)) -> None:
    """Direction, media, subject and content are required (unless a template set them); ``to`` for EMAIL."""
    problems = [
        required([*path, to_camel(column)])
        for column in TEMPLATE_COLUMNS
        if values.get(column) is None or (isinstance(values[column], str) and not values[column].strip())
    ]
    if values.get("media") == "EMAIL" and not (values.get("to") or "").strip():
        problems.append(required([*path, "to"], "`to` is required for an EMAIL communication."))
    if problems:
        raise UserErrors(problems)


def check_media_access(info: strawberry.Info, media: str, direction: str) -> None:
    """FORBIDDEN unless the caller may view this media and send it (outgoing) or receive it (incoming)."""
    view = MEDIA_VIEW_PERMISSIONS.get(media)
    if view is not None:
        require(info, view)
    by_direction = MEDIA_SEND_PERMISSIONS if direction == "OUTGOING" else MEDIA_RECEIVE_PERMISSIONS
    needed = by_direction.get(media)
    if needed is not None:
        require(info, needed)


async def load_communication(writer: RecordWriter, record_id: UUID) -> CommunicationRecord:
    """The communication as the transaction sees it now (after a write of this transaction)."""
    found = (await writer.get_many(Entity.COMMUNICATION, [record_id])).get(record_id)
    assert isinstance(found, CommunicationRecord)
    return found

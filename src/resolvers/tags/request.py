"""What a ``tagAssign`` / ``tagUnassign`` input asks for: checked before the transaction as far as the
input alone allows, then applied in it (owners and tags must exist for the caller)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.tags import MAX_TAGS_PER_CALL, link_tags, tag_ids_by_key
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.ids import InvalidId, decode_id_of
from resolvers.common.owners import Owner, decode_owner, live_owners
from resolvers.tags.catalogue import value_key, value_problems
from resolvers.tags.errors import OWNER_ERRORS, REQUIRED_CODE, tag_problem
from resolvers.tags.inputs import MAX_OWNERS_PER_CALL, TagAssignInput


@dataclass
class TagRequest:
    owners: dict[Owner, int] = field(default_factory=dict)  # owner -> input index
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (value, input index)
    tag_ids: list[tuple[UUID, int]] = field(default_factory=list)  # (tag, input index)


def _required(path: list[str]) -> UserError:
    return error(path, "Required parameters cannot be null.", UserErrorCode.REQUIRED, REQUIRED_CODE)


def read_request(
    info: strawberry.Info, input: TagAssignInput, adding: bool
) -> tuple[TagRequest, list[UserError]]:
    request = TagRequest()
    problems = _read_owners(info, input.owner_ids, request)
    for index, value in enumerate(input.values or []):
        path = ["input", "values", str(index)]
        if not value.strip():
            problems.append(_required(path))
            continue
        found = value_problems(value, path)
        problems += found
        if not found:
            request.values.setdefault(value_key(value), (value.strip(), index))
    for index, global_id in enumerate(input.tag_ids or []):
        try:
            request.tag_ids.append((decode_id_of(global_id, "Tag"), index))
        except InvalidId:
            problems.append(tag_problem(["input", "tagIds", str(index)], "Not the ID of a tag."))
    given = len(input.values or []) + len(input.tag_ids or [])
    if not given:
        problems.append(_required(["input", "values"]))
    elif given > MAX_TAGS_PER_CALL:
        problems.append(tag_problem(["input", "values"], f"At most {MAX_TAGS_PER_CALL} tags per call."))
    return request, problems


def _read_owners(
    info: strawberry.Info, owner_ids: list[strawberry.ID], request: TagRequest
) -> list[UserError]:
    if not owner_ids:
        return [_required(["input", "ownerIds"])]
    if len(owner_ids) > MAX_OWNERS_PER_CALL:
        message = f"At most {MAX_OWNERS_PER_CALL} contacts and organizations per call."
        return [error(["input", "ownerIds"], message, UserErrorCode.INVALID, REQUIRED_CODE)]
    problems = []
    for index, global_id in enumerate(owner_ids):
        path = ["input", "ownerIds", str(index)]
        owner = decode_owner(global_id)
        found = OWNER_ERRORS.problems(info, owner, path)
        problems += found
        if isinstance(owner, Owner) and not found:
            request.owners.setdefault(owner, index)
    return problems


async def apply_request(writer: RecordWriter, request: TagRequest, adding: bool, actor: str) -> list[UUID]:
    """Link (or unlink) every tag to every owner; the tags' ids, in the order given."""
    live = await live_owners(writer, list(request.owners))
    missing = [
        OWNER_ERRORS.not_found(["input", "ownerIds", str(index)])
        for owner, index in request.owners.items()
        if owner.id not in live
    ]
    if missing:
        raise UserErrors(missing)
    tag_ids = await _tags(writer, request, adding, actor)
    for owner in request.owners:
        await link_tags(writer, owner.entity, owner.id, tag_ids, adding)
    return tag_ids


async def _tags(writer: RecordWriter, request: TagRequest, adding: bool, actor: str) -> list[UUID]:
    found = await writer.get_many(Entity.TAG, [tag for tag, _ in request.tag_ids])
    problems = [
        tag_problem(["input", "tagIds", str(index)], "Cannot find the tag.", UserErrorCode.NOT_FOUND)
        for tag, index in request.tag_ids
        if tag not in found
    ]
    values = {key: value for key, (value, _) in request.values.items()}
    by_key = await tag_ids_by_key(writer, values, actor, create=adding)
    ids = [tag for tag, _ in request.tag_ids]
    for key, (value, index) in request.values.items():
        if key in by_key:
            ids.append(by_key[key])
        else:
            message = f"No tag {value!r} in the catalogue."
            problems.append(tag_problem(["input", "values", str(index)], message, UserErrorCode.NOT_FOUND))
    if problems:
        raise UserErrors(problems)
    return list(dict.fromkeys(ids))

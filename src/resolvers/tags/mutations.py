"""Tag mutations: the catalogue (create, rename) and adding or removing tags on contacts and
organizations, several of each at once, in one transaction."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types.field import StrawberryField

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CUST_TAG_ADD, CUST_TAG_REMOVE
from resolvers.common.crud import CREATE, UPDATE, Change, CrudMutations, Texts, argument
from resolvers.common.crud.fields import mutation_field
from resolvers.common.errors import UserError, UserErrorCode
from resolvers.common.links import load_node
from resolvers.common.mutations import WritePlan, in_transaction
from resolvers.common.permissions import requires
from resolvers.tags.catalogue import refuse_duplicate, value_key, value_problems
from resolvers.tags.errors import REQUIRED_CODE, tag_problem
from resolvers.tags.inputs import TagAssignInput, TagCreateInput, TagUpdateInput
from resolvers.tags.request import apply_request, read_request
from resolvers.tags.types import Tag


def _clean_value(plan: WritePlan) -> None:
    value = plan.values.get("value")
    if value is None or not value.strip():
        return  # the factory's REQUIRED check (CUST3101) reports it
    plan.problems += value_problems(value, ["input", "value"])
    plan.values["value"] = value.strip()
    plan.values["value_key"] = value_key(value)


class TagCrud(CrudMutations):
    node, create_input, update_input = Tag, TagCreateInput, TagUpdateInput
    permissions = {CREATE: CUST_TAG_ADD, UPDATE: CUST_TAG_ADD}
    operations = (CREATE, UPDATE)
    columns, required = ("value",), ("value", REQUIRED_CODE)
    texts = {
        CREATE: Texts("Add a tag to the catalogue (unique ignoring case); `tagAssign` also creates tags."),
        UPDATE: Texts("Rename a tag: everything that carries it shows the new text."),
    }

    def not_found(self, path: list[str] | None = None) -> UserError:
        return tag_problem(path or ["id"], "Cannot find the tag.", UserErrorCode.NOT_FOUND)

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        _clean_value(plan)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        _clean_value(plan)

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        await refuse_duplicate(writer, plan.values["value_key"])
        return await super().insert(info, writer, plan)

    async def update(self, change: Change) -> UUID:
        if "value_key" in change.plan.values:
            await refuse_duplicate(change.writer, change.plan.values["value_key"], change.record_id)
        return await super().update(change)


@strawberry.type(description="Result of `tagAssign`.")
class TagAssignPayload:
    tags: list[Tag] | None = strawberry.field(
        description="The tags the contacts and organizations now carry."
    )
    owner_ids: list[strawberry.ID] | None = strawberry.field(description="The contacts and organizations.")
    seed_code: str | None = strawberry.field(description="CUST3000 once the tags were added (seed 000).")
    errors: list[UserError] = strawberry.field(
        description="Why nothing was added (CUST3100-CUST3104); nothing is added when any part fails."
    )


@strawberry.type(description="Result of `tagUnassign`.")
class TagUnassignPayload:
    tags: list[Tag] | None = strawberry.field(description="The tags that were removed.")
    owner_ids: list[strawberry.ID] | None = strawberry.field(description="The contacts and organizations.")
    errors: list[UserError] = strawberry.field(
        description="Why nothing was removed (CUST3100-CUST3104); nothing is removed when any part fails."
    )


def _assignment(adding: bool, description: str) -> StrawberryField:
    """``tagAssign`` or ``tagUnassign``: checked before the transaction, then all or nothing."""

    async def change(info: strawberry.Info, input: TagAssignInput) -> Any:
        request, problems = read_request(info, input, adding)
        done: list[UUID] | None = None
        if not problems:
            done, problems = await in_transaction(
                info, lambda writer: apply_request(writer, request, adding, info.context.actor)
            )
        if problems:
            return _payload(adding, tags=None, owner_ids=None, errors=problems)
        tags = await asyncio.gather(*(load_node(info, Entity.TAG, tag) for tag in done or []))
        return _payload(adding, tags=[tag for tag in tags if tag], owner_ids=input.owner_ids, errors=[])

    arguments = [argument("input", TagAssignInput, "The contacts and organizations, and the tags.")]
    payload = TagAssignPayload if adding else TagUnassignPayload
    permission = CUST_TAG_ADD if adding else CUST_TAG_REMOVE
    return mutation_field(change, arguments, payload, description, requires(permission))


def _payload(adding: bool, **values: Any) -> Any:
    if adding:
        return TagAssignPayload(seed_code=None if values["errors"] else "CUST3000", **values)
    return TagUnassignPayload(**values)


@strawberry.type
class TagMutation(TagCrud().mutation_type()):  # type: ignore[misc]
    tag_assign = _assignment(
        True,
        "Add tags to contacts and organizations (seed 000 CUST_TAG_ADD): every tag to every one of "
        "them; a tag given by text is created when the catalogue lacks it; carrying it already is fine.",
    )
    tag_unassign = _assignment(
        False,
        "Remove tags from contacts and organizations (seed 000 CUST_TAG_REMOVE); the tags stay in the "
        "catalogue.",
    )

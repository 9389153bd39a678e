"""Comment mutations: add, update, soft delete and restore. Any caller who sees a contact or an
organization may comment on it; only the author or a CUST_WRITE holder changes or removes a comment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.query import Condition, ListQuery, Op, PageRequest
from gateway.backends.records import Entity
from gateway.permissions import CUST_READ, CUST_WRITE
from resolvers.comments.errors import OWNER_ERRORS, REQUIRED_CODE, comment_not_found, comment_problem
from resolvers.comments.inputs import MAX_COMMENT_LENGTH, CommentCreateInput, CommentUpdateInput
from resolvers.comments.types import Comment
from resolvers.common.crud import CREATE, DELETE, RESTORE, UPDATE, Change, CrudMutations, Texts
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.mutations import WritePlan
from resolvers.common.owners import Owner, decode_owner, live_owners

OWNER_PATH = ["input", "ownerId"]


def _clean_text(plan: WritePlan) -> None:
    text = plan.values.get("text")
    path = ["input", "text"]
    if text is not None and len(text) > MAX_COMMENT_LENGTH:
        plan.problems.append(comment_problem(path, f"A comment has at most {MAX_COMMENT_LENGTH} characters."))
    elif text is not None and "\x00" in text:
        plan.problems.append(comment_problem(path, "A comment may not contain NUL characters."))


def _require_author(info: strawberry.Info, comment: Any) -> None:
    """Only the author, or a holder of CUST_WRITE, changes a comment (CUST4103)."""
    if comment.created_by != info.context.actor and not info.context.principal.has(CUST_WRITE):
        raise UserErrors([OWNER_ERRORS.denied(["id"], "only its author or a holder of CUST_WRITE may.")])


async def _author_id(writer: RecordWriter, actor: str) -> UUID | None:
    """The caller's user record in the tenant, if it has one (seed 000's author is a Person)."""
    query = ListQuery(filter=Condition("username", Op.EQ, actor), page=PageRequest(first=1))
    rows = (await writer.page(Entity.USER, query)).rows
    return rows[0].id if rows else None


class CommentCrud(CrudMutations):
    node, create_input, update_input = Comment, CommentCreateInput, CommentUpdateInput
    # Gated by CUST_READ: commenting is open to whoever sees the record; the author rule is per comment.
    permissions = {CREATE: CUST_READ, UPDATE: CUST_READ, DELETE: CUST_READ, RESTORE: CUST_READ}
    columns, required = ("text",), ("text", REQUIRED_CODE)
    texts = {
        CREATE: Texts(
            "Comment on a contact or organization (seed 000 Comment); the caller is its author. "
            "Retrying with the same idempotency key creates nothing new."
        ),
        UPDATE: Texts("Change a comment: its author, or a holder of CUST_WRITE, may."),
        DELETE: Texts(
            "Soft-delete a comment (its author, or a holder of CUST_WRITE); `commentRestore` undoes."
        ),
    }

    def not_found(self, path: list[str] | None = None) -> UserError:
        return comment_not_found(path)

    def clean_create(self, info: strawberry.Info, input: CommentCreateInput, plan: WritePlan) -> None:
        owner = decode_owner(input.owner_id)
        plan.problems += OWNER_ERRORS.problems(info, owner, OWNER_PATH)
        if isinstance(owner, Owner):
            plan.values |= {"owner_id": owner.id, "owner_type": owner.owner_type}
        _clean_text(plan)

    def clean_update(self, info: strawberry.Info, input: CommentUpdateInput, plan: WritePlan) -> None:
        _clean_text(plan)

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        entity = Entity.CONTACT if plan.values["owner_type"] == "CONTACT" else Entity.ACCOUNT
        if not await live_owners(writer, [Owner(entity, plan.values["owner_id"])]):
            raise UserErrors([OWNER_ERRORS.not_found(OWNER_PATH)])
        plan.values["author_id"] = await _author_id(writer, info.context.actor)
        return await super().insert(info, writer, plan)

    async def update(self, change: Change) -> UUID:
        _require_author(change.info, await self.stored(change))
        return await super().update(change)

    async def veto_caller(self, info: strawberry.Info, writer: RecordWriter, record_id: UUID) -> None:
        rows = await writer.get_many(Entity.COMMENT, [record_id], include_deleted=True)
        _require_author(info, rows[record_id])


CommentMutation = CommentCrud().mutation_type()

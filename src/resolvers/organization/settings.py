"""The caller's own settings (seed 004 UserSettings): read and written by the user itself.

A user has one settings row, created by its first ``mySettingsUpdate``; until then ``mySettings`` is
null. A caller with no user record in the tenant (its token's
subject names no user) has no settings and gets NOT_FOUND.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.query import Condition, ListQuery, Op, PageRequest
from gateway.backends.records import Entity
from resolvers.common.crud.fields import payload_type
from resolvers.common.errors import UserErrorCode, UserErrors, error
from resolvers.common.links import load_node
from resolvers.common.mutations import in_transaction, write_plan
from resolvers.common.node import node_from_record
from resolvers.organization.inputs import USER_SETTINGS_COLUMNS, UserSettingsInput
from resolvers.organization.types import UserSettings
from resolvers.users.caller import caller_user

MySettingsUpdatePayload = payload_type(
    "MySettingsUpdatePayload",
    "Result of `mySettingsUpdate`.",
    ("user_settings", UserSettings | None, "The caller's settings after the change."),
    "Why nothing changed, e.g. NOT_FOUND when the caller has no user record.",
)


def _of_user(user_id: UUID) -> ListQuery:
    return ListQuery(filter=Condition("user_id", Op.EQ, user_id), page=PageRequest(first=1))


def _no_user() -> UserErrors:
    return UserErrors([error([], "Your token names no user of this tenant.", UserErrorCode.NOT_FOUND)])


@strawberry.type
class MySettingsQuery:
    @strawberry.field(
        description="Your own settings; null until you first save them, or when your token names no user."
    )
    async def my_settings(self, info: strawberry.Info) -> UserSettings | None:
        user = await caller_user(info)
        if user is None:
            return None
        rows = (await info.context.loaders.page(Entity.USER_SETTINGS, _of_user(user.id))).rows
        return node_from_record(Entity.USER_SETTINGS, rows[0]) if rows else None


@strawberry.type
class MySettingsMutation:
    @strawberry.mutation(description="Change your own settings; the first change creates them.")
    async def my_settings_update(
        self,
        info: strawberry.Info,
        input: Annotated[UserSettingsInput, strawberry.argument(description="The settings to change.")],
    ) -> MySettingsUpdatePayload:  # type: ignore[valid-type]
        plan = write_plan(input, USER_SETTINGS_COLUMNS)
        if plan.problems:
            return MySettingsUpdatePayload(user_settings=None, errors=plan.problems)
        user = await caller_user(info)

        async def save(writer: RecordWriter) -> UUID:
            if user is None:
                raise _no_user()
            rows = (await writer.page(Entity.USER_SETTINGS, _of_user(user.id))).rows
            if not rows:
                return await writer.insert(
                    Entity.USER_SETTINGS, {**plan.values, "user_id": user.id}, info.context.actor
                )
            await writer.update(Entity.USER_SETTINGS, rows[0].id, plan.values, info.context.actor, None)
            return rows[0].id

        done, errors = await in_transaction(info, save)
        settings: Any = await load_node(info, Entity.USER_SETTINGS, done) if done else None
        return MySettingsUpdatePayload(user_settings=settings, errors=errors)

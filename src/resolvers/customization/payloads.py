"""Payloads of the customization mutations: the written object, or why nothing was written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from resolvers.common.errors import UserError
from resolvers.customization.errors import upstream
from resolvers.customization.types import Automation, CustomField, CustomLabel, SavedFilter

T = TypeVar("T")
R = TypeVar("R")
ERRORS = "Why nothing was written: input problems (no ConeCRM call made) or ConeCRM's 400 and 404."


@strawberry.type(description="Result of `customFieldCreate` and `customFieldUpdate`.")
class CustomFieldPayload:
    custom_field: CustomField | None = strawberry.field(description="The custom field as ConeCRM holds it.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Result of `customLabelCreate` and `customLabelUpdate`.")
class CustomLabelPayload:
    custom_label: CustomLabel | None = strawberry.field(description="The custom label as ConeCRM holds it.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Result of `savedFilterCreate` and `savedFilterUpdate`.")
class SavedFilterPayload:
    saved_filter: SavedFilter | None = strawberry.field(description="The saved filter as ConeCRM holds it.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Result of `automationCreate`, `automationUpdate` and `automationDuplicate`.")
class AutomationPayload:
    automation: Automation | None = strawberry.field(description="The automation as ConeCRM holds it.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(
    description="Result of the customization deletes (custom field, label, saved filter, automation)."
)
class CustomizationDeletePayload:
    deleted_id: str | None = strawberry.field(description="The deleted object's ConeCRM id; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


async def write(
    problems: list[UserError], call: Callable[[], Awaitable[T]], id_path: list[str] | None = None
) -> tuple[T | None, list[UserError]]:
    """The call's result, unless the input has problems (then ConeCRM is not called at all)."""
    if problems:
        return None, problems
    return await upstream(call(), id_path)


async def delete(
    problems: list[UserError], call: Callable[[], Awaitable[None]], id: str
) -> CustomizationDeletePayload:
    _, errors = await write(problems, call)
    return CustomizationDeletePayload(deleted_id=None if errors else id, errors=errors)


def maybe(value: T | None, convert: Callable[[T], R]) -> R | None:
    return None if value is None else convert(value)

"""Akixi CRM configuration mutations: Add, Change and Delete, each sent once (never retried)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, TypeVar

import strawberry

from gateway.backends.errors import Rejected
from gateway.permissions import CRM_INTEGRATION_DELETE, CRM_INTEGRATION_EDIT
from resolvers.common.errors import UserError
from resolvers.common.permissions import requires
from resolvers.integrations.errors import integrations, rejection_error
from resolvers.integrations.inputs import AkixiCrmConfigInput
from resolvers.integrations.queries import ConfigId, Scope
from resolvers.integrations.types import AkixiCrmConfig, config_type
from resolvers.integrations.validation import change_of, config_id, scope_of, specific_scope

T = TypeVar("T")
ConfigInput = Annotated[AkixiCrmConfigInput, strawberry.argument(description="The configuration.")]


@strawberry.type(description="Result of `akixiCrmConfigAdd`.")
class AkixiCrmConfigAddPayload:
    crm_config: AkixiCrmConfig | None = strawberry.field(
        description="The new configuration (read back by List on its scope); null when errors occurred."
    )
    errors: list[UserError] = strawberry.field(
        description="Why nothing was added; Akixi's own code (31000-31007) is in `seedCode`."
    )


@strawberry.type(description="Result of `akixiCrmConfigChange`.")
class AkixiCrmConfigChangePayload:
    crm_config: AkixiCrmConfig | None = strawberry.field(description="The configuration after the change.")
    errors: list[UserError] = strawberry.field(
        description="Why nothing changed; Akixi's own code (31000-31007) is in `seedCode`."
    )


@strawberry.type(description="Result of `akixiCrmConfigDelete`.")
class AkixiCrmConfigDeletePayload:
    deleted_id: str | None = strawberry.field(description="The deleted configuration's ID.")
    errors: list[UserError] = strawberry.field(
        description="Why nothing was deleted; Akixi's own code (31000-31007) is in `seedCode`."
    )


async def _upstream(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Refusals the caller can act on become user errors; other failures stay errors on the field."""
    try:
        return await call, []
    except Rejected as rejected:
        return None, [rejection_error(rejected)]


@strawberry.type
class IntegrationMutation:
    @strawberry.mutation(
        description="Add an Akixi CRM configuration for a device (Akixi allows one per scope: 31005).",
        extensions=requires(CRM_INTEGRATION_EDIT),
    )
    async def akixi_crm_config_add(
        self, info: strawberry.Info, input: ConfigInput, scope: Scope = None
    ) -> AkixiCrmConfigAddPayload | None:
        api = integrations(info)
        where, problems = scope_of(scope, api.default_scope)
        change, input_problems = change_of(input)
        problems = problems + specific_scope(where) + input_problems
        if problems:
            return AkixiCrmConfigAddPayload(crm_config=None, errors=problems)
        added, errors = await _upstream(api.add(change, where))
        return AkixiCrmConfigAddPayload(
            crm_config=None if added is None else config_type(added), errors=errors
        )

    @strawberry.mutation(
        description="Change an Akixi CRM configuration; answers with it as Akixi then holds it.",
        extensions=requires(CRM_INTEGRATION_EDIT),
    )
    async def akixi_crm_config_change(
        self, info: strawberry.Info, id: ConfigId, input: ConfigInput, scope: Scope = None
    ) -> AkixiCrmConfigChangePayload | None:
        api = integrations(info)
        where, problems = scope_of(scope, api.default_scope)
        change, input_problems = change_of(input)
        problems = config_id(id) + problems + input_problems
        if problems:
            return AkixiCrmConfigChangePayload(crm_config=None, errors=problems)
        _, errors = await _upstream(api.change(id, change, where))
        if errors:
            return AkixiCrmConfigChangePayload(crm_config=None, errors=errors)
        changed, errors = await _upstream(api.info(id, where))
        return AkixiCrmConfigChangePayload(
            crm_config=None if changed is None else config_type(changed), errors=errors
        )

    @strawberry.mutation(
        description="Delete an Akixi CRM configuration (Akixi deletes for good: no restore).",
        extensions=requires(CRM_INTEGRATION_DELETE),
    )
    async def akixi_crm_config_delete(
        self, info: strawberry.Info, id: ConfigId, scope: Scope = None
    ) -> AkixiCrmConfigDeletePayload | None:
        api = integrations(info)
        where, problems = scope_of(scope, api.default_scope)
        problems = config_id(id) + problems
        if problems:
            return AkixiCrmConfigDeletePayload(deleted_id=None, errors=problems)
        _, errors = await _upstream(api.delete(id, where))
        return AkixiCrmConfigDeletePayload(deleted_id=None if errors else id, errors=errors)

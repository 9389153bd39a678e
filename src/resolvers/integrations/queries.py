"""Akixi CRM configuration queries: List and Info (one Akixi call each)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.errors import BadUserInput
from gateway.permissions import CRM_INTEGRATION_VIEW
from resolvers.common.errors import UserError
from resolvers.common.permissions import requires
from resolvers.integrations.errors import integrations
from resolvers.integrations.inputs import AkixiDeviceScopeInput
from resolvers.integrations.types import AkixiCrmConfig, AkixiCrmConfigList, config_type, list_type
from resolvers.integrations.validation import config_id, scope_of

MAX_LIMIT = 1000
Scope = Annotated[
    AkixiDeviceScopeInput | None,
    strawberry.argument(
        description="Telephone system, partition and device; defaults from the routing file."
    ),
]
ConfigId = Annotated[str, strawberry.argument(description="Akixi's CRMConfigurationID.")]


def refuse(problems: list[UserError]) -> None:
    """A query has no payload: its first input problem becomes a BAD_USER_INPUT error on the field."""
    if problems:
        first = problems[0]
        raise BadUserInput(first.message, field=first.field, seedCode=first.seed_code)


@strawberry.type
class IntegrationQuery:
    @strawberry.field(
        description="Akixi CRM configurations in a scope (Akixi's List), by description.",
        extensions=requires(CRM_INTEGRATION_VIEW),
    )
    async def akixi_crm_configs(
        self,
        info: strawberry.Info,
        scope: Scope = None,
        limit: Annotated[int, strawberry.argument(description="Page size, 1 to 1000.")] = 25,
        offset: Annotated[int, strawberry.argument(description="Items to skip, 0 or more.")] = 0,
        descending: Annotated[bool, strawberry.argument(description="Sort descending.")] = False,
    ) -> AkixiCrmConfigList | None:
        api = integrations(info)
        where, problems = scope_of(scope, api.default_scope)
        refuse(problems)
        if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= 2**31 - 1:
            raise BadUserInput(f"limit must be 1 to {MAX_LIMIT} and offset 0 or more.")
        return list_type(await api.list(where, limit=limit, offset=offset, descending=descending))

    @strawberry.field(
        description="One Akixi CRM configuration with its settings (Akixi's Info).",
        extensions=requires(CRM_INTEGRATION_VIEW),
    )
    async def akixi_crm_config(
        self, info: strawberry.Info, id: ConfigId, scope: Scope = None
    ) -> AkixiCrmConfig | None:
        api = integrations(info)
        where, problems = scope_of(scope, api.default_scope)
        refuse(config_id(id) + problems)
        return config_type(await api.info(id, where))

"""API key queries."""

from __future__ import annotations

import strawberry

from gateway.apikeys import ApiKeyStore
from gateway.permissions import CRM_ADMIN
from resolvers.apikeys.types import ApiKey, api_key_type
from resolvers.common.permissions import requires


def key_store(info: strawberry.Info) -> ApiKeyStore:
    store: ApiKeyStore | None = info.context.api_keys
    assert store is not None, "the HTTP view always provides the API key store"
    return store


@strawberry.type
class ApiKeyQuery:
    @strawberry.field(
        description="The API keys of your tenant, revoked ones included, oldest first.",
        extensions=requires(CRM_ADMIN),
    )
    async def api_keys(self, info: strawberry.Info) -> list[ApiKey] | None:
        keys = await key_store(info).list(info.context.principal.tenant)
        return [api_key_type(key) for key in keys]

"""API key mutations: create (the secret is in the payload, once) and revoke."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from gateway.apikeys import ApiKeyError
from gateway.permissions import CRM_ADMIN, unknown_permissions
from resolvers.apikeys.errors import api_key_not_found, from_store, not_an_api_key_id, permissions_not_held
from resolvers.apikeys.inputs import ApiKeyCreateInput
from resolvers.apikeys.queries import key_store
from resolvers.apikeys.types import ApiKey, api_key_type
from resolvers.common.errors import UserError
from resolvers.common.permissions import requires


@strawberry.type(description="Result of `apiKeyCreate`.")
class ApiKeyCreatePayload:
    api_key: ApiKey | None = strawberry.field(description="The new key; null when errors occurred.")
    secret: str | None = strawberry.field(
        description="The key for `x-api-key`. Shown only here: it is stored hashed, never readable again."
    )
    errors: list[UserError] = strawberry.field(description="Why the key was not created.")


@strawberry.type(description="Result of `apiKeyRevoke`.")
class ApiKeyRevokePayload:
    api_key: ApiKey | None = strawberry.field(
        description="The revoked key; revoking twice keeps the first date."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was revoked.")


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(
        description="Create an API key of your tenant with some of your own permissions.",
        extensions=requires(CRM_ADMIN),
    )
    async def api_key_create(
        self,
        info: strawberry.Info,
        input: Annotated[ApiKeyCreateInput, strawberry.argument(description="The new key.")],
    ) -> ApiKeyCreatePayload | None:
        principal = info.context.principal
        # Unknown names are the store's to report; only known ones can be "not held".
        not_held = [
            name
            for name in sorted(set(input.permissions) - set(unknown_permissions(input.permissions)))
            if not principal.has(name)
        ]
        if not_held:
            return ApiKeyCreatePayload(api_key=None, secret=None, errors=[permissions_not_held(not_held)])
        try:
            issued = await key_store(info).create(
                principal.tenant, input.name, input.permissions, info.context.actor
            )
        except ApiKeyError as problem:
            return ApiKeyCreatePayload(api_key=None, secret=None, errors=[from_store(problem)])
        return ApiKeyCreatePayload(api_key=api_key_type(issued.key), secret=issued.secret, errors=[])

    @strawberry.mutation(
        description="Revoke an API key of your tenant; requests with it fail from then on.",
        extensions=requires(CRM_ADMIN),
    )
    async def api_key_revoke(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key's ID.")],
    ) -> ApiKeyRevokePayload | None:
        try:
            key_id = uuid.UUID(str(id))
        except ValueError:
            return ApiKeyRevokePayload(api_key=None, errors=[not_an_api_key_id()])
        revoked = await key_store(info).revoke(key_id, info.context.principal.tenant)
        if revoked is None:
            return ApiKeyRevokePayload(api_key=None, errors=[api_key_not_found()])
        return ApiKeyRevokePayload(api_key=api_key_type(revoked), errors=[])

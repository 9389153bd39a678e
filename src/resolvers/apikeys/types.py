"""The ``ApiKey`` type: what is known about a key, never its secret."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway import apikeys


@strawberry.type(description="A key for server-to-server callers, sent in the `x-api-key` header.")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="The key's ID (pass it to `apiKeyRevoke`).")
    name: str = strawberry.field(description="Name; requests with the key act as `apikey:<name>`.")
    prefix: str = strawberry.field(description="The public part of the key (`crmgw_<prefix>_...`).")
    permissions: list[str] = strawberry.field(description="Permissions the key grants.")
    created_by: str | None = strawberry.field(description="Who created the key.")
    date_created: dt.datetime = strawberry.field(description="When the key was created.")
    date_revoked: dt.datetime | None = strawberry.field(
        description="When the key was revoked; null if active."
    )
    last_used: dt.datetime | None = strawberry.field(
        description="When the key last authenticated a request (updated at most once a minute)."
    )

    @strawberry.field(description="Whether the key has been revoked (it then authenticates nothing).")
    def is_revoked(self) -> bool:
        return self.date_revoked is not None


def api_key_type(key: apikeys.ApiKey) -> ApiKey:
    return ApiKey(
        id=strawberry.ID(str(key.id)),
        name=key.name,
        prefix=key.prefix,
        permissions=list(key.permissions),
        created_by=key.created_by,
        date_created=key.date_created,
        date_revoked=key.date_revoked,
        last_used=key.last_used,
    )

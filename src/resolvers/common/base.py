"""``BaseRecord`` (seed 004): the audit fields every entity carries."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common.node import Node


@strawberry.interface(description="Audit fields every record carries (ConeCRM BaseRecord).")
class BaseRecord(Node):
    date_created: dt.datetime = strawberry.field(description="When the record was created.")
    created_by: str | None = strawberry.field(description="Who created the record (token subject).")
    date_modified: dt.datetime | None = strawberry.field(description="When the record was last changed.")
    modified_by: str | None = strawberry.field(description="Who last changed the record.")
    is_deleted: bool = strawberry.field(
        description="True once soft-deleted; deleted records can be restored."
    )
    date_deleted: dt.datetime | None = strawberry.field(description="When the record was soft-deleted.")
    deleted_by: str | None = strawberry.field(description="Who soft-deleted the record.")
    version: int = strawberry.field(
        description="Increases with every change; pass it as `expectedVersion` to avoid lost updates."
    )

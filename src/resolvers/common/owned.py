"""Records that belong to a contact or an account (occasions, contact relations): an account's need
CUST_ORGANIZATION_EDIT to change, besides the area's own permission."""

from __future__ import annotations

from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CUST_ORGANIZATION_EDIT, grants
from resolvers.common.permissions import forbidden, require


def require_account_edit(info: strawberry.Info, account_id: object) -> None:
    """FORBIDDEN when the record is an account's and the caller may not edit organizations."""
    if account_id is not None:
        require(info, CUST_ORGANIZATION_EDIT)


async def require_account_edit_in(
    writer: RecordWriter, entity: Entity, record_id: UUID, attribute: str
) -> None:
    """The same inside a delete or restore, whose hooks get the transaction rather than the request:
    the caller's rights come with the transaction's row access. Raising rolls the change back."""
    record = (await writer.get_many(entity, [record_id], include_deleted=True)).get(record_id)
    if record is None or getattr(record, attribute) is None:
        return
    access = writer.access  # type: ignore[attr-defined]
    if not access.admin and not grants(access.permissions, CUST_ORGANIZATION_EDIT):
        raise forbidden(CUST_ORGANIZATION_EDIT)

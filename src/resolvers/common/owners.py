"""Contacts and organizations as the owners of tags and comments (seed 000: ObjectType.CUSTOMER or
ObjectType.ORGANIZATION), named by their global IDs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CUST_ORGANIZATION_VIEW, CUST_READ
from resolvers.common.errors import UserError, UserErrorCode, error
from resolvers.common.ids import InvalidId, decode_global_id


@dataclass(frozen=True)
class Owner:
    entity: Entity
    id: UUID

    @property
    def owner_type(self) -> str:
        """How a comment row names its owner's kind: CONTACT or ACCOUNT."""
        return self.entity.name

    @property
    def permission(self) -> str:
        """What a caller needs to see this kind of owner."""
        return CUST_READ if self.entity is Entity.CONTACT else CUST_ORGANIZATION_VIEW


class OwnerProblem(Enum):
    MALFORMED = "not an ID"  # not a global ID at all: nothing can be found by it
    WRONG_TYPE = "not a contact or organization"  # seed 000's "Unknown Object Type"


_ENTITIES = {"Contact": Entity.CONTACT, "Account": Entity.ACCOUNT}


def decode_owner(global_id: str) -> Owner | OwnerProblem:
    try:
        type_name, record_id = decode_global_id(global_id)
    except InvalidId:
        return OwnerProblem.MALFORMED
    entity = _ENTITIES.get(type_name)
    return Owner(entity, record_id) if entity is not None else OwnerProblem.WRONG_TYPE


async def live_owners(writer: RecordWriter, owners: Sequence[Owner]) -> set[UUID]:
    """The owners that exist for the caller inside the transaction (live, row rules applied)."""
    found: set[UUID] = set()
    for entity in (Entity.CONTACT, Entity.ACCOUNT):
        ids = [owner.id for owner in owners if owner.entity is entity]
        if ids:
            found |= set(await writer.existing_ids(entity, ids))
    return found


@dataclass(frozen=True)
class OwnerErrors:
    """One area's seed codes and wording for an owner it cannot use (seed 000 CUST31xx, CUST41xx)."""

    action: str  # what the seed's messages say cannot be done, e.g. "assign or unassign tag(s)"
    not_found_code: str
    denied_code: str
    unknown_type_code: str

    def not_found(self, path: list[str]) -> UserError:
        message = f"Cannot find the object to {self.action}."
        return error(path, message, UserErrorCode.NOT_FOUND, self.not_found_code)

    def denied(self, path: list[str], why: str) -> UserError:
        message = f"Permission denied to object to {self.action}: {why}"
        return error(path, message, UserErrorCode.PERMISSION_DENIED, self.denied_code)

    def problems(
        self, info: strawberry.Info, owner: Owner | OwnerProblem, path: list[str]
    ) -> list[UserError]:
        """Why the caller cannot name this owner: no ID, another type, or a kind it may not see."""
        if owner is OwnerProblem.MALFORMED:
            return [self.not_found(path)]
        if owner is OwnerProblem.WRONG_TYPE:
            message = "Unknown Object Type: give the ID of a contact or an organization (Account)."
            return [error(path, message, UserErrorCode.INVALID, self.unknown_type_code)]
        assert isinstance(owner, Owner)
        if not info.context.principal.has(owner.permission):
            return [self.denied(path, f"this needs {owner.permission}.")]
        return []

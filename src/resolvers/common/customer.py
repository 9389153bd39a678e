"""``BaseCustomer`` (seed 004): what contacts and accounts share, including their detail lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from gateway.backends.records import Detail, Entity
from gateway.planner.plan import Column, in_sql
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.details import Address, Email, Phone, ThirdPartyId
from resolvers.common.links import link
from resolvers.common.permissions import reads
from resolvers.common.records import from_record
from resolvers.common.urls import PreferredChannel, Url

if TYPE_CHECKING:
    from resolvers.contacts.types import Contact
    from resolvers.users.types import Franchise

T = TypeVar("T")


def details_now(info: strawberry.Info, detail: Detail, owner_id: Any, cls: type[T]) -> Any:
    """An owner's detail list when this request loaded it already, else an awaitable."""
    found, records = info.context.loaders.details(detail).loaded(owner_id)
    if not found:
        return detail_objects(info, detail, owner_id, cls)
    return [from_record(cls, record) for record in records]


async def detail_objects(info: strawberry.Info, detail: Detail, owner_id: Any, cls: type[T]) -> list[T]:
    """An owner's detail list (e-mails, phones ...), batched with every other owner's in the response."""
    records = await info.context.loaders.details(detail).load(owner_id)
    return [from_record(cls, record) for record in records]


@strawberry.interface(description="Fields contacts and accounts share (ConeCRM BaseCustomer).")
class BaseCustomer(BaseRecord):
    language: str | None = strawberry.field(description="Preferred language, e.g. fr-CA.")
    is_active: bool = strawberry.field(description="False when inactive.")
    address: str | None = strawberry.field(description="Street address (ConeCRM flat form).")
    city: str | None = strawberry.field(description="City.")
    province: str | None = strawberry.field(description="Province or state.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country: str | None = strawberry.field(description="Country.")

    @strawberry.field(description="E-mail addresses, in the order entered.")
    @uses_columns("id")
    def emails(self, info: strawberry.Info) -> list[Email]:
        return details_now(info, Detail.EMAILS, self.record.id, Email)  # type: ignore[no-any-return]

    @strawberry.field(description="The primary e-mail address, else the first one.")
    @uses_columns("id")
    async def primary_email(self, info: strawberry.Info) -> str | None:
        emails = await detail_objects(info, Detail.EMAILS, self.record.id, Email)
        chosen = next((email for email in emails if email.is_primary), emails[0] if emails else None)
        return chosen.email if chosen else None

    @strawberry.field(description="Phone, mobile and fax numbers.")
    @uses_columns("id")
    def phones(self, info: strawberry.Info) -> list[Phone]:
        return details_now(info, Detail.PHONES, self.record.id, Phone)  # type: ignore[no-any-return]

    @strawberry.field(description="Postal addresses.")
    @uses_columns("id")
    def addresses(self, info: strawberry.Info) -> list[Address]:
        return details_now(info, Detail.ADDRESSES, self.record.id, Address)  # type: ignore[no-any-return]

    @strawberry.field(description="Identifiers of this record in other systems.")
    @uses_columns("id")
    def third_party_ids(self, info: strawberry.Info) -> list[ThirdPartyId]:
        return details_now(info, Detail.THIRD_PARTY_IDS, self.record.id, ThirdPartyId)  # type: ignore[no-any-return]

    # --- Seed 000 (issue 19): clientId, createdDateLong; ContactCommunication url, preferred, assistant
    @strawberry.field(description="The tenant it belongs to (seed 000 clientId: the platform account).")
    @in_sql(Column("tenant"))
    def client_id(self) -> str:
        return self.record.tenant  # type: ignore[no-any-return]

    @strawberry.field(
        description="Creation time in milliseconds since 1970-01-01 UTC (seed 000 createdDateLong); a Float, "
        "since GraphQL's Int has 32 bits."
    )
    @uses_columns("date_created")
    def created_date_long(self) -> float:
        return float(int(self.record.date_created.timestamp() * 1000))

    preferred_channel: PreferredChannel | None = strawberry.field(
        description="The channel it prefers to be reached by (seed 000 ContactCommunication preferred)."
    )

    @strawberry.field(description="Web addresses (seed 000 URL), in the order entered; one at most primary.")
    @uses_columns("id")
    def urls(self, info: strawberry.Info) -> list[Url]:
        return details_now(info, Detail.URLS, self.record.id, Url)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The contact serving as its point of contact, e.g. an assistant (seed 000 assistant).",
        extensions=reads(Entity.CONTACT),
    )
    @uses_columns("assistant_id")
    def assistant(
        self, info: strawberry.Info
    ) -> Annotated[Contact, strawberry.lazy("resolvers.contacts.types")] | None:
        return link(info, Entity.CONTACT, self.record.assistant_id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The franchise it belongs to (seed 004: lists filter by it).",
        extensions=reads(Entity.FRANCHISE),
    )
    @uses_columns("franchise_id")
    def franchise(
        self, info: strawberry.Info
    ) -> Annotated[Franchise, strawberry.lazy("resolvers.users.types")] | None:
        return link(info, Entity.FRANCHISE, self.record.franchise_id)  # type: ignore[no-any-return]

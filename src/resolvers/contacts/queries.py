"""Contact queries: by ID, the list with search, and ConeCRM's lookup by phone number."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.lists import searchable_root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads
from resolvers.common.validation import search_phone
from resolvers.contacts.errors import InvalidPhoneArgument
from resolvers.contacts.types import Contact
from resolvers.lists import CONTACT_LIST


@strawberry.type
class ContactQuery:
    @strawberry.field(
        description="A contact by ID; null if it does not exist in your tenant.",
        extensions=reads(Entity.CONTACT),
    )
    async def contact(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
    ) -> Contact | None:
        return await node_by_id(info, id, Entity.CONTACT, "Contact")  # type: ignore[no-any-return]

    contacts = searchable_root_list(CONTACT_LIST, "Contacts, filtered, sorted and paged.")

    @strawberry.field(
        description="Contacts with this phone number (ConeCRM GET /api/contact/phone/{phone}).",
        extensions=reads(Entity.CONTACT),
    )
    async def contact_by_phone(
        self,
        info: strawberry.Info,
        phone: Annotated[
            str, strawberry.argument(description="The number in any common format; read as US if national.")
        ],
    ) -> list[Contact] | None:
        number = search_phone(phone[:64])
        if number is None:
            raise InvalidPhoneArgument(
                f"Unable to parse phone number using country code and value: {phone[:64]!r} is not a valid "
                'number. Write it with its country prefix (e.g. "+44 20 7946 0958"); a number without one '
                "is read as a US number.",
                seedCode="CUST5115",
            )
        records = await info.context.loaders.backend.contacts_by_phone(number)
        return [node_from_record(Entity.CONTACT, record) for record in records]

"""What ``search`` answers: hits (the row, its rank, a highlighted snippet) in a cursor connection."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.accounts.types import Account
from resolvers.common.connection import Edge, PageInfo
from resolvers.contacts.types import Contact
from resolvers.leads.types import Lead


@strawberry.enum(description="A kind of row that `search` looks through.")
class SearchType(Enum):
    CONTACT = strawberry.enum_value("CONTACT", description="Contacts (needs CUST_READ).")
    ACCOUNT = strawberry.enum_value("ACCOUNT", description="Accounts (needs CUST_ORGANIZATION_VIEW).")
    LEAD = strawberry.enum_value("LEAD", description="Leads (needs CRM_LEAD_VIEW).")

    @property
    def entity(self) -> Entity:
        return Entity[self.name]


SearchResult = Annotated[
    Contact | Account | Lead, strawberry.union("SearchResult", description="A row that `search` found.")
]


@strawberry.type(description="One row that `search` found, with how well and where it matched.")
class SearchHit:
    node: SearchResult = strawberry.field(description="The row found.")
    type: SearchType = strawberry.field(description="What kind of row it is.")
    rank: float = strawberry.field(
        description="The full-text score: higher is better; comparable within one search only."
    )
    exact_name_match: bool = strawberry.field(
        description="True when the text is the row's full name; such hits come first."
    )
    highlight: str = strawberry.field(
        description="A snippet of the row's names, e-mail addresses and phone digits with each matched "
        "word between `<mark>` and `</mark>` (the rest is the stored text, not HTML-escaped)."
    )


@strawberry.type(description="A page of search hits, best first, with keyset cursors.")
class SearchHitConnection:
    edges: list[Edge[SearchHit]] = strawberry.field(description="The hits of this page, best first.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more hits follow.")

    @strawberry.field(description="The hits of this page without their cursors.")
    def nodes(self) -> list[SearchHit]:
        return [edge.node for edge in self.edges]

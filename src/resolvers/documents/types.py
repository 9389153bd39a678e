"""The ``Document`` type (seed 000 DocumentSummary) and its connection."""

from __future__ import annotations

import strawberry

from gateway.backends.records import Entity
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.ids import encode_global_id
from resolvers.common.node import register_node

DOWNLOAD_PREFIX = "/documents/"


@strawberry.type(description="A file attached to a contact or an account (Thinx DocumentSummary).")
class Document(BaseRecord):
    name: str = strawberry.field(description="The file name, as uploaded.")
    extension: str | None = strawberry.field(description="The file name's extension, e.g. pdf.")
    content_type: str = strawberry.field(description="The media type, e.g. application/pdf.")
    size: int = strawberry.field(description="Size in bytes.")
    description: str | None = strawberry.field(description="What the document is.")

    @strawberry.field(description="The contact's or account's ID the document is attached to.")
    @uses_columns("owner_id", "owner_type")
    def owner_id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(self.record.owner_type, self.record.owner_id))

    @strawberry.field(
        description="Where `GET` streams the file (seed 000 `path`): relative to the gateway, with the "
        "same credentials as /graphql; checked on every request, never a public link."
    )
    def download_path(self) -> str:
        return DOWNLOAD_PREFIX + encode_global_id("Document", self.record.id)


@strawberry.type(name="DocumentConnection", description="A page of documents.")
class DocumentConnection(Connection[Document]):
    pass


register_node(Document, Entity.DOCUMENT)

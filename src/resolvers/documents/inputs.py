"""Filter, order and mutation inputs of documents."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from resolvers.common.fields import optional_field as _f
from resolvers.common.filters import DateTimeFilter, IDFilter, IntFilter, StringFilter
from resolvers.common.ordering import OrderDirection


@strawberry.enum(description="Fields documents can be sorted by.")
class DocumentOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Upload time.")
    NAME = strawberry.enum_value("name", description="File name.")
    SIZE = strawberry.enum_value("size", description="Size in bytes.")


@strawberry.input(description="Which documents to return; all given conditions must hold.")
class DocumentFilter:
    and_: list[DocumentFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[DocumentFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: DocumentFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The document's ID.")
    name: StringFilter | None = _f("File name.")
    content_type: StringFilter | None = _f("Media type, e.g. application/pdf.")
    size: IntFilter | None = _f("Size in bytes.")
    date_created: DateTimeFilter | None = _f("Upload time.")


@strawberry.input(description="A sort key for documents.")
class DocumentOrder:
    field: DocumentOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="What a new document is attached to; the file travels as `file`.")
class DocumentUploadInput:
    owner_id: strawberry.ID = strawberry.field(
        description="The contact or account (organization) it belongs to."
    )
    description: str | None = strawberry.field(default=None, description="What the document is.")


@strawberry.input(description="Changes to a document's details (its file stays as uploaded).")
class DocumentUpdateInput:
    description: str | None = strawberry.field(default=UNSET, description="What the document is.")


DOCUMENT_COLUMNS = ("description",)

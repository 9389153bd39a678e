"""Which fields a query selects on each GraphQL type, for upstreams that can fetch only those
(CRM.COM's ``fields_set``). Connectors receive it through ``use_selection`` on their per-request API.

Only single query operations give hints: a mutation validates against whole records, a subscription
loads records for events it cannot foresee, and the operations of a batch share their loaders (a
record fetched narrowly for one must not serve another), so those fetch whole records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    visit,
)
from strawberry.extensions import SchemaExtension

from gateway.internals import graphql_schema

Selection = dict[str, frozenset[str]]  # GraphQL type name -> the field names selected on it


def selected_fields(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> Selection | None:
    """The fields selected on each type anywhere in the document; None unless it runs a query."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    type_info = TypeInfo(schema)
    found: dict[str, set[str]] = defaultdict(set)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                found[parent.name].add(node.name.value)

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return {name: frozenset(fields) for name, fields in found.items()}


class SelectionHints(SchemaExtension):
    """Hands the operation's selection to the request's upstream APIs that can narrow their fetches."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        apis = getattr(context, "upstream_apis", None)
        document = self.execution_context.graphql_document
        if apis and document is not None and getattr(context, "selection_hints", False):
            schema = graphql_schema(self.execution_context.schema)
            selection = selected_fields(schema, document, self.execution_context.operation_name)
            for api in apis.values():
                if (use := getattr(api, "use_selection", None)) is not None:
                    use(selection)
        yield

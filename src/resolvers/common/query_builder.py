"""The query builder as a client filter: the ``QueryBuilderQuery`` input that every root list takes next
to ``filter`` (seed 004's QueryBuilderQuery: nested rule groups, ``not``, ``and`` / ``or``, 18 operators).

The query is checked and turned into the list's backend-neutral filter here
(``gateway.backends.query_builder``), with the entity's custom fields, so it runs wherever the list's
``filter`` runs: compiled to SQL on the gateway's own database, into ConeCRM's rules when routed.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway.backends.query import FilterExpr
from gateway.backends.query_builder import compile_query
from gateway.backends.records import Entity
from resolvers.common.custom_fields import ENTITY_NAMES, definitions
from resolvers.common.fields import optional_field as _f
from resolvers.common.ids import decode_global_id
from resolvers.common.listspec import require_filter_permissions

# The filter catalogue's (and saved filters' module) name of each entity with a root list.
CATALOG_NAMES = {
    **ENTITY_NAMES,
    Entity.EVENT: "event",
    Entity.STAGE: "stage",
    Entity.USER: "user",
    Entity.FRANCHISE: "franchise",
    Entity.DEPARTMENT: "department",
    Entity.ROLE: "role",
    Entity.SECURITY_GROUP: "securityGroup",
    Entity.USER_SETTINGS: "userSettings",
    Entity.TAG: "tag",
    Entity.COMMUNICATION: "communication",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communicationQueueEntry",
    Entity.COMMUNICATION_CATEGORY: "communicationCategory",
    Entity.COMMUNICATION_TEMPLATE: "communicationTemplate",
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM: "communicationQueueExternalSystem",
}
ENTITIES_BY_NAME = {name: entity for entity, name in CATALOG_NAMES.items()}


@strawberry.enum(description="How the rules of a group combine (seed 004 combinator).")
class QueryBuilderCombinator(Enum):
    AND = strawberry.enum_value("and", description="Every rule holds.")
    OR = strawberry.enum_value("or", description="At least one rule holds.")


@strawberry.input(description="A rule of a query (seed 004 QueryBuilderRule).")
class QueryBuilderRuleInput:
    field: str = strawberry.field(
        description='A field of `queryBuilderConfig(entity)`, e.g. "lastName" or "customFields.shoeSize".'
    )
    operator: str = strawberry.field(
        description="One of seed 004's 18 operators the field accepts: =, !=, >, >=, <, <=, contains, "
        "doesNotContain, beginsWith, doesNotBeginWith, endsWith, doesNotEndWith, null, notNull, in, "
        "notIn, between, notBetween."
    )
    value: JSON | None = _f(
        "The value: text as the seed sends it, or a JSON number, boolean or list; `in` takes a list or "
        '"a,b", `between` two values or "low,high"; IDs are global IDs; none for null / notNull.'
    )
    id: str | None = _f("The client's id of the rule (kept by the client, ignored here).")
    value_source: str | None = _f('Seed 004 valueSource; only "value" is supported.')


@strawberry.input(
    name="QueryBuilderQuery",
    description="A query of seed 004's query builder: a group of rules and nested groups.",
)
class QueryBuilderQuery:
    combinator: QueryBuilderCombinator = strawberry.field(
        default=QueryBuilderCombinator.AND, description="How the rules and groups combine."
    )
    not_: bool = strawberry.field(default=False, name="not", description="True negates the whole group.")
    rules: list[QueryBuilderRuleInput] | None = _f("The group's rules.")
    groups: list[QueryBuilderQuery] | None = _f("Nested rule groups (seed 004 QueryBuilderRuleGroup).")
    id: str | None = _f("The client's id of the group (ignored here).")


QueryArgument = Annotated[
    QueryBuilderQuery | None,
    strawberry.argument(
        description="Only rows matching this query-builder query (seed 004), besides `filter`; its "
        "fields and operators are those of `queryBuilderConfig(entity)`."
    ),
]


def as_document(query: QueryBuilderQuery) -> dict[str, Any]:
    """The input as seed 004's JSON (the form saved filters keep)."""
    rules: list[Any] = [
        {"field": rule.field, "operator": rule.operator, "value": rule.value} for rule in query.rules or []
    ]
    rules += [as_document(group) for group in query.groups or []]
    return {"combinator": query.combinator.value, "not": query.not_, "rules": rules}


async def builder_filter(info: strawberry.Info, entity: Entity, document: Any) -> FilterExpr:
    """The filter a query-builder query (seed 004 JSON) means on ``entity``'s list."""
    custom: dict[str, tuple[str, Any]] = {}
    if entity in ENTITY_NAMES:
        for field in await definitions(info, entity):
            custom[str(field.field_name)] = (str(field.field_type), field.options)
    compiled = compile_query(CATALOG_NAMES[entity], document, custom, _decode_id)
    require_filter_permissions(info, compiled)
    return compiled


def _decode_id(value: str) -> Any:
    return decode_global_id(value)[1]

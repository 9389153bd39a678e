"""The filter catalogue the SQL backend describes (filter metadata, query-builder config) is the graph's:
the same fields as the filter inputs, with the operators their operator inputs accept."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType

from gateway.backends.filter_catalog import FIELDS, OPERATORS, OPERATORS_BY_KIND
from resolvers.schema import schema

FILTER_INPUTS = {
    "contact": "ContactFilter",
    "account": "AccountFilter",
    "lead": "LeadFilter",
    "event": "EventFilter",
    "stage": "StageFilter",
    "communication": "CommunicationFilter",
    "user": "UserFilter",
    "franchise": "FranchiseFilter",
    "department": "DepartmentFilter",
    "role": "RoleFilter",
    "securityGroup": "SecurityGroupFilter",
    "userSettings": "UserSettingsFilter",
    "tag": "TagFilter",
    "communicationQueueEntry": "CommunicationQueueEntryFilter",
    "communicationCategory": "CommunicationSettingFilter",
    "communicationTemplate": "CommunicationSettingFilter",
    "communicationQueueExternalSystem": "CommunicationSettingFilter",
}
# Operator input fields -> query-builder operators (isNull: true is "null", false "notNull").
QUERY_BUILDER = {"eq": ("=",), "ne": ("!=",), "gt": (">",), "gte": (">=",), "lt": ("<",), "lte": ("<=",)}
QUERY_BUILDER["isNull"] = ("null", "notNull")


def _operators(operator_input: GraphQLInputObjectType) -> set[str]:
    return {op for name in operator_input.fields for op in QUERY_BUILDER.get(name, (name,))}


def _described(entity: str) -> dict[str, tuple[set[str], Any]]:
    found = {}
    graph_input = schema._schema.get_type(FILTER_INPUTS[entity])
    assert isinstance(graph_input, GraphQLInputObjectType)
    for name, field in graph_input.fields.items():
        if name in ("and", "or", "not", "customFields"):
            continue  # the custom fields join the catalogue one by one (``customFields.<name>``)
        operator_input = field.type
        assert isinstance(operator_input, GraphQLInputObjectType)
        eq = operator_input.fields["eq"].type
        values = tuple(eq.values) if isinstance(eq, GraphQLEnumType) else None
        found[name] = (_operators(operator_input), values)
    return found


@pytest.mark.parametrize("entity", list(FILTER_INPUTS))
def test_the_catalogue_lists_the_graphs_filter_fields_and_operators(entity: str) -> None:
    catalogued = {
        name: (set(OPERATORS_BY_KIND[kind]), values) for name, (kind, values) in FIELDS[entity].items()
    }
    assert catalogued == _described(entity)


def test_every_catalogued_operator_is_one_of_the_query_builders() -> None:
    assert set(FIELDS) == set(FILTER_INPUTS) and len(OPERATORS) == 18
    assert {op for ops in OPERATORS_BY_KIND.values() for op in ops} <= set(OPERATORS)

"""The committed ``schema.graphql`` is what the code exports, and every part of the schema is described."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from gateway.permissions import CATALOG
from resolvers.schema import schema

SCHEMA_FILE = Path(__file__).parents[1] / "schema.graphql"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_committed_schema_matches_the_code() -> None:
    # `crm-gateway export-schema` prints ``schema.as_str()`` followed by a newline.
    assert SCHEMA_FILE.read_text() == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `crm-gateway export-schema > schema.graphql`"
    )


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument and enum value of the schema that has no description."""
    missing: list[str] = []

    def check(description: str | None, where: str) -> None:
        if not (description or "").strip():
            missing.append(where)

    for name, named_type in sorted(graphql_schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        check(named_type.description, f"type {name}")
        if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named_type.fields.items():
                check(field.description, f"field {name}.{field_name}")
                for arg_name, arg in field.args.items():
                    check(arg.description, f"argument {name}.{field_name}({arg_name})")
        elif isinstance(named_type, GraphQLInputObjectType):
            for field_name, input_field in named_type.fields.items():
                check(input_field.description, f"input field {name}.{field_name}")
        elif isinstance(named_type, GraphQLEnumType):
            for value_name, value in named_type.values.items():
                check(value.description, f"enum value {name}.{value_name}")
    return missing


def test_everything_is_described() -> None:
    missing = undescribed(schema._schema)
    assert not missing, f"{len(missing)} parts of the schema have no description:\n" + "\n".join(missing)


def test_the_permissions_page_lists_the_whole_catalog() -> None:
    page = (Path(__file__).parent.parent / "docs" / "permissions.md").read_text()
    missing = [p.name for p in CATALOG if f"| `{p.name}` |" not in page]
    assert not missing, f"docs/permissions.md's table lacks {missing}"

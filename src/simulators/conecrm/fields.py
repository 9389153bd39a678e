"""What the simulator's query builder can filter each entity on, for ``/api/filters`` and
``/api/query-builder/config/{entity}`` (seed 004).

The fields are the ones ``shapes.to_json`` really produces for the entity (its columns under their seed
names, other columns under ``customFields.*``, the customer fields and references added by the store),
plus ``customFields.<fieldName>`` for the tenant's custom field definitions. The operators of a field
are the ones ``querybuilder`` evaluates meaningfully for its type.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from simulators.conecrm.querybuilder import OPERATORS
from simulators.conecrm.shapes import SHAPES, camel, seed_name

ENTITIES = tuple(SHAPES)
CUSTOMER_FIELDS = {
    **{name: "string" for name in ("primaryEmail", "secondaryEmail", "homePhone", "workPhone")},
    **{name: "string" for name in ("workPhoneExtension", "mobilePhone")},
    "thirdPartyIds.systemName": "string",
    "thirdPartyIds.thirdPartyId": "string",
}
LINKS = {"contact": {"accounts.id": "string"}, "account": {"contacts.id": "string"}}
PRESENCE = ("null", "notNull")
BY_TYPE = {
    "string": (
        "=",
        "!=",
        "contains",
        "doesNotContain",
        "beginsWith",
        "doesNotBeginWith",
        "endsWith",
        "doesNotEndWith",
        "in",
        "notIn",
        *PRESENCE,
    ),
    "number": ("=", "!=", ">", ">=", "<", "<=", "between", "notBetween", "in", "notIn", *PRESENCE),
    "boolean": ("=", "!=", *PRESENCE),
    "enum": ("=", "!=", "in", "notIn", *PRESENCE),
}
BY_TYPE["date"] = BY_TYPE["datetime"] = BY_TYPE["number"]
assert all(operator in OPERATORS for operators in BY_TYPE.values() for operator in operators)


def _type_of(column: sa.Column[Any]) -> str:
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return "string"
    if python_type is bool:
        return "boolean"
    if python_type is datetime:
        return "datetime"
    if python_type is date:
        return "date"
    if python_type in (int, float, Decimal):
        return "number"
    return "string" if python_type in (str, UUID) else "enum"


def entity_fields(entity: str, custom: dict[str, str]) -> dict[str, str]:
    """Field path -> filter type, in a stable order; ``custom`` is fieldName -> fieldType."""
    shape = SHAPES[entity]
    found: dict[str, str] = {"tenant.id": "string", "dtype": "string"}
    for column in shape.table.c:
        if column.name in ("tenant", "version"):
            continue
        if column.name not in shape.seed_columns:
            found[f"customFields.{camel(column.name)}"] = _type_of(column)
        elif column.name.endswith("_id") or column.name in ("created_by", "modified_by", "deleted_by"):
            found[f"{seed_name(shape, column.name)}.id"] = "string"
        else:
            found[seed_name(shape, column.name)] = _type_of(column)
    if entity in LINKS:
        found.update(CUSTOMER_FIELDS | LINKS[entity])
    found.update({f"customFields.{name}": kind for name, kind in custom.items()})
    return found


def label(path: str) -> str:
    """``customFields.shoeSize`` -> ``Shoe size``: what a filter form shows."""
    last = path.removesuffix(".id").split(".")[-1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in last).strip()
    return words[:1].upper() + words[1:]


def filters(entity: str, custom: dict[str, str]) -> list[dict[str, Any]]:
    """Seed 004 Filter: {field, type, label, operators, options}."""
    return [
        {
            "field": path,
            "type": kind,
            "label": label(path),
            "operators": list(BY_TYPE.get(kind, BY_TYPE["string"])),
            "options": None,
        }
        for path, kind in entity_fields(entity, custom).items()
    ]


def config(entity: str, custom: dict[str, str]) -> dict[str, Any]:
    """``{fields: [object], operators: [string]}``: fields as react-querybuilder's {name, label, type}."""
    fields = [
        {"name": path, "label": label(path), "type": kind}
        for path, kind in entity_fields(entity, custom).items()
    ]
    return {"fields": fields, "operators": list(OPERATORS)}

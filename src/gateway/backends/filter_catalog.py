"""What each entity of the graph can be filtered on, for filter metadata and the query-builder config.

The fields are the graph's own filter inputs (``ContactFilter`` ...: ``tests/test_filter_catalog.py``
checks that this catalogue equals them), under seed 004's entity names, with the query-builder
operators (seed 004's 18) that each field's operator input accepts. Custom fields of an entity join
as ``customFields.<fieldName>`` with their definition's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.backends.customization import (
    EntityFilters,
    FilterField,
    QueryBuilderConfig,
    QueryBuilderField,
)

# Seed 004's query-builder operators, in the order ConeCRM lists them.
OPERATORS = (
    "=", "!=", ">", ">=", "<", "<=", "contains", "doesNotContain", "beginsWith", "doesNotBeginWith",
    "endsWith", "doesNotEndWith", "null", "notNull", "in", "notIn", "between", "notBetween",
)  # fmt: skip
_TEXT = ("contains", "doesNotContain", "beginsWith", "doesNotBeginWith", "endsWith", "doesNotEndWith")
_ORDER = (">", ">=", "<", "<=")
_PRESENCE = ("null", "notNull")
_SETS = ("in", "notIn")
_RANGES = ("between", "notBetween")
# The operators of each kind of operator input (``StringFilter``, ``IntFilter`` ...).
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    "string": ("=", "!=", *_TEXT, *_ORDER, *_PRESENCE, *_SETS, *_RANGES),
    "number": ("=", "!=", *_ORDER, *_PRESENCE, *_SETS, *_RANGES),
    "datetime": ("=", "!=", *_ORDER, *_PRESENCE, *_RANGES),
    "date": ("=", "!=", *_ORDER, *_PRESENCE, *_RANGES),
    "boolean": ("=", *_PRESENCE),
    "id": ("=", "!=", *_PRESENCE, *_SETS),
    "enum": ("=", "!=", *_PRESENCE, *_SETS),
}
# A field's value type as the Filter schema of seed 004 names them: an id reference is a string.
VALUE_TYPES = {"id": "string"}

# entity -> field -> (kind of operator input, enum values)
FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "contact": {
        "id": ("id", None),
        "franchiseId": ("id", None),
        "kind": ("enum", ("PERSON", "COMPANY")),
        "firstName": ("string", None),
        "lastName": ("string", None),
        "companyName": ("string", None),
        "email": ("string", None),
        "phone": ("string", None),
        "city": ("string", None),
        "country": ("string", None),
        "language": ("string", None),
        "isActive": ("boolean", None),
        "optOut": ("boolean", None),
        "dateCreated": ("datetime", None),
        "dateModified": ("datetime", None),
        "tags": ("id", None),
        "idNumber": ("string", None),
        "passportNumber": ("string", None),
        "socialSecurityNumber": ("string", None),
        "vatRegistrationNumber": ("string", None),
        "lifeCycleState": ("enum", ("MARKETING", "FINANCIAL")),
    },
    "account": {
        "id": ("id", None),
        "franchiseId": ("id", None),
        "name": ("string", None),
        "alias": ("string", None),
        "email": ("string", None),
        "phone": ("string", None),
        "city": ("string", None),
        "country": ("string", None),
        "primaryContactId": ("id", None),
        "isActive": ("boolean", None),
        "dateCreated": ("datetime", None),
        "dateModified": ("datetime", None),
        "tags": ("id", None),
    },
    "lead": {
        "id": ("id", None),
        "franchiseId": ("id", None),
        "subject": ("string", None),
        "status": ("enum", ("OPEN", "WON", "LOST", "CLOSED")),
        "direction": ("enum", ("INBOUND", "OUTBOUND")),
        "source": ("string", None),
        "category": ("string", None),
        "contactId": ("id", None),
        "accountId": ("id", None),
        "stageId": ("id", None),
        "priority": ("number", None),
        "isQualified": ("boolean", None),
        "dueDate": ("datetime", None),
        "dateCreated": ("datetime", None),
        # lead workflow: vehicle and UTM members (seed 004 LeadCreateRequest)
        **{name: ("string", None) for name in ("makeStr", "modelStr", "yearStr", "trimStr")},
        **{name: ("string", None) for name in ("utmCampaign", "utmSource")},
    },
    "event": {
        "id": ("id", None),
        "kind": ("enum", ("TASK", "APPOINTMENT", "FOLLOW_UP")),
        "type": ("string", None),
        "title": ("string", None),
        "taskDone": ("boolean", None),
        "assigneeId": ("id", None),
        "contactId": ("id", None),
        "accountId": ("id", None),
        "leadId": ("id", None),
        "start": ("datetime", None),
        "end": ("datetime", None),
        "dateCreated": ("datetime", None),
    },
    "stage": {
        "id": ("id", None),
        "name": ("string", None),
        "position": ("number", None),
    },
    "communication": {
        "id": ("id", None),
        "number": ("string", None),
        "contactId": ("id", None),
        "categoryId": ("id", None),
        "templateId": ("id", None),
        "externalSystemId": ("id", None),
        "direction": ("enum", ("INCOMING", "OUTGOING")),
        "media": ("enum", ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")),
        "lifeCycleState": ("enum", ("DRAFT", "COMPLETED")),
        "subject": ("string", None),
        "viewed": ("boolean", None),
        "dateCreated": ("datetime", None),
    },
    "user": {
        "id": ("id", None),
        "username": ("string", None),
        "lastname": ("string", None),
        "isActive": ("boolean", None),
    },
    # Seed 004 organization (issue 22).
    "franchise": {
        "id": ("id", None),
        "name": ("string", None),
        "code": ("string", None),
        "isActive": ("boolean", None),
    },
    "department": {"id": ("id", None), "name": ("string", None), "franchiseId": ("id", None)},
    "role": {"id": ("id", None), "name": ("string", None)},
    "securityGroup": {"id": ("id", None), "name": ("string", None), "isActive": ("boolean", None)},
    "userSettings": {"id": ("id", None), "userId": ("id", None), "language": ("string", None)},
    # Seed 000 tags: the `tags` catalogue list.
    "tag": {"id": ("id", None), "value": ("string", None), "dateCreated": ("datetime", None)},
    # The graph's other root lists (seed 001's queue and communication settings), so that the query
    # builder filters every root list.
    "communicationQueueEntry": {
        "id": ("id", None),
        "externalSystemId": ("id", None),
        "communicationId": ("id", None),
        "contactId": ("id", None),
        "media": ("enum", ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")),
        "lifeCycleState": ("enum", ("PENDING", "REJECTED", "COMPLETED", "COMPLETED_AND_REMOVED")),
        "dateCreated": ("datetime", None),
    },
    **{
        entity: {"id": ("id", None), "name": ("string", None), "dateCreated": ("datetime", None)}
        for entity in ("communicationCategory", "communicationTemplate", "communicationQueueExternalSystem")
    },
}
ENTITIES = tuple(FIELDS)


def label(path: str) -> str:
    """``customFields.shoeSize`` -> ``Shoe size``: what a filter form shows."""
    last = path.removesuffix("Id").split(".")[-1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in last).strip()
    return words[:1].upper() + words[1:]


def catalogued_fields(entity: str, custom: Mapping[str, tuple[str, Any]]) -> dict[str, tuple[str, Any]]:
    """Field path -> (kind, options); ``custom`` is the entity's custom fields, fieldName -> (fieldType,
    options): an enum's options list its values, as the catalogue's own enums do."""
    found: dict[str, tuple[str, Any]] = {
        path: (kind, None if values is None else {"values": list(values)})
        for path, (kind, values) in FIELDS[entity].items()
    }
    for name, (kind, options) in custom.items():
        values = options.get("values") if kind == "enum" and isinstance(options, dict) else None
        known = kind if kind in OPERATORS_BY_KIND else "string"
        found[f"customFields.{name}"] = (known, None if values is None else {"values": list(values)})
    return found


def entity_filters(entity: str, custom: Mapping[str, tuple[str, Any]]) -> EntityFilters:
    filters = tuple(
        FilterField(path, VALUE_TYPES.get(kind, kind), label(path), OPERATORS_BY_KIND[kind], options)
        for path, (kind, options) in catalogued_fields(entity, custom).items()
    )
    return EntityFilters(entity, filters)


def query_builder_config(entity: str, custom: Mapping[str, tuple[str, Any]]) -> QueryBuilderConfig:
    fields = tuple(
        QueryBuilderField(path, label(path), VALUE_TYPES.get(kind, kind))
        for path, (kind, _) in catalogued_fields(entity, custom).items()
    )
    return QueryBuilderConfig(entity, fields, OPERATORS)

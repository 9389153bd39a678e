"""Request bodies of ConeCRM's writes (seed 004), built from the gateway's column values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.backends.records import Entity
from gateway.backends.rest.conecrm.mapping import FIELD_PATHS
from gateway.backends.rest.conecrm.rules import json_value

PATHS: dict[tuple[Entity, str], str] = {
    (Entity.ACCOUNT, "POST"): "/api/account",
    (Entity.ACCOUNT, "PATCH"): "/api/account/{id}",
    (Entity.ACCOUNT, "DELETE"): "/api/account/{id}",
    (Entity.LEAD, "POST"): "/api/lead",
    (Entity.EVENT, "POST"): "/api/task",
    (Entity.EVENT, "PATCH"): "/api/task/{id}",
    (Entity.EVENT, "DELETE"): "/api/task/{id}",
    (Entity.STAGE, "POST"): "/api/stage",
    (Entity.STAGE, "PATCH"): "/api/stage/{id}",
    (Entity.STAGE, "DELETE"): "/api/stage/{id}",
}
# Written by ConeCRM itself, never sent.
SERVER_FIELDS = {
    "id",
    "tenant",
    "date_created",
    "created_by",
    "date_modified",
    "modified_by",
    "is_deleted",
    "date_deleted",
    "deleted_by",
    "version",
    "kind",
}


def body_for(entity: Entity, values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in values.items():
        path = FIELD_PATHS[entity].get(name)
        if path is None or name in SERVER_FIELDS:
            continue
        head, _, rest = path.partition(".")
        plain = json_value(value)
        if entity is Entity.EVENT and rest == "id":
            body[head] = plain  # TaskRequest: references are plain UUID strings
        elif rest == "id":
            body[head] = None if plain is None else {"id": plain}
        elif head == "customFields":
            body.setdefault("customFields", {})[rest] = plain
        else:
            body[head] = plain
    return body

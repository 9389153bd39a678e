"""Custom fields, custom labels, filter metadata and query-builder config (seed 004), per tenant in memory.

Seed 004's CustomField schema has no ``id``, yet PATCH/DELETE address ``/api/custom-field/{customField}``:
the simulator answers each custom field with an ``id`` as well, and that is what the path takes. Seed
status codes are kept: custom fields answer 400 only (an unknown one too), custom labels 400/404.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.conecrm import fields
from simulators.conecrm.ids import uuid7
from simulators.conecrm.profiles import Profile
from simulators.conecrm.records import base_record, now
from simulators.conecrm.tenants import TenantData, Tenants

FIELD_TYPES = ("string", "number", "boolean", "date", "datetime", "enum")


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def data(request: Request, tenant: str) -> TenantData:
    tenants: Tenants = request.app.state.tenants
    return tenants.of(tenant)


async def body_object(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _profile(request: Request) -> Profile:
    return request.app.state.profile  # type: ignore[no-any-return]


def _entities(request: Request) -> tuple[str, ...]:
    return fields.entities(_profile(request))


def actor(request: Request) -> str:
    return str(request.state.subject)


# -- custom fields ------------------------------------------------------------------------------------


def _custom_field_problem(body: dict[str, Any], partial: bool, entities: tuple[str, ...]) -> str | None:
    for name in ("entity", "fieldName", "fieldType", "options"):
        value = body.get(name)
        if value is None and (partial or name == "options"):
            continue
        if not isinstance(value, str) or not value.strip():
            return f"{name} is required"
    if body.get("entity") is not None and body["entity"] not in entities:
        return "Unknown entity"
    if body.get("fieldType") is not None and body["fieldType"] not in FIELD_TYPES:
        return f"fieldType must be one of {', '.join(FIELD_TYPES)}"
    if body.get("options") is not None:
        try:
            if not isinstance(json.loads(body["options"]), dict):
                return "options must be a json encoded object"
        except ValueError:
            return "options must be a json encoded object"
    return None


def _taken(data: TenantData, entity: str, name: str, other_than: str | None = None) -> bool:
    return any(
        f["entity"] == entity and f["fieldName"] == name and f["id"] != other_than
        for f in data.custom_fields.values()
    )


async def custom_field_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/custom-field -> [CustomField].
    return JSONResponse(list(data(request, tenant).custom_fields.values()))


async def custom_field_for_entity(request: Request, tenant: str) -> Response:
    # Seed: GET /api/custom-field/{entity} -> 200, 400.
    entity = request.path_params["entity"]
    if entity not in _entities(request):
        return error(400, "Unknown entity")
    found = [f for f in data(request, tenant).custom_fields.values() if f["entity"] == entity]
    return JSONResponse(found)


async def custom_field_create(request: Request, tenant: str) -> Response:
    # Seed: POST /api/custom-field, body CustomField -> 200 CustomField, 400.
    body = await body_object(request)
    problem = (
        "Invalid body"
        if body is None
        else _custom_field_problem(body, partial=False, entities=_entities(request))
    )
    if body is None or problem:
        return error(400, problem or "Invalid body")
    tenant_data = data(request, tenant)
    if _taken(tenant_data, body["entity"], body["fieldName"]):
        return error(400, "A custom field with this name already exists for the entity")
    created = {"id": str(uuid7()), "options": None} | {
        k: body.get(k) for k in ("entity", "fieldName", "fieldType", "options") if k in body
    }
    tenant_data.custom_fields[created["id"]] = created
    return JSONResponse(created)


async def custom_field_update(request: Request, tenant: str) -> Response:
    # Seed: PATCH /api/custom-field/{customField} -> 200 CustomField, 400.
    tenant_data = data(request, tenant)
    current = tenant_data.custom_fields.get(request.path_params["customField"])
    if current is None:
        return error(400, "Custom field not found")
    body = await body_object(request)
    problem = (
        "Invalid body"
        if body is None
        else _custom_field_problem(body, partial=True, entities=_entities(request))
    )
    if body is None or problem:
        return error(400, problem or "Invalid body")
    changed = current | {k: body[k] for k in ("entity", "fieldName", "fieldType", "options") if k in body}
    if _taken(tenant_data, changed["entity"], changed["fieldName"], other_than=current["id"]):
        return error(400, "A custom field with this name already exists for the entity")
    tenant_data.custom_fields[current["id"]] = changed
    return JSONResponse(changed)


async def custom_field_delete(request: Request, tenant: str) -> Response:
    # Seed: DELETE /api/custom-field/{customField} -> 200, 400.
    if data(request, tenant).custom_fields.pop(request.path_params["customField"], None) is None:
        return error(400, "Custom field not found")
    return Response(status_code=200)


# -- custom labels ------------------------------------------------------------------------------------


def _label(request: Request, tenant: str) -> dict[str, Any] | None:
    try:
        label_id = str(UUID(request.path_params["id"]))
    except ValueError:
        return None
    found = data(request, tenant).custom_labels.get(label_id)
    return None if found is None or found["isDeleted"] else found


async def _label_value(request: Request) -> dict[str, Any] | None:
    body = await body_object(request)
    value = None if body is None else body.get("value")
    return value if isinstance(value, dict) and value else None


async def custom_label_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/custom-labels -> the tenant's custom labels (soft-deleted ones are left out).
    labels = data(request, tenant).custom_labels.values()
    return JSONResponse([label for label in labels if not label["isDeleted"]])


async def custom_label_create(request: Request, tenant: str) -> Response:
    # Seed: POST /api/custom-labels {value} -> 200 CustomLabel; 400 {error} "value is required".
    value = await _label_value(request)
    if value is None:
        return error(400, "value is required")
    label = base_record("CustomLabel", actor(request)) | {
        "tenant": {"id": tenant, "name": tenant},
        "value": value,
    }
    data(request, tenant).custom_labels[label["id"]] = label
    return JSONResponse(label)


async def custom_label_update(request: Request, tenant: str) -> Response:
    # Seed: PATCH /api/custom-labels/{id} {value} -> 200 CustomLabel, 400 {error}, 404.
    label = _label(request, tenant)
    if label is None:
        return error(404, "Custom label not found")
    value = await _label_value(request)
    if value is None:
        return error(400, "value is required")
    label.update(value=value, dateModified=now(), modifiedBy={"id": actor(request)})
    return JSONResponse(label)


async def custom_label_delete(request: Request, tenant: str) -> Response:
    # Seed: DELETE /api/custom-labels/{id}: soft delete, 200 null; 404.
    label = _label(request, tenant)
    if label is None:
        return error(404, "Custom label not found")
    label.update(isDeleted=True, dateDeleted=now(), deletedBy={"id": actor(request)})
    return JSONResponse(None)


# -- filter metadata and query-builder config ------------------------------------------------------------


async def filters_all(request: Request, tenant: str) -> Response:
    # Seed: GET /api/filters -> {data: [EntityFilters]}.
    tenant_data = data(request, tenant)
    entries = [
        {
            "entity": entity,
            "filters": fields.filters(_profile(request), entity, tenant_data.custom_types(entity)),
        }
        for entity in _entities(request)
    ]
    return JSONResponse({"data": entries})


async def filters_of_entity(request: Request, tenant: str) -> Response:
    # Seed: GET /api/filters/{entity} -> [Filter]; 404 {error}.
    entity = request.path_params["entity"]
    if entity not in _entities(request):
        return error(404, "Entity not found or no filters available")
    return JSONResponse(fields.filters(_profile(request), entity, data(request, tenant).custom_types(entity)))


async def query_builder_config(request: Request, tenant: str) -> Response:
    # Seed: GET /api/query-builder/config/{entity} -> {fields, operators}; 404 {error}.
    entity = request.path_params["entity"]
    if entity not in _entities(request):
        return error(404, "Entity not found")
    return JSONResponse(fields.config(_profile(request), entity, data(request, tenant).custom_types(entity)))


CUSTOMIZATION_ROUTES = [
    ("GET", "/api/custom-field", custom_field_list),
    ("POST", "/api/custom-field", custom_field_create),
    ("GET", "/api/custom-field/{entity}", custom_field_for_entity),
    ("PATCH", "/api/custom-field/{customField}", custom_field_update),
    ("DELETE", "/api/custom-field/{customField}", custom_field_delete),
    ("GET", "/api/custom-labels", custom_label_list),
    ("POST", "/api/custom-labels", custom_label_create),
    ("PATCH", "/api/custom-labels/{id}", custom_label_update),
    ("DELETE", "/api/custom-labels/{id}", custom_label_delete),
    ("GET", "/api/filters", filters_all),
    ("GET", "/api/filters/{entity}", filters_of_entity),
    ("GET", "/api/query-builder/config/{entity}", query_builder_config),
]

"""Saved filters (seed 004): a user's own, plus the tenant's shared (``private: false``) ones.

The owner is the token's subject. Another user's private filter answers 403 (GET, PATCH, DELETE), as the
seed's "Access denied"; a shared one can be read by everyone of the tenant and changed by its owner only.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.conecrm import fields
from simulators.conecrm.customization import actor, body_object, data, error
from simulators.conecrm.ids import uuid7

TEXT_FIELDS = ("name", "module", "value")


def _problem(body: dict[str, Any], partial: bool, entities: tuple[str, ...]) -> str | None:
    for name in TEXT_FIELDS:
        value = body.get(name)
        if value is None and partial:
            continue
        if not isinstance(value, str) or not value.strip():
            return f"{name} is required"
    if "private" in body and not isinstance(body["private"], bool):
        return "private must be a boolean"
    if body.get("module") is not None and body["module"] not in entities:
        return "Unknown module"
    if body.get("value") is not None:
        try:
            json.loads(body["value"])
        except ValueError:
            return "value must be a json encoded object"
    return None


def _visible(saved: dict[str, Any], user: str) -> bool:
    return saved["owner"]["id"] == user or not saved["private"]


def _target(request: Request, tenant: str, param: str, write: bool) -> dict[str, Any] | Response:
    saved = data(request, tenant).saved_filters.get(request.path_params[param])
    if saved is None:
        return error(404, "Saved filter not found")
    user = actor(request)
    if not _visible(saved, user) or (write and saved["owner"]["id"] != user):
        return error(403, "Access denied")
    return saved


async def saved_filter_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/saved-filter -> [SavedFilter] "for the current user".
    user = actor(request)
    saved = data(request, tenant).saved_filters.values()
    return JSONResponse([item for item in saved if _visible(item, user)])


async def saved_filter_create(request: Request, tenant: str) -> Response:
    # Seed: POST /api/saved-filter {name, module, value, private?} -> 201 SavedFilter; 400.
    body = await body_object(request)
    problem = (
        "Invalid data provided"
        if body is None
        else _problem(body, partial=False, entities=fields.entities(request.app.state.profile))
    )
    if body is None or problem:
        return error(400, problem or "Invalid data provided")
    saved = {
        "id": str(uuid7()),
        **{name: body[name] for name in TEXT_FIELDS},
        "owner": {"id": actor(request)},
        "private": body.get("private", True),
    }
    data(request, tenant).saved_filters[saved["id"]] = saved
    return JSONResponse(saved, status_code=201)


async def saved_filter_read(request: Request, tenant: str) -> Response:
    # Seed: GET /api/saved-filter/{id} -> 200 SavedFilter; 403; 404.
    saved = _target(request, tenant, "id", write=False)
    return saved if isinstance(saved, Response) else JSONResponse(saved)


async def saved_filter_update(request: Request, tenant: str) -> Response:
    # Seed: PATCH /api/saved-filter/{filter} -> 200 SavedFilter; 400; 403; 404.
    saved = _target(request, tenant, "filter", write=True)
    if isinstance(saved, Response):
        return saved
    body = await body_object(request)
    problem = (
        "Invalid data provided"
        if body is None
        else _problem(body, partial=True, entities=fields.entities(request.app.state.profile))
    )
    if body is None or problem:
        return error(400, problem or "Invalid data provided")
    saved.update({name: body[name] for name in (*TEXT_FIELDS, "private") if name in body})
    return JSONResponse(saved)


async def saved_filter_delete(request: Request, tenant: str) -> Response:
    # Seed: DELETE /api/saved-filter/{filter} -> 204; 403; 404.
    saved = _target(request, tenant, "filter", write=True)
    if isinstance(saved, Response):
        return saved
    del data(request, tenant).saved_filters[saved["id"]]
    return Response(status_code=204)


SAVED_FILTER_ROUTES = [
    ("GET", "/api/saved-filter", saved_filter_list),
    ("POST", "/api/saved-filter", saved_filter_create),
    ("GET", "/api/saved-filter/{id}", saved_filter_read),
    ("PATCH", "/api/saved-filter/{filter}", saved_filter_update),
    ("DELETE", "/api/saved-filter/{filter}", saved_filter_delete),
]

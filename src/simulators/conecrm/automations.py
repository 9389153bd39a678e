"""Automations (seed 004): list, create, read, update, delete, duplicate, and the builder's metadata.

Bodies are Automation3 (``name``, ``automationTrigger`` and ``delayedAutomationsCount`` required;
``nodes``, ``edges`` lists; ``franchise`` an object or null); answers the stored Automation (BaseRecord
fields too). A trigger must be one of the builder data's ``triggers``, or the answer is 400.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.conecrm.customization import actor, body_object, data, error
from simulators.conecrm.records import base_record, now
from simulators.conecrm.tenants import ACTIONS, CONDITIONS, TRIGGERS

REQUIRED = ("name", "automationTrigger", "delayedAutomationsCount")


def _problem(body: dict[str, Any], partial: bool) -> str | None:
    missing = [name for name in REQUIRED if body.get(name) is None]
    if missing and not partial:
        return f"{', '.join(missing)} required"
    for name in ("name", "automationTrigger"):
        if name in body and (not isinstance(body[name], str) or not body[name].strip()):
            return f"{name} must be a non-empty string"
    if "automationTrigger" in body and body["automationTrigger"] not in TRIGGERS:
        return "Unknown automation trigger"
    count = body.get("delayedAutomationsCount")
    if "delayedAutomationsCount" in body and (
        not isinstance(count, int) or isinstance(count, bool) or count < 0
    ):
        return "delayedAutomationsCount must be a whole number, 0 or more"
    for name in ("nodes", "edges"):
        if name in body and not isinstance(body[name], list):
            return f"{name} must be a list"
    if body.get("franchise") is not None and not isinstance(body["franchise"], dict):
        return "franchise must be an object or null"
    return None


def _franchise(value: Any) -> dict[str, Any] | None:
    # An Automation answers its franchise as a reference; Franchise2's nested automations are not kept.
    return {"id": str(value["id"])} if isinstance(value, dict) and value.get("id") else None


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    changed = {name: body[name] for name in (*REQUIRED, "nodes", "edges") if name in body}
    if "franchise" in body:
        changed["franchise"] = _franchise(body["franchise"])
    return changed


def _found(request: Request, tenant: str) -> dict[str, Any] | None:
    automation = data(request, tenant).automations.get(request.path_params["automation"])
    return None if automation is None or automation["isDeleted"] else automation


async def builder_data(request: Request, tenant: str) -> Response:
    # Seed: GET /api/automation/builder/data -> {triggers, actions, conditions}.
    return JSONResponse(
        {"triggers": list(TRIGGERS), "actions": list(ACTIONS), "conditions": list(CONDITIONS)}
    )


async def automation_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/automation -> [Automation].
    automations = data(request, tenant).automations.values()
    return JSONResponse([a for a in automations if not a["isDeleted"]])


async def automation_create(request: Request, tenant: str) -> Response:
    # Seed: POST /api/automation, body Automation3 -> 200 Automation; 400.
    body = await body_object(request)
    problem = "Invalid input data" if body is None else _problem(body, partial=False)
    if body is None or problem:
        return error(400, problem or "Invalid input data")
    created = base_record("Automation", actor(request)) | {"nodes": [], "edges": [], "franchise": None}
    created |= _fields(body)
    data(request, tenant).automations[created["id"]] = created
    return JSONResponse(created)


async def automation_read(request: Request, tenant: str) -> Response:
    # Seed: GET /api/automation/{automation} -> 200; 404.
    automation = _found(request, tenant)
    return error(404, "Automation not found") if automation is None else JSONResponse(automation)


async def automation_update(request: Request, tenant: str) -> Response:
    # Seed: PATCH /api/automation/{automation} -> 200; 400; 404.
    automation = _found(request, tenant)
    if automation is None:
        return error(404, "Automation not found")
    body = await body_object(request)
    problem = "Invalid input data" if body is None else _problem(body, partial=True)
    if body is None or problem:
        return error(400, problem or "Invalid input data")
    automation.update(_fields(body), dateModified=now(), modifiedBy={"id": actor(request)})
    return JSONResponse(automation)


async def automation_delete(request: Request, tenant: str) -> Response:
    # Seed: DELETE /api/automation/{automation} -> 200; 404.
    automation = _found(request, tenant)
    if automation is None:
        return error(404, "Automation not found")
    automation.update(isDeleted=True, dateDeleted=now(), deletedBy={"id": actor(request)})
    return Response(status_code=200)


async def automation_duplicate(request: Request, tenant: str) -> Response:
    # Seed: POST /api/automation/{automation}/duplicate -> 200 the copy; 404.
    automation = _found(request, tenant)
    if automation is None:
        return error(404, "Automation not found")
    copy = base_record("Automation", actor(request)) | _fields(automation)
    copy |= {"name": f"{automation['name']} (copy)", "franchise": automation["franchise"]}
    data(request, tenant).automations[copy["id"]] = copy
    return JSONResponse(copy)


AUTOMATION_ROUTES = [
    ("GET", "/api/automation/builder/data", builder_data),
    ("GET", "/api/automation", automation_list),
    ("POST", "/api/automation", automation_create),
    ("GET", "/api/automation/{automation}", automation_read),
    ("PATCH", "/api/automation/{automation}", automation_update),
    ("DELETE", "/api/automation/{automation}", automation_delete),
    ("POST", "/api/automation/{automation}/duplicate", automation_duplicate),
]

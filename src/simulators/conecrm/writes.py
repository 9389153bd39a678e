"""The simulator's writes (seed 004): accounts POST/PATCH/DELETE, leads POST and copy, tasks
POST/PATCH/DELETE, stages CRUD. Bodies use the seed's fields; answers are the written record."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.conecrm.shapes import from_json
from simulators.conecrm.store import Store


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def _invalid(*problems: str) -> JSONResponse:
    # Seed ValidationError: {"errors": [...], "message": "Validation failed"}.
    return JSONResponse({"errors": list(problems), "message": "Validation failed"}, status_code=400)


def _not_found(what: str) -> JSONResponse:
    return JSONResponse({"error": f"{what} not found"}, status_code=404)


async def _body(request: Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


async def _record(request: Request, entity: str, tenant: str, record_id: UUID) -> dict[str, Any] | None:
    found = await _store(request).records(entity, tenant, [record_id])
    return found[0] if found and not found[0]["isDeleted"] else None


def _actor(request: Request) -> str:
    return str(request.state.subject)  # the token's subject: createdBy / modifiedBy / deletedBy


# -- accounts ---------------------------------------------------------------------------------------


async def account_create(request: Request, tenant: str) -> Response:
    body = await _body(request)
    if not str(body.get("name") or "").strip():
        return _invalid("Account name is required")
    record_id = await _store(request).insert("account", tenant, from_json("account", body), _actor(request))
    await _store(request).set_customer_fields(tenant, record_id, body)
    return JSONResponse(await _record(request, "account", tenant, record_id))


async def account_update(request: Request, tenant: str) -> Response:
    record_id = UUID(request.path_params["account"])
    response = await _update(request, tenant, "account", record_id, "Account")
    if response.status_code == 200:
        await _store(request).set_customer_fields(tenant, record_id, await _body(request))
        return JSONResponse(await _record(request, "account", tenant, record_id))
    return response


async def account_delete(request: Request, tenant: str) -> Response:
    record_id = UUID(request.path_params["account"])
    if not await _store(request).delete("account", tenant, record_id, _actor(request)):
        return _not_found("Account")
    return Response(status_code=200)


async def _update(request: Request, tenant: str, entity: str, record_id: UUID, what: str) -> Response:
    body = await _body(request)
    if "name" in body and not str(body.get("name") or "").strip():
        return _invalid(f"{what} name is required")
    values = from_json(entity, body)
    if not await _store(request).update(entity, tenant, record_id, values, _actor(request)):
        return _not_found(what)
    return JSONResponse(await _record(request, entity, tenant, record_id))


# -- leads ------------------------------------------------------------------------------------------


async def lead_create(request: Request, tenant: str) -> Response:
    # LeadCreateRequest: subject and contact are required (department, source and franchise are too
    # in the seed; the simulator accepts their absence, as the gateway has no ids for them).
    body = await _body(request)
    problems = [f"{name} is required" for name in ("subject", "contact") if not body.get(name)]
    if problems:
        return _invalid(*problems)
    contact = await _record(request, "contact", tenant, UUID(str(body["contact"]["id"])))
    if contact is None:
        return JSONResponse({"error": "Contact not found"}, status_code=400)
    record_id = await _store(request).insert("lead", tenant, from_json("lead", body), _actor(request))
    return JSONResponse(await _record(request, "lead", tenant, record_id))


async def lead_copy(request: Request, tenant: str) -> Response:
    source = await _record(request, "lead", tenant, UUID(request.path_params["lead"]))
    if source is None:
        return _not_found("Lead")
    values = from_json("lead", source)
    record_id = await _store(request).insert("lead", tenant, values, _actor(request))
    return JSONResponse(await _record(request, "lead", tenant, record_id))


# -- tasks ------------------------------------------------------------------------------------------

TASK_REFERENCES = {
    "assignee": "assignee_id",
    "contact": "contact_id",
    "account": "account_id",
    "connection": "lead_id",
}


def _task_values(body: dict[str, Any]) -> dict[str, Any]:
    # TaskRequest references are plain UUID strings, not {"id"} objects.
    plain = {name: value for name, value in body.items() if name not in TASK_REFERENCES}
    values = from_json("event", plain)
    for name, column in TASK_REFERENCES.items():
        if name in body:
            values[column] = None if body[name] in (None, "") else UUID(str(body[name]))
    return values


async def task_create(request: Request, tenant: str) -> Response:
    body = await _body(request)
    problems = [f"{name} is required" for name in ("title", "assignee") if not body.get(name)]
    if problems:
        return JSONResponse("; ".join(problems), status_code=400)  # seed: 400 answers a string
    values = {"kind": "TASK", **_task_values(body)}
    record_id = await _store(request).insert("event", tenant, values, _actor(request))
    return JSONResponse(await _record(request, "event", tenant, record_id))


async def task_update(request: Request, tenant: str) -> Response:
    body = await _body(request)
    if "title" in body and not body["title"]:
        return JSONResponse("title is required", status_code=400)
    record_id = UUID(request.path_params["task"])
    if not await _store(request).update("event", tenant, record_id, _task_values(body), _actor(request)):
        return _not_found("Task")
    return JSONResponse(await _record(request, "event", tenant, record_id))


async def task_delete(request: Request, tenant: str) -> Response:
    if not await _store(request).delete("event", tenant, UUID(request.path_params["task"]), _actor(request)):
        return _not_found("Task")
    return Response(status_code=200)


# -- stages -----------------------------------------------------------------------------------------


async def stage_list(request: Request, tenant: str) -> Response:
    stages = [stage for stage in await _store(request).records("stage", tenant) if not stage["isDeleted"]]
    return JSONResponse(stages)


async def stage_create(request: Request, tenant: str) -> Response:
    body = await _body(request)
    if not str(body.get("name") or "").strip():
        return _invalid("Stage name is required")
    record_id = await _store(request).insert("stage", tenant, from_json("stage", body), _actor(request))
    return JSONResponse(await _record(request, "stage", tenant, record_id), status_code=201)


async def stage_show(request: Request, tenant: str) -> Response:
    stage = await _record(request, "stage", tenant, UUID(request.path_params["id"]))
    return JSONResponse(stage) if stage is not None else _not_found("Stage")


async def stage_update(request: Request, tenant: str) -> Response:
    return await _update(request, tenant, "stage", UUID(request.path_params["id"]), "Stage")


async def stage_delete(request: Request, tenant: str) -> Response:
    stage_id = UUID(request.path_params["id"])
    if await _record(request, "stage", tenant, stage_id) is None:
        return _not_found("Stage")
    if await _store(request).stage_in_use(tenant, stage_id):
        return JSONResponse({"error": "Cannot delete stage that is used in connections"}, status_code=400)
    await _store(request).delete("stage", tenant, stage_id, _actor(request))
    return Response(status_code=204)


WRITE_ROUTES = [
    ("POST", "/api/account", account_create),
    ("PATCH", "/api/account/{account}", account_update),
    ("DELETE", "/api/account/{account}", account_delete),
    ("POST", "/api/lead", lead_create),
    ("POST", "/api/lead/{lead}/copy", lead_copy),
    ("POST", "/api/task", task_create),
    ("PATCH", "/api/task/{task}", task_update),
    ("DELETE", "/api/task/{task}", task_delete),
    ("GET", "/api/stage", stage_list),
    ("POST", "/api/stage", stage_create),
    ("GET", "/api/stage/{id}", stage_show),
    ("PATCH", "/api/stage/{id}", stage_update),
    ("DELETE", "/api/stage/{id}", stage_delete),
]

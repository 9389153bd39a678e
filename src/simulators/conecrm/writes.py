"""The simulator's writes (seed 004): accounts POST/PATCH/DELETE (l. 1089, 2562, 2044), leads POST
(l. 6628) and their copy (l. 7557), tasks POST/PATCH/DELETE (l. 9864, 10906, 10789) and stages (l. 9307-9760).

Bodies are checked member by member against the seed (``records.check``); each refusal uses the
envelope the seed gives that operation: accounts and stages 400 ``{error}`` (their 400 has no schema,
so the seed's common ``{error}``), leads 400 ``{errors, message}`` (``errors`` a list or an object per
profile), tasks 400 a JSON string (l. 10720: schema ``string``); 404 ``{error}`` everywhere.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.conecrm import records
from simulators.conecrm.ids import user_id
from simulators.conecrm.profiles import Profile
from simulators.conecrm.records import BodyProblem
from simulators.conecrm.store import Store


def store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def profile(request: Request) -> Profile:
    return request.app.state.profile  # type: ignore[no-any-return]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def actor(request: Request) -> str:
    # createdBy / modifiedBy / deletedBy: the token's subject, as the user id (a UUID) it stands for.
    return user_id(str(request.state.subject))


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise BodyProblem({"body": "is not JSON"}) from None


# -- accounts ---------------------------------------------------------------------------------------


def _set_account(request: Request, tenant: str, account: dict[str, Any], body: dict[str, Any]) -> None:
    """Apply an account body; ``contacts`` replaces the links (kept on both sides, as Contact.accounts)."""
    db = store(request)
    for name in ("primaryContact", *[c["id"] for c in body.get("contacts") or []]):
        wanted = (body.get("primaryContact") or {}).get("id") if name == "primaryContact" else name
        if wanted and db.get(tenant, "contact", wanted) is None:
            raise BodyProblem(
                {"contacts" if name != "primaryContact" else name: f"contact {wanted} not found"}
            )
    for name, value in body.items():
        if name == "primaryContact":
            account["primaryContact"] = records.ref((value or {}).get("id"))
        elif name != "contacts":
            account[name] = value
    if "contacts" in body:
        wanted_ids = [c["id"] for c in body["contacts"] or []]
        for contact in db.all(tenant, "contact"):
            linked = [a for a in contact["accounts"] if a["id"] != account["id"]]
            if contact["id"] in wanted_ids:
                linked.append({"id": account["id"]})
            if linked != contact["accounts"]:
                contact["accounts"] = linked
                db.put(tenant, "contact", contact)
        account["contacts"] = [{"id": cid} for cid in dict.fromkeys(wanted_ids)]


async def account_create(request: Request, tenant: str) -> Response:
    try:
        body = records.check(await json_body(request), records.ACCOUNT_BODY, nullable={"primaryContact"})
        account = records.account()
        _set_account(request, tenant, account, body)
    except BodyProblem as problem:
        return error(400, f"Invalid input data: {problem}")
    return JSONResponse(store(request).put(tenant, "account", account))


async def account_update(request: Request, tenant: str) -> Response:
    account = store(request).get(tenant, "account", request.path_params["account"])
    if account is None:
        return error(404, "Account not found")
    try:
        body = records.check(await json_body(request), records.ACCOUNT_BODY, nullable={"primaryContact"})
        _set_account(request, tenant, account, body)
    except BodyProblem as problem:
        return error(400, f"Invalid input data: {problem}")
    return JSONResponse(store(request).put(tenant, "account", account))


async def account_delete(request: Request, tenant: str) -> Response:
    account_id = request.path_params["account"]
    db = store(request)
    if not db.remove(tenant, "account", account_id):
        return error(404, "Account not found")
    for contact in db.all(tenant, "contact"):
        if any(a["id"] == account_id for a in contact["accounts"]):
            contact["accounts"] = [a for a in contact["accounts"] if a["id"] != account_id]
            db.put(tenant, "contact", contact)
    return Response(status_code=200)


# -- leads ------------------------------------------------------------------------------------------


def _lead_refused(request: Request, problems: dict[str, str]) -> JSONResponse:
    # Lead 400 (l. 6818-6821): errors "object"; ValidationError (l. 16124-16128): errors [string].
    if profile(request).errors_shape == "object":
        errors: Any = problems
    else:
        errors = [f"{name}: {text}" for name, text in problems.items()]
    return JSONResponse({"errors": errors, "message": "Form validation failed"}, status_code=400)


async def _lead_body(
    request: Request, tenant: str, members: dict[str, str], required: tuple[str, ...], nullable: set[str]
) -> dict[str, Any]:
    """The body if the seed defines it and the contact and account it names exist; else BodyProblem."""
    body = records.check(await json_body(request), members, required=required, nullable=nullable)
    for name in ("contact", "account"):
        wanted = (body.get(name) or {}).get("id")
        if wanted and store(request).get(tenant, name, wanted) is None:
            raise BodyProblem({name: f"{name} {wanted} not found"})
    return body


async def lead_create(request: Request, tenant: str) -> Response:
    db = store(request)
    try:
        body = await _lead_body(
            request, tenant, records.LEAD_BODY, records.LEAD_REQUIRED, records.NULLABLE_LEAD
        )
        fields = request.app.state.tenants.of(tenant).custom_fields
        for item in body.get("customFieldValues") or []:
            known = fields.get(str(item.get("field", {}).get("id")))
            if known is None or known["entity"] != "lead":
                raise BodyProblem({"customFieldValues": f"no custom field {item.get('field')} of leads"})
    except BodyProblem as problem:
        return _lead_refused(request, problem.problems)
    copied = ("subject", "description", "category", "customerInitiated", "leadHandlingInstructions")
    lead = records.lead(
        actor(request),
        **{name: body[name] for name in copied if name in body},
        **{name: records.ref((body.get(name) or {}).get("id")) for name in ("contact", "account")},
        **{name: records.ref(body[name]["id"]) for name in ("source", "franchise")},
    )
    if body.get("customFieldValues"):
        request.app.state.tenants.of(tenant).lead_custom_values[lead["id"]] = body["customFieldValues"]
    return JSONResponse(db.put(tenant, "lead", lead))


# Written by the copy itself (BaseRecord) or naming the original elsewhere (its third-party ids).
_NOT_COPIED = (
    *("id", "dateCreated", "createdBy", "dateModified", "modifiedBy", "isDeleted"),
    *("dateDeleted", "deletedBy", "thirdPartyIds"),
)


async def lead_copy(request: Request, tenant: str) -> Response:
    # POST /api/lead/{lead}/copy (l. 7557-8352): CopyLeadData -> 200 Lead; 400 {errors, message}; 404.
    db = store(request)
    original = db.get(tenant, "lead", request.path_params["lead"])
    if original is None or original["isDeleted"]:
        return error(404, "Lead not found")
    try:
        body = await _lead_body(
            request, tenant, records.COPY_LEAD_BODY, records.COPY_LEAD_REQUIRED, records.NULLABLE_COPY_LEAD
        )
    except BodyProblem as problem:
        return _lead_refused(request, problem.problems)
    copy = {name: value for name, value in original.items() if name not in _NOT_COPIED}
    # "will use original if not provided": subject, department, franchise (a Lead has no department
    # member, l. 12743-13050, so none is kept); the account is the body's own.
    copy |= {name: records.ref((body.get(name) or {}).get("id")) for name in ("contact", "account")}
    if body.get("subject"):
        copy["subject"] = body["subject"]
    if body.get("franchise"):
        copy["franchise"] = records.ref(body["franchise"]["id"])
    return JSONResponse(db.put(tenant, "lead", records.lead(actor(request), **copy)))


async def open_leads(request: Request, tenant: str) -> Response:
    # GET /api/contact/{contact}/lead/open (l. 4812) -> [Lead]: not deleted, closed or lost.
    contact = request.path_params["contact"]
    return JSONResponse(
        [
            lead
            for lead in store(request).all(tenant, "lead")
            if not lead["isDeleted"]
            and (lead.get("contact") or {}).get("id") == contact
            and lead.get("connectionClosedDate") is None
            and lead.get("lostDate") is None
        ]
    )


# -- tasks ------------------------------------------------------------------------------------------


def _task_values(request: Request, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
    db = store(request)
    kinds = {"contact": "contact", "account": "account", "connection": "lead"}
    values: dict[str, Any] = {}
    for name, value in body.items():
        if name in kinds:
            if value and db.get(tenant, kinds[name], value) is None:
                raise BodyProblem({name: f"{name} {value} not found"})
            values[name] = records.ref(value)
        elif name == "assignee":
            values[name] = {"id": value}
        elif name == "type" and value is not None and value not in records.TASK_TYPES:
            raise BodyProblem({"type": f"must be one of {', '.join(t for t in records.TASK_TYPES if t)}"})
        else:
            values[name] = value
    return values


def _task_body(raw: Any) -> dict[str, Any]:
    return records.check(
        raw, records.TASK_BODY, required=records.TASK_REQUIRED, nullable=records.NULLABLE_TASK
    )


def _task_refused(problem: BodyProblem) -> JSONResponse:
    return JSONResponse(f"Invalid input data: {problem}", status_code=400)  # l. 10720: schema string


async def task_create(request: Request, tenant: str) -> Response:
    try:
        values = _task_values(request, tenant, _task_body(await json_body(request)))
    except BodyProblem as problem:
        return _task_refused(problem)
    task = records.event(actor(request), "Task", tenant={"id": tenant, "name": tenant}, **values)
    return JSONResponse(store(request).put(tenant, "event", task))


def _live_task(request: Request, tenant: str) -> dict[str, Any] | None:
    found = store(request).get(tenant, "event", request.path_params["task"])
    return found if found is not None and found["dtype"] == "Task" and not found["isDeleted"] else None


async def task_update(request: Request, tenant: str) -> Response:
    task = _live_task(request, tenant)
    if task is None:
        return error(404, "Task not found")
    try:
        values = _task_values(request, tenant, _task_body(await json_body(request)))
    except BodyProblem as problem:
        return _task_refused(problem)
    task.update(values, dateModified=records.now(), modifiedBy={"id": actor(request)}, edited=True)
    return JSONResponse(store(request).put(tenant, "event", task))


async def task_delete(request: Request, tenant: str) -> Response:
    task = _live_task(request, tenant)
    if task is None:
        return error(404, "Task not found")
    task.update(isDeleted=True, dateDeleted=records.now(), deletedBy={"id": actor(request)})
    store(request).put(tenant, "event", task)
    return Response(status_code=200)


# -- stages -----------------------------------------------------------------------------------------


async def stage_list(request: Request, tenant: str) -> Response:
    return JSONResponse(store(request).all(tenant, "stage"))


async def stage_create(request: Request, tenant: str) -> Response:
    try:
        body = records.check(await json_body(request), records.STAGE_BODY, required=("name",))
    except BodyProblem as problem:
        return error(400, f"Invalid input: {problem}")
    if body.get("id") and store(request).get(tenant, "stage", body["id"]) is not None:
        return error(400, "Invalid input: a stage with this id exists")
    stage = records.stage(**body)
    return JSONResponse(store(request).put(tenant, "stage", stage), status_code=201)


async def stage_get(request: Request, tenant: str) -> Response:
    stage = store(request).get(tenant, "stage", request.path_params["id"])
    return error(404, "Stage not found") if stage is None else JSONResponse(stage)


async def stage_update(request: Request, tenant: str) -> Response:
    stage = store(request).get(tenant, "stage", request.path_params["id"])
    if stage is None:
        return error(404, "Stage not found")
    try:
        body = records.check(await json_body(request), records.STAGE_BODY)
    except BodyProblem as problem:
        return error(400, f"Invalid input: {problem}")
    if body.get("id") not in (None, stage["id"]):
        return error(400, "Invalid input: id does not match the path")
    stage.update(body)
    return JSONResponse(store(request).put(tenant, "stage", stage))


async def stage_delete(request: Request, tenant: str) -> Response:
    stage_id = request.path_params["id"]
    db = store(request)
    if db.get(tenant, "stage", stage_id) is None:
        return error(404, "Stage not found")
    if any(
        (lead.get("stage") or {}).get("id") == stage_id
        for lead in db.all(tenant, "lead")
        if not lead["isDeleted"]
    ):
        return error(400, "Cannot delete stage that is used in connections or pipelines")
    db.remove(tenant, "stage", stage_id)
    return Response(status_code=204)


WRITE_ROUTES = [
    ("POST", "/api/account", account_create),
    ("PATCH", "/api/account/{account}", account_update),
    ("DELETE", "/api/account/{account}", account_delete),
    ("POST", "/api/lead", lead_create),
    ("POST", "/api/lead/{lead}/copy", lead_copy),
    ("GET", "/api/contact/{contact}/lead/open", open_leads),
    ("POST", "/api/task", task_create),
    ("PATCH", "/api/task/{task}", task_update),
    ("DELETE", "/api/task/{task}", task_delete),
    ("GET", "/api/stage", stage_list),
    ("POST", "/api/stage", stage_create),
    ("GET", "/api/stage/{id}", stage_get),
    ("PATCH", "/api/stage/{id}", stage_update),
    ("DELETE", "/api/stage/{id}", stage_delete),
]

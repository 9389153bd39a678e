"""The ConeCRM simulator's HTTP surface: the seed 004 operations the gateway's connector uses.

Every ``/api`` call needs ``Authorization: Bearer <JWT>`` signed with the simulator's secret; the
token's ``tenant`` claim says whose records it sees (401 ``{"error"}`` otherwise). Errors use the
seed's envelopes: ``{"error": ...}`` (400, 401, 403, 404) and ValidationError ``{errors, message}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.conecrm.automations import AUTOMATION_ROUTES
from simulators.conecrm.customization import CUSTOMIZATION_ROUTES
from simulators.conecrm.querybuilder import BadQuery, matches, sort_key
from simulators.conecrm.saved_filters import SAVED_FILTER_ROUTES
from simulators.conecrm.store import Store
from simulators.conecrm.tenants import Tenants
from simulators.conecrm.writes import WRITE_ROUTES
from simulators.faults import FaultMiddleware, Faults

Handler = Callable[[Request, str], Awaitable[Response]]
FILTER_ENTITIES = ("contact", "account", "lead", "event", "stage")
CONTACT_SEARCH_FIELDS = (
    "firstName",
    "lastName",
    "companyName",
    "primaryEmail",
    "secondaryEmail",
    "homePhone",
    "workPhone",
    "mobilePhone",
)
ACCOUNT_SEARCH_FIELDS = ("name", "primaryEmail", "secondaryEmail", "homePhone", "workPhone", "mobilePhone")


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return error(401, "Access denied")
        settings = request.app.state
        try:
            claims = jwt.decode(token, settings.secret, algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.PyJWTError:
            return error(401, "Access denied")
        tenant = claims.get(settings.tenant_claim)
        if not isinstance(tenant, str) or not tenant:
            return error(403, "Access denied")
        request.state.subject = str(claims.get("sub") or "conecrm")
        try:
            return await handler(request, tenant)
        except (ValueError, TypeError, KeyError) as problem:
            return JSONResponse({"errors": [str(problem)], "message": "Validation failed"}, status_code=400)

    return endpoint


def store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def query_filter(request: Request, tenant: str) -> Response:
    # Seed: POST /api/query-builder/filter/{entity}, body QueryBuilderQuery -> {success, data: [...]}.
    entity = request.path_params["entity"]
    if entity not in FILTER_ENTITIES:
        return error(404, "Entity not found")
    try:
        body = await request.json()
    except ValueError:
        return error(400, "Invalid request")
    query = body.get("query") if isinstance(body, dict) else None
    if not isinstance(query, dict):
        return error(400, "Invalid request: query is required")
    records = await store(request).records(entity, tenant)
    try:
        found = [record for record in records if matches(record, query)]
    except BadQuery as problem:
        return error(400, f"Invalid request: {problem}")
    return JSONResponse({"success": True, "data": found})


async def contact_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/contact?start&limit&search&exclude&sortField&sortDirection -> [Contact].
    records = await _listed(request, "contact", tenant, CONTACT_SEARCH_FIELDS)
    start, limit = _int(request, "start", 0), _int(request, "limit", 50)
    return JSONResponse(records[start : start + limit])


async def account_list(request: Request, tenant: str) -> Response:
    # Seed: GET /api/account?offset&limit&... -> {total, accounts}.
    records = await _listed(request, "account", tenant, ACCOUNT_SEARCH_FIELDS)
    offset, limit = _int(request, "offset", 0), _int(request, "limit", 50)
    return JSONResponse({"total": len(records), "accounts": records[offset : offset + limit]})


async def _listed(
    request: Request, entity: str, tenant: str, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    params = request.query_params
    records = [r for r in await store(request).records(entity, tenant) if not r["isDeleted"]]
    for word in (params.get("search") or "").split():
        any_field = {
            "combinator": "or",
            "rules": [{"field": f, "operator": "contains", "value": word} for f in fields],
        }
        records = [record for record in records if matches(record, any_field)]
    records = [record for record in records if record["id"] != params.get("exclude")]
    if params.get("sortField"):
        descending = params.get("sortDirection", "ASC").upper() == "DESC"
        records.sort(key=sort_key(params["sortField"]), reverse=descending)
    return records


def _int(request: Request, name: str, default: int) -> int:
    value = int(request.query_params.get(name, default))
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


async def contacts_by_phone(request: Request, tenant: str) -> Response:
    # Seed: GET /api/contact/phone/{phone}: the live contacts with this number in any phone field.
    number = request.path_params["phone"]
    rule = {
        "combinator": "or",
        "rules": [
            {"field": f, "operator": "=", "value": number} for f in ("homePhone", "workPhone", "mobilePhone")
        ],
    }
    records = await store(request).records("contact", tenant)
    return JSONResponse([r for r in records if not r["isDeleted"] and matches(r, rule)])


async def open_leads(request: Request, tenant: str) -> Response:
    # Seed: GET /api/contact/{contact}/lead/open -> [Lead] (open: status OPEN, not deleted).
    contact = str(UUID(request.path_params["contact"]))
    leads = await store(request).records("lead", tenant)
    return JSONResponse(
        [
            lead
            for lead in leads
            if not lead["isDeleted"]
            and (lead.get("contact") or {}).get("id") == contact
            and lead["customFields"].get("status", "OPEN") == "OPEN"
        ]
    )


def create_app(
    database_url: str, secret: str, *, tenant_claim: str = "tenant", faults: Faults | None = None
) -> FaultMiddleware:
    """The simulator over the gateway's tables at ``database_url`` (connect as the owner on PostgreSQL)."""
    sim_store = Store(database_url)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        yield
        await sim_store.close()

    routes = [
        Route("/api/query-builder/filter/{entity}", authenticated(query_filter), methods=["POST"]),
        Route("/api/contact", authenticated(contact_list), methods=["GET"]),
        Route("/api/contact/phone/{phone}", authenticated(contacts_by_phone), methods=["GET"]),
        Route("/api/contact/{contact}/lead/open", authenticated(open_leads), methods=["GET"]),
        Route("/api/account", authenticated(account_list), methods=["GET"]),
        *(
            Route(path, authenticated(handler), methods=[method])
            for method, path, handler in [
                *WRITE_ROUTES,
                *CUSTOMIZATION_ROUTES,
                *SAVED_FILTER_ROUTES,
                *AUTOMATION_ROUTES,
            ]
        ),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.store, app.state.secret, app.state.tenant_claim = sim_store, secret, tenant_claim
    app.state.tenants = Tenants()  # custom fields, labels, saved filters, automations: in memory
    middleware = FaultMiddleware(app, faults or Faults())
    middleware.store = sim_store  # type: ignore[attr-defined]  # tests close it when not served by uvicorn
    return middleware

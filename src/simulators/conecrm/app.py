"""The ConeCRM simulator's HTTP surface: seed 004's operations, read literally, over its own store.

Every ``/api`` call needs ``Authorization: Bearer <JWT>`` (HS256, the simulator's secret); the token's
tenant claim says whose records it sees (401/403 ``{"error"}`` otherwise: AccessDeniedError l. 16129).
Records are only the seed's shapes (``records``), bodies and filters are checked against the seed and
refused with its 400 envelopes; where the seed allows more than one reading the profile chooses
(``profiles``). ``inspect`` (tests) sees every request body first and may refuse it (400 ``{error}``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.conecrm import fields
from simulators.conecrm.automations import AUTOMATION_ROUTES
from simulators.conecrm.customization import CUSTOMIZATION_ROUTES
from simulators.conecrm.profiles import DEFAULT_PROFILE, Profile, profile
from simulators.conecrm.querybuilder import BadQuery, check, matches, sort_key
from simulators.conecrm.records import BodyProblem
from simulators.conecrm.saved_filters import SAVED_FILTER_ROUTES
from simulators.conecrm.store import Store
from simulators.conecrm.tenants import Tenants
from simulators.conecrm.writes import WRITE_ROUTES, error, json_body
from simulators.faults import FaultMiddleware, Faults

Handler = Callable[[Request, str], Awaitable[Response]]
Inspect = Callable[[str, str, Any], str | None]  # (method, route path, JSON body) -> refusal or None
CONTACT_SEARCH: tuple[str, ...] = ("firstName", "lastName", "companyName", "primaryEmail", "secondaryEmail")
CONTACT_SEARCH += ("homePhone", "workPhone", "mobilePhone")
ACCOUNT_SEARCH = ("name", "primaryEmail", "secondaryEmail", "homePhone", "workPhone", "mobilePhone")
PHONES = ("homePhone", "workPhone", "mobilePhone")
# GET /api/contact (l. 4426-4434) and GET /api/account (l. 100-108) query parameters.
CONTACT_PARAMS = {"start", "limit", "search", "exclude", "franchise", "sortField", "sortDirection"}
ACCOUNT_PARAMS = {"offset", "limit", "search", "exclude", "franchise", "sortField", "sortDirection"}


def authenticated(handler: Handler, route: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return error(401, "Access denied")
        state = request.app.state
        try:
            claims = jwt.decode(token, state.secret, algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.PyJWTError:
            return error(401, "Access denied")
        tenant = claims.get(state.tenant_claim)
        if not isinstance(tenant, str) or not tenant:
            return error(403, "Access denied")
        request.state.subject = str(claims.get("sub") or "conecrm")
        if state.inspect is not None and request.method in ("POST", "PATCH", "PUT"):
            try:
                body = await request.json()
            except ValueError:
                body = None
            refusal = state.inspect(request.method, route, body)
            if refusal:
                return error(400, f"Invalid request: {refusal}")
        return await handler(request, tenant)

    return endpoint


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def _profile(request: Request) -> Profile:
    return request.app.state.profile  # type: ignore[no-any-return]


async def query_filter(request: Request, tenant: str) -> Response:
    # POST /api/query-builder/filter/{entity} (l. 8581-8634): QueryBuilderQuery -> {success, data}.
    entity = request.path_params["entity"]
    kind = fields.store_entity(_profile(request), entity)
    if kind is None:
        return error(404, "Entity not found")
    try:
        body = await json_body(request)
    except BodyProblem:
        return error(400, "Invalid request: the body is not JSON")
    if not isinstance(body, dict) or set(body) != {"query"}:
        return error(400, "Invalid request: the body is {query} (QueryBuilderQuery)")
    custom = request.app.state.tenants.of(tenant).custom_types(entity)
    try:
        check(body["query"], fields.entity_fields(_profile(request), entity, custom))
        found = [r for r in _records(request, tenant, kind) if matches(r, body["query"])]
    except BadQuery as problem:
        return error(400, f"Invalid request: {problem}")
    return JSONResponse({"success": True, "data": found})


def _records(request: Request, tenant: str, kind: str) -> list[dict[str, Any]]:
    found = _store(request).all(tenant, kind)
    if kind == "event":
        found = [r for r in found if r["dtype"] in _profile(request).event_dtypes]
    return found


def _paged_list(
    request: Request, tenant: str, kind: str, allowed: set[str], search: tuple[str, ...]
) -> list[dict[str, Any]]:
    params = request.query_params
    unknown = set(params) - allowed
    if unknown:
        raise BadQuery(f"unknown parameter(s) {', '.join(sorted(unknown))}")
    found = _store(request).all(tenant, kind)
    for word in (params.get("search") or "").split():
        rule = {
            "combinator": "or",
            "rules": [{"field": f, "operator": "contains", "value": word} for f in search],
        }
        found = [record for record in found if matches(record, rule)]
    found = [record for record in found if record["id"] != params.get("exclude")]
    if params.get("sortField"):
        # The record's own fields, and dateCreated, which the parameter's description names for both lists
        # (l. 106, l. 4431) although Contact and Account have no such member: their creation time is the
        # one their UUID7 id carries (l. 12471), so they sort by id.
        sortable = set(fields.OWN_FIELDS[kind]) - {"id"} | {"dateCreated"}
        if params["sortField"] not in sortable:
            raise BadQuery(f"cannot sort by {params['sortField']!r}")
        direction = params.get("sortDirection", "ASC")
        if direction not in ("ASC", "DESC"):
            raise BadQuery("sortDirection is ASC or DESC")
        by = "id" if params["sortField"] == "dateCreated" else params["sortField"]
        found.sort(key=sort_key(by), reverse=direction == "DESC")
    return found


def _int(request: Request, name: str, default: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except ValueError:
        raise BadQuery(f"{name} must be an integer") from None
    if value < 0:
        raise BadQuery(f"{name} must not be negative")
    return value


async def contact_list(request: Request, tenant: str) -> Response:
    # GET /api/contact (l. 4422-4727) -> [Contact].
    try:
        found = _paged_list(request, tenant, "contact", CONTACT_PARAMS, CONTACT_SEARCH)
        start, limit = _int(request, "start", 0), _int(request, "limit", 50)
    except BadQuery as problem:
        return error(400, f"Invalid request: {problem}")
    return JSONResponse(found[start : start + limit])


async def account_list(request: Request, tenant: str) -> Response:
    # GET /api/account (l. 96-582) -> {total, accounts}.
    try:
        found = _paged_list(request, tenant, "account", ACCOUNT_PARAMS, ACCOUNT_SEARCH)
        offset, limit = _int(request, "offset", 0), _int(request, "limit", 50)
    except BadQuery as problem:
        return error(400, f"Invalid request: {problem}")
    return JSONResponse({"total": len(found), "accounts": found[offset : offset + limit]})


async def contacts_by_phone(request: Request, tenant: str) -> Response:
    # GET /api/contact/phone/{phone} (l. 5154-5164): answer "Default", no schema -> per profile.
    number = request.path_params["phone"]
    found = [c for c in _store(request).all(tenant, "contact") if any(c.get(f) == number for f in PHONES)]
    if _profile(request).phone_answer == "list":
        return JSONResponse(found)
    return JSONResponse(found[0]) if found else error(404, "Contact not found")


def create_app(
    secret: str,
    *,
    profile_name: str = DEFAULT_PROFILE,
    tenant_claim: str = "tenant",
    faults: Faults | None = None,
    inspect: Inspect | None = None,
) -> FaultMiddleware:
    """The simulator, in memory; ``.store`` on the answer is its ``Store`` (tests seed it directly)."""
    chosen = profile(profile_name)
    routes = [
        Route(path, authenticated(handler, path), methods=[method])
        for method, path, handler in [
            ("POST", "/api/query-builder/filter/{entity}", query_filter),
            ("GET", "/api/contact", contact_list),
            ("GET", "/api/contact/phone/{phone}", contacts_by_phone),
            ("GET", "/api/account", account_list),
            *WRITE_ROUTES,
            *CUSTOMIZATION_ROUTES,
            *SAVED_FILTER_ROUTES,
            *AUTOMATION_ROUTES,
        ]
    ]
    app = Starlette(routes=routes)
    app.state.store, app.state.secret, app.state.tenant_claim = Store(), secret, tenant_claim
    app.state.profile, app.state.inspect = chosen, inspect
    app.state.tenants = Tenants()  # custom fields, labels, saved filters, automations: in memory
    middleware = FaultMiddleware(app, faults or Faults())
    middleware.store = app.state.store  # type: ignore[attr-defined]
    middleware.profile = chosen  # type: ignore[attr-defined]
    return middleware

"""A CRM.COM Web API (v4) simulator over real HTTP: authentication, contact_information, communications
and the communication queue, as seeds 001 and 003 describe them.

Every answer is HTTP 200 with CRM.COM's envelope ``{"status": {"code", "message", "description"},
"data"}``; a failure sets ``status.code`` to something other than "OK". The seeds name no failure codes,
so the ones in ``codes`` are this simulator's assumption. GET methods take identifiers as
``<name>_identifier=id=<hex>`` (or ``number=...``) query parameters; POST methods take JSON bodies with
identifier objects (``{"id": ...}``), as the seeds' examples show. ``fields_set`` (comma separated)
limits the fields of each returned record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.crmcom import codes
from simulators.crmcom.contacts import CONTACT_ROUTES
from simulators.crmcom.handlers import ApiError, Call, Json
from simulators.crmcom.messages import COMMUNICATION_ROUTES
from simulators.crmcom.queue import QUEUE_ROUTES
from simulators.crmcom.store import CrmcomStore
from simulators.faults import FaultMiddleware, Faults

PREFIX = "/crmapi/rest/v2"  # seed 003's example URL: https://r11qa.crm.com/crmapi/rest/v2/...
Handler = Callable[[Call], Awaitable[Any]]


class CrmcomSimulator(FaultMiddleware):
    """The ASGI app: ``store`` holds the data, ``faults`` the switchable faults and the request log."""

    def __init__(self, store: CrmcomStore, faults: Faults) -> None:
        routes = [Route(PREFIX + "/authentication/token", _login, methods=["POST"])]
        for path, method, handler in (*CONTACT_ROUTES, *COMMUNICATION_ROUTES, *QUEUE_ROUTES):
            routes.append(Route(f"{PREFIX}/{path}", _endpoint(store, handler), methods=[method]))
        routes.append(Route("/_simulator/seed", _seed_endpoint(store), methods=["POST"]))
        app = Starlette(routes=routes)
        app.state.store = store
        super().__init__(app, faults)
        self.store = store


def create_app(store: CrmcomStore | None = None, faults: Faults | None = None) -> CrmcomSimulator:
    """The simulator app; ``crm-gateway simulate crmcom`` serves it with a demo user (see ``demo_store``)."""
    return CrmcomSimulator(store or demo_store(), faults or Faults())


def demo_store() -> CrmcomStore:
    store = CrmcomStore()
    store.add_user("demo", "demo", "demo")
    return store


def envelope(data: Any, code: str = codes.OK, message: str = "") -> JSONResponse:
    return JSONResponse({"status": {"code": code, "message": message, "description": message}, "data": data})


def _endpoint(store: CrmcomStore, handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        try:
            call = await Call.read(request, store)
            return envelope(call.project(await handler(call)))
        except ApiError as error:
            return envelope(None, error.code, error.message)

    return endpoint


async def _login(request: Request) -> JSONResponse:
    """POST authentication/token {username, password, organisation} -> {"token": ...} (CRM.COM's
    authentication method; seeds 001/003 only say "the token retrieved from the login method")."""
    store: CrmcomStore = request.app.state.store
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in codes.LOGIN_FIELDS):
        missing = "username, password and organisation are mandatory"
        return envelope(None, codes.MANDATORY_FIELD_MISSING, missing)
    token = store.login(body["organisation"], body["username"], body["password"])
    if token is None:
        return envelope(None, codes.AUTHENTICATION_FAILED, "wrong username, password or organisation")
    return envelope({"token": token})


def _seed_endpoint(store: CrmcomStore) -> Callable[[Request], Awaitable[JSONResponse]]:
    """Test and demo hook: {"organisation", "contacts": [...], "communications": [...]} adds records."""

    async def seed(request: Request) -> JSONResponse:
        body: Json = await request.json()
        organisation = body["organisation"]
        contacts = [store.add_contact(organisation, **values) for values in body.get("contacts", [])]
        communications = [
            store.add_communication(organisation, **values) for values in body.get("communications", [])
        ]
        return JSONResponse({"contacts": contacts, "communications": communications})

    return seed

"""A CRM.COM Web API (v4) simulator over real HTTP: authentication, contact_information, communications
and the communication queue, as seeds 001 and 003 describe them.

Every answer is HTTP 200 with CRM.COM's envelope ``{"status": {"code", "message", "description"},
"data"}``; a failure sets ``status.code`` to something other than "OK". The seeds name no failure codes,
so the ones in ``codes`` are this simulator's assumption. GET methods take identifiers as
``<name>_identifier=id=<hex>`` (or ``number=...``) query parameters; POST methods take JSON bodies with
identifier objects (``{"id": ...}``), as the seeds' examples show. ``fields_set`` (comma separated)
limits the fields of each returned record. A parameter the method's table in the seed does not list is
refused (``params``). Where the seeds allow more than one reading, ``profile`` picks one (``profiles``).

``contract`` (tests): called with ``("request", method, parameters)`` before each method runs and with
``("response", method, data)`` before each answer; an exception it raises is answered HTTP 422 with
``CONTRACT_VIOLATION``, so a body outside the seed's contract fails loudly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.contract import Contract, ContractViolation, check
from simulators.crmcom import codes
from simulators.crmcom.contacts import CONTACT_ROUTES
from simulators.crmcom.handlers import ApiError, Call, FilePart, Json
from simulators.crmcom.messages import COMMUNICATION_ROUTES
from simulators.crmcom.params import ALLOWED
from simulators.crmcom.photos import PHOTO_ROUTES, SERVLET, image_servlet
from simulators.crmcom.profiles import DEFAULT, PROFILES, Profile
from simulators.crmcom.queue import QUEUE_ROUTES
from simulators.crmcom.store import CrmcomStore
from simulators.faults import FaultMiddleware, Faults

PREFIX = "/crmapi/rest/v2"  # seed 003's example URL: https://r11qa.crm.com/crmapi/rest/v2/...
Handler = Callable[[Call], Awaitable[Any]]


class CrmcomSimulator(FaultMiddleware):
    """The ASGI app: ``store`` holds the data, ``faults`` the switchable faults and the request log."""

    def __init__(
        self, store: CrmcomStore, faults: Faults, profile: Profile = DEFAULT, contract: Contract | None = None
    ) -> None:
        routes = [Route(PREFIX + "/authentication/token", _login, methods=["POST"])]
        for path, method, handler in (*CONTACT_ROUTES, *PHOTO_ROUTES, *COMMUNICATION_ROUTES, *QUEUE_ROUTES):
            endpoint = _endpoint(store, path, handler, profile, contract)
            routes.append(Route(f"{PREFIX}/{path}", endpoint, methods=[method]))
        routes.append(Route(SERVLET, image_servlet(store), methods=["GET"]))
        routes.append(Route("/_simulator/seed", _seed_endpoint(store), methods=["POST"]))
        app = Starlette(routes=routes)
        app.state.store, app.state.profile = store, profile
        super().__init__(app, faults)
        self.store, self.profile = store, profile


def create_app(
    store: CrmcomStore | None = None,
    faults: Faults | None = None,
    profile: str | Profile = DEFAULT,
    contract: Contract | None = None,
) -> CrmcomSimulator:
    """The simulator app; ``crm-gateway simulate crmcom`` serves it with a demo user (see ``demo_store``).

    ``profile``: a ``Profile`` or the name of one in ``profiles.PROFILES``."""
    chosen = PROFILES[profile] if isinstance(profile, str) else profile
    return CrmcomSimulator(store or demo_store(), faults or Faults(), chosen, contract)


def demo_store() -> CrmcomStore:
    store = CrmcomStore()
    store.add_user("demo", "demo", "demo")
    return store


def envelope(data: Any, code: str = codes.OK, message: str | None = "") -> JSONResponse:
    return JSONResponse({"status": {"code": code, "message": message, "description": message}, "data": data})


def _endpoint(
    store: CrmcomStore, path: str, handler: Handler, profile: Profile, contract: Contract | None
) -> Callable[[Request], Awaitable[JSONResponse]]:
    allowed = ALLOWED[path]

    async def endpoint(request: Request) -> JSONResponse:
        try:
            call = await Call.read(request, store, allowed)
            if contract is not None:
                check(
                    contract,
                    "request",
                    path,
                    {k: _described(v) for k, v in call.params.items() if k != "token"},
                )
            data = profile.render(call.project(await handler(call)))
            if contract is not None:
                check(contract, "response", path, data)
            return envelope(data, message=profile.status_text)
        except ApiError as error:
            return envelope(None, error.code, error.message)
        except ContractViolation as violation:
            body = {"status": {"code": "CONTRACT_VIOLATION", "message": str(violation)}, "data": None}
            return JSONResponse(body, status_code=422)

    return endpoint


def _described(value: Any) -> Any:
    """A form's file part as the contract sees it: its name, media type and size (not its bytes)."""
    if isinstance(value, FilePart):
        return {"filename": value.filename, "content_type": value.content_type, "size": len(value.content)}
    return value


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

"""The Akixi CRM configuration API of seed 002 on Starlette, wrapped in the shared fault middleware.

    POST   /CCS/API/v1/admin/telsys/{telSysID}/partition/{partitionIDInTelSys}/device/{deviceNumber}
           /crm/configs                         (Add; GET: List)
    PUT    .../crm/configs/{CRMConfigID}       (Change; GET: Info)
    DELETE .../crm/configs/{CRMConfigID}       (the seed writes ``/CCS/API/v1/amin/...``; both serve)

Either ``x-api-key`` or ``Cookie: JSESSIONID=...`` authenticates. The seed gives no error envelope; this
one answers ``{"Result": "Error", "ErrorCode": 31003, "ErrorMessage": "CRM CONFIGURATION NOT FOUND"}``.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.akixi import operations
from simulators.akixi.errors import AkixiFailure
from simulators.akixi.state import AkixiSimulator, Credential
from simulators.faults import FaultMiddleware, Faults

SCOPE = "/telsys/{tel_sys}/partition/{partition}/device/{device}/crm/configs"
ADMIN, SEED_DELETE_TYPO = "/CCS/API/v1/admin", "/CCS/API/v1/amin"


def create_app(simulator: AkixiSimulator | None = None, faults: Faults | None = None) -> FaultMiddleware:
    """The simulator as an ASGI app; ``simulator``/``faults`` default to the demo data and no faults.

    Tests keep their own ``AkixiSimulator`` and ``Faults`` to read and change what it holds."""
    sim = simulator or AkixiSimulator.demo()
    collection, item = ADMIN + SCOPE, ADMIN + SCOPE + "/{config_id}"
    routes = [
        Route(collection, _handler(sim, operations.add), methods=["POST"]),
        Route(collection, _handler(sim, operations.list_configs), methods=["GET"]),
        Route(collection + "/", _handler(sim, operations.missing_id), methods=["GET", "PUT", "DELETE"]),
        Route(item, _handler(sim, operations.info), methods=["GET"]),
        Route(item, _handler(sim, operations.change), methods=["PUT"]),
        Route(item, _handler(sim, operations.delete), methods=["DELETE"]),
        Route(
            SEED_DELETE_TYPO + SCOPE + "/{config_id}", _handler(sim, operations.delete), methods=["DELETE"]
        ),
    ]
    return FaultMiddleware(Starlette(routes=routes), faults or Faults())


def _handler(sim: AkixiSimulator, operation: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            credential = _authenticate(sim, request)
            return await operation(sim, credential, request)  # type: ignore[no-any-return]
        except AkixiFailure as failure:
            return JSONResponse(failure.body(), status_code=failure.status)

    return endpoint


def _authenticate(sim: AkixiSimulator, request: Request) -> Credential:
    """Seed 002: "Either Cookie or x-api-key header is required for authentication"."""
    api_key = request.headers.get("x-api-key")
    session = request.cookies.get("JSESSIONID")
    if api_key is None and session is None:
        raise AkixiFailure(401, None, "Authentication required: send x-api-key or a JSESSIONID cookie.")
    credential = sim.api_keys.get(api_key) if api_key is not None else sim.sessions.get(session or "")
    if credential is None:
        raise AkixiFailure(401, None, "Authentication failed.")
    return credential

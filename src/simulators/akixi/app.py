"""The Akixi CRM configuration API of seed 002 on Starlette, wrapped in the shared fault middleware.

    POST   /CCS/API/v1/admin/telsys/{telSysID}/partition/{partitionIDInTelSys}/device/{deviceNumber}
           /crm/configs                         (Add; GET: List)
    PUT    .../crm/configs/{CRMConfigID}       (Change; GET: Info)
    DELETE .../crm/configs/{CRMConfigID}       (the seed writes ``/CCS/API/v1/amin/...``; both serve)

Either ``x-api-key`` or ``Cookie: JSESSIONID=...`` authenticates. The seed gives no error envelope; this
one answers ``{"Result": "Error", "ErrorCode": 31003, "ErrorMessage": "CRM CONFIGURATION NOT FOUND"}``
(the code a string under the "textual" profile). Body members and query parameters the seed does not
define are refused with a 400. ``profile`` picks a reading where the seed allows several (``profiles``).

``contract`` (tests): called with ``("request", operation, body)`` for each Add/Change body and with
``("response", operation, Data)`` for each List/Info answer; an exception it raises is answered HTTP 422,
so a body outside the seed's contract fails loudly.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.akixi import operations
from simulators.akixi.errors import AkixiFailure
from simulators.akixi.profiles import PROFILES, Profile
from simulators.akixi.state import AkixiSimulator, Credential
from simulators.contract import Contract, ContractViolation, check
from simulators.faults import FaultMiddleware, Faults

SCOPE = "/telsys/{tel_sys}/partition/{partition}/device/{device}/crm/configs"
ADMIN, SEED_DELETE_TYPO = "/CCS/API/v1/admin", "/CCS/API/v1/amin"


def create_app(
    simulator: AkixiSimulator | None = None,
    faults: Faults | None = None,
    profile: str | Profile | None = None,
    contract: Contract | None = None,
) -> FaultMiddleware:
    """The simulator as an ASGI app; ``simulator``/``faults`` default to the demo data and no faults.

    Tests keep their own ``AkixiSimulator`` and ``Faults`` to read and change what it holds. ``profile``
    (a ``Profile`` or a name in ``profiles.PROFILES``) replaces the simulator's own."""
    sim = simulator or AkixiSimulator.demo()
    if profile is not None:
        sim.profile = PROFILES[profile] if isinstance(profile, str) else profile
    collection, item = ADMIN + SCOPE, ADMIN + SCOPE + "/{config_id}"
    routes = [
        Route(collection, _handler(sim, "add", operations.add, contract), methods=["POST"]),
        Route(collection, _handler(sim, "list", operations.list_configs, contract), methods=["GET"]),
        Route(
            collection + "/",
            _handler(sim, "missing_id", operations.missing_id, contract),
            methods=["GET", "PUT", "DELETE"],
        ),
        Route(item, _handler(sim, "info", operations.info, contract), methods=["GET"]),
        Route(item, _handler(sim, "change", operations.change, contract), methods=["PUT"]),
        Route(item, _handler(sim, "delete", operations.delete, contract), methods=["DELETE"]),
        Route(
            SEED_DELETE_TYPO + SCOPE + "/{config_id}",
            _handler(sim, "delete", operations.delete, contract),
            methods=["DELETE"],
        ),
    ]
    app = Starlette(routes=routes)
    app.state.simulator = sim  # what it holds and its profile, for whoever serves it
    return FaultMiddleware(app, faults or Faults())


def _handler(sim: AkixiSimulator, name: str, operation: Any, contract: Contract | None) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            credential = _authenticate(sim, request)
            if contract is not None and request.method in ("POST", "PUT"):
                check(contract, "request", name, _json_or_text(await request.body()))
            response: Response = await operation(sim, credential, request)
            if contract is not None and response.status_code == 200 and name in ("list", "info"):
                check(contract, "response", name, json.loads(bytes(response.body))["Data"])
            return response
        except AkixiFailure as failure:
            status = failure.status if sim.profile.numeric_codes or failure.code is None else 400
            return JSONResponse(failure.body(sim.profile.numeric_codes), status_code=status)
        except ContractViolation as violation:
            return JSONResponse({"Result": "Error", "ErrorMessage": str(violation)}, status_code=422)

    return endpoint


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


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

"""Akixi answers that are not a success, as the gateway's upstream errors.

Seed 002's CRM codes 31000-31007 become ``AkixiRejected`` with a gateway code (the ``UserErrorCode`` a
mutation reports) and the seed's code kept as ``seedCode``/``upstreamCode``. Messages are the seed's,
never the upstream's raw body, and never a credential.
"""

from __future__ import annotations

import httpx

from gateway.backends.errors import Rejected
from gateway.backends.integrations import CRM_CODES
from gateway.backends.rest.errors import UpstreamBadResponse, UpstreamRejected

UNAUTHORIZED = "UPSTREAM_UNAUTHORIZED"


class AkixiRejected(Rejected):
    """Akixi refused with one of its CRM codes; ``field`` names the input part at fault."""

    def __init__(self, system: str, seed_code: int) -> None:
        reason, field, message = CRM_CODES[seed_code]
        code = str(seed_code)
        super().__init__(
            reason,
            f"Akixi: {message}",
            field=field,
            seed_code=code,
            system=system,
            seedCode=code,
            upstreamCode=code,
        )
        self.system = system


def failure(system: str, response: httpx.Response) -> Exception:
    """The error for a non-2xx answer. Seed 002 gives no error envelope: ``ErrorCode`` is read as a
    number or as text, and any status (a 400 for every code, or a 404 for 31003) carries it."""
    status = response.status_code
    seed_code = _crm_code(response)
    if seed_code is not None:
        return AkixiRejected(system, seed_code)
    # 429 and 5xx never get here: the shared client retries them and raises its own errors.
    if status in (401, 403):
        message = f"{system} refused the configured credentials (HTTP {status})"
        return UpstreamRejected(system, UNAUTHORIZED, message, upstreamStatus=status)
    if status == 404:
        message = f"{system} does not know this telephone system, partition or device"
        return Rejected("NOT_FOUND", message, field="scope", system=system, upstreamStatus=status)
    return UpstreamRejected(system, "UPSTREAM_REJECTED", f"{system} refused the request (HTTP {status})")


def invalid_response(system: str, what: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(system, f"{system} sent an answer the gateway cannot read: {what}")


def _crm_code(response: httpx.Response) -> int | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("ErrorCode") if isinstance(body, dict) else None
    try:
        number = int(str(code))
    except ValueError:
        return None
    return number if number in CRM_CODES else None

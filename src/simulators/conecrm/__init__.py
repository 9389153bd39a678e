"""ConeCRM simulator (seed 004 read literally, its own in-memory store): ``create_app(secret, ...)``.

It imports nothing from the gateway: it is a second, independent reading of seed 004 that the
gateway's connector is tested against (``tests/test_layering.py`` checks the imports).
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from simulators.conecrm.app import create_app
from simulators.conecrm.profiles import DEFAULT_PROFILE, PROFILES
from simulators.registry import chosen_profile, register

__all__ = ["PROFILES", "create_app", "simulate"]


def configured_secret() -> str:
    """The HS256 secret of the tokens it accepts: ``CONECRM_SIMULATOR_SECRET``, else the gateway's
    ``CRM_GATEWAY_JWT_SECRET`` (so a gateway routed to it with ``forward_caller_token`` is accepted)."""
    secret = os.environ.get("CONECRM_SIMULATOR_SECRET") or os.environ.get("CRM_GATEWAY_JWT_SECRET")
    if not secret:
        raise SystemExit("ConeCRM simulator: set CONECRM_SIMULATOR_SECRET (or CRM_GATEWAY_JWT_SECRET)")
    return secret


@register("conecrm")
def simulate(database_url: str | None, profile_name: str | None = None) -> ASGIApp:
    """``crm-gateway simulate conecrm``: in memory (``database_url`` is not used: the simulator shares no
    storage with the gateway), profile from ``profile_name`` or ``CONECRM_SIMULATOR_PROFILE``."""
    del database_url
    named = profile_name or os.environ.get("CONECRM_SIMULATOR_PROFILE")
    chosen = chosen_profile("conecrm", named, PROFILES, DEFAULT_PROFILE)
    return create_app(configured_secret(), profile_name=chosen)

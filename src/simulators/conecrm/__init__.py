"""ConeCRM simulator (seed 004) over the gateway's own SQL tables: ``create_app(database_url, secret)``."""

from __future__ import annotations

from starlette.types import ASGIApp

from gateway.settings import load_settings
from simulators.conecrm.app import create_app
from simulators.registry import register

__all__ = ["create_app", "simulate"]


@register("conecrm")
def simulate(database_url: str | None) -> ASGIApp:
    """``crm-gateway simulate conecrm``: over the gateway's database (``--database-url`` or
    ``CRM_GATEWAY_DATABASE_URL``), accepting the tokens the gateway mints (``CRM_GATEWAY_JWT_SECRET``),
    so a gateway routed to it with ``forward_caller_token = true`` serves the same tenants."""
    settings = load_settings()
    url = database_url or settings.database_url
    return create_app(url, settings.resolved_jwt_secret(), tenant_claim=settings.jwt_tenant_claim)

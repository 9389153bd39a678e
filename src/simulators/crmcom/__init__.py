"""The CRM.COM simulator (seeds 001 and 003); ``create_app`` builds it.

``crm-gateway simulate crmcom`` serves it with a demo user (organisation, username and password ``demo``).
"""

from __future__ import annotations

from starlette.types import ASGIApp

from simulators.crmcom.app import CrmcomSimulator, create_app
from simulators.crmcom.store import CrmcomStore
from simulators.registry import register

__all__ = ["CrmcomSimulator", "CrmcomStore", "create_app", "simulate"]


@register("crmcom")
def simulate(database_url: str | None) -> ASGIApp:
    """The registry's factory: the data stays in memory (``--database-url`` is not used by this simulator)."""
    return create_app()

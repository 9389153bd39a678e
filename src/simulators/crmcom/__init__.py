"""The CRM.COM simulator (seeds 001 and 003); ``create_app`` builds it.

``crm-gateway simulate crmcom`` (rest-platform's command) serves it with a demo user (organisation,
username and password ``demo``) once ``simulators.registry`` is merged; until then this registers nothing.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from simulators.crmcom.app import CrmcomSimulator, create_app
from simulators.crmcom.store import CrmcomStore

__all__ = ["CrmcomSimulator", "CrmcomStore", "create_app", "simulate"]


def simulate(database_url: str | None) -> ASGIApp:
    """The registry's factory: the data stays in memory (``--database`` is not used by this simulator)."""
    return create_app()


try:  # rest-platform's registry (crm-gateway simulate); absent on branches without it
    from simulators.registry import register
except ImportError:  # pragma: no cover - depends on the merge
    pass
else:
    register("crmcom")(simulate)

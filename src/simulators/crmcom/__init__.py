"""The CRM.COM simulator (seeds 001 and 003); ``create_app`` builds it.

``crm-gateway simulate crmcom`` serves it with a demo user (organisation, username and password ``demo``).
"""

from __future__ import annotations

from starlette.types import ASGIApp

from simulators.crmcom.app import CrmcomSimulator, create_app
from simulators.crmcom.profiles import DEFAULT, PROFILES
from simulators.crmcom.store import CrmcomStore
from simulators.registry import chosen_profile, register

__all__ = ["CrmcomSimulator", "CrmcomStore", "create_app", "simulate"]


@register("crmcom")
def simulate(database_url: str | None, profile_name: str | None = None) -> ASGIApp:
    """The registry's factory (``--profile nulls|sparse``): the data stays in memory (``--database-url`` is
    not used by this simulator)."""
    return create_app(profile=chosen_profile("crmcom", profile_name, PROFILES, DEFAULT.name))

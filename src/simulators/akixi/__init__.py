"""Akixi CRM configuration API simulator (seed 002): ``create_app()`` serves it for tests and demos."""

from __future__ import annotations

from starlette.types import ASGIApp

from simulators.akixi.app import create_app
from simulators.akixi.profiles import DEFAULT, PROFILES
from simulators.akixi.state import AkixiSimulator, Credential, Device, StoredConfig
from simulators.registry import chosen_profile, register

__all__ = ["AkixiSimulator", "Credential", "Device", "StoredConfig", "create_app", "simulate"]


@register("akixi")
def simulate(database_url: str | None, profile_name: str | None = None) -> ASGIApp:
    """``crm-gateway simulate akixi [--profile literal|textual]``: the seed's sample data in memory
    (``--database-url`` is not used); the demo key is ``demo-akixi-key`` and the demo session
    ``demo-session``."""
    del database_url
    return create_app(profile=chosen_profile("akixi", profile_name, PROFILES, DEFAULT.name))

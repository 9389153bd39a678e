"""Simulators by name, for ``crm-gateway simulate <name>``: each vendor package registers its app factory.

    from simulators.registry import register

    @register("conecrm")
    def create_app(database_url: str | None, profile_name: str | None = None) -> ASGIApp: ...

The factory gets the ``--database-url`` option (None when not given: the simulator keeps its data in memory)
and, when ``--profile`` is given, its name (the simulator's reading of what its seed leaves open; an
unknown name raises ``UnknownProfile``), and returns an ASGI app wrapped in ``FaultMiddleware``. A name
is looked up in the registry first, then by importing ``simulators.<name>`` (which registers it), so
only the simulator asked for is loaded.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp

SimulatorFactory = Callable[..., ASGIApp]  # (database_url[, profile_name]) -> app
SIMULATORS: dict[str, SimulatorFactory] = {}
KNOWN = ("conecrm", "crmcom", "akixi")  # the simulators this project ships (once their packages exist)


class UnknownSimulator(LookupError):
    """No simulator of that name in this build; the message lists those that are."""


class UnknownProfile(LookupError):
    """No profile of that name in this simulator; the message lists those it has."""


def chosen_profile(simulator: str, name: str | None, profiles: Mapping[str, Any], default: str) -> str:
    """``name`` (``default`` when None) if ``profiles`` has it; else ``UnknownProfile``."""
    chosen = name or default
    if chosen not in profiles:
        raise UnknownProfile(f"no {simulator} simulator profile {chosen!r}; profiles: {', '.join(profiles)}")
    return chosen


def register(name: str) -> Callable[[SimulatorFactory], SimulatorFactory]:
    def add(factory: SimulatorFactory) -> SimulatorFactory:
        SIMULATORS[name] = factory
        return factory

    return add


def simulator(name: str) -> SimulatorFactory:
    if name not in SIMULATORS and name.isidentifier():
        module = f"simulators.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    if name not in SIMULATORS:
        raise UnknownSimulator(f"no simulator named {name!r}; available: {', '.join(available()) or 'none'}")
    return SIMULATORS[name]


def available() -> list[str]:
    """Registered simulators and the shipped ones whose package is present."""
    present = [name for name in KNOWN if importlib.util.find_spec(f"simulators.{name}") is not None]
    return sorted(set(SIMULATORS) | set(present))

"""Simulators by name, for ``crm-gateway simulate <name>``: each vendor package registers its app factory.

    from simulators.registry import register

    @register("conecrm")
    def create_app(database_url: str | None) -> ASGIApp: ...

The factory gets the ``--database-url`` option (None when not given: the simulator keeps its data in memory)
and returns an ASGI app wrapped in ``FaultMiddleware``. A name is looked up in the registry first, then by
importing ``simulators.<name>`` (which registers it), so only the simulator asked for is loaded.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from starlette.types import ASGIApp

SimulatorFactory = Callable[[str | None], ASGIApp]
SIMULATORS: dict[str, SimulatorFactory] = {}
KNOWN = ("conecrm", "crmcom", "akixi")  # the simulators this project ships (once their packages exist)


class UnknownSimulator(LookupError):
    """No simulator of that name in this build; the message lists those that are."""


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

"""Which backend serves the areas that are no graph entity: customization and integrations.

A configured upstream that serves the area (ConeCRM for customization, Akixi for integrations) serves it
for the whole request; otherwise the request's own backend does, when it implements the area. With
none, the caller gets CAPABILITY_NOT_SERVED naming the area.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from gateway.backends.base import Capability, CapabilityNotServed
from gateway.backends.customization import Customization
from gateway.backends.integrations import Integrations


@runtime_checkable
class CustomizationSource(Protocol):
    def customization(self) -> Customization: ...


@runtime_checkable
class IntegrationsSource(Protocol):
    def integrations(self) -> Integrations: ...


def customization_of(backend: object, upstreams: Iterable[object]) -> Customization:
    for source in (*upstreams, backend):
        if isinstance(source, CustomizationSource):
            return source.customization()
    raise CapabilityNotServed(Capability.CUSTOMIZATION, "The gateway's backend")


def integrations_of(backend: object, upstreams: Iterable[object]) -> Integrations:
    for source in (*upstreams, backend):
        if isinstance(source, IntegrationsSource):
            return source.integrations()
    raise CapabilityNotServed(Capability.INTEGRATIONS, "The gateway's backend")

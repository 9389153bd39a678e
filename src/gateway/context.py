"""What every resolver receives: the caller, its tenant-scoped backend and loaders, and the cost so far."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from gateway.apikeys import ApiKeyStore
from gateway.auth import Principal
from gateway.backends.areas import customization_of, integrations_of
from gateway.backends.automations import AutomationDispatch
from gateway.backends.base import Backend
from gateway.backends.customization import Customization
from gateway.backends.integrations import Integrations
from gateway.backends.records import Entity
from gateway.cost import Cost
from gateway.pubsub import Message, PubSub, tenant_channel
from gateway.settings import Settings
from gateway.storage.base import BlobStorage
from loaders import Loaders

if TYPE_CHECKING:
    from gateway.multiplex import LiveDelivery

log = logging.getLogger(__name__)


@dataclass
class RequestContext:
    principal: Principal
    backend: Backend
    loaders: Loaders
    settings: Settings
    request_id: str
    cost: Cost = field(default_factory=Cost)
    api_keys: ApiKeyStore | None = None  # the API key admin; None where no database serves keys
    pubsub: PubSub | None = None  # where subscription events go; None where nothing subscribes
    # Events of the transaction in progress: published once it commits, dropped if it rolls back.
    outbox: list[Message] = field(default_factory=list)
    # Per-request APIs of the configured upstreams by connector kind ("conecrm", "crmcom", "akixi"), for
    # what is not a routed entity (e.g. Akixi CRM configurations); empty without a routing file.
    upstream_apis: dict[str, Any] = field(default_factory=dict)
    # Routed entities -> ``UpstreamRoute`` (system, batches), for the upstream-call budget; empty without
    # a routing file.
    upstream_routes: Mapping[Entity, Any] = field(default_factory=dict)
    # Whether upstream APIs may fetch only the fields the operation selects (gateway.selection): a single
    # HTTP request or WebSocket operation, not the shared context of a batch.
    selection_hints: bool = False
    # Runs the automation events a committed mutation recorded (None: nothing runs automations here).
    automations: AutomationDispatch | None = None
    storage: BlobStorage | None = None  # where documents' bytes are (gateway.storage); None: no uploads
    # A WebSocket operation's way to its subscription group (gateway.multiplex); None elsewhere.
    live: LiveDelivery | None = None
    # Whether the planner may answer a root field with its JSON text (``gateway.jsontext.JsonText``)
    # rather than decoded values: an HTTP request, whose response ``encode_json`` splices it; not what
    # reads results as Python (in-process ``schema.execute``, the WebSocket multiplexer).
    json_text_results: bool = False

    @property
    def customization(self) -> Customization:
        """Custom fields, labels, saved filters and automations of the caller's tenant, from the backend
        that serves them (``gateway.backends.areas``)."""
        return customization_of(self.backend, self.upstream_apis.values())

    @property
    def integrations(self) -> Integrations:
        """The caller's tenant's integration configurations (Akixi CRM configurations)."""
        return integrations_of(self.backend, self.upstream_apis.values())

    @property
    def actor(self) -> str:
        """Who is written into createdBy / modifiedBy / deletedBy."""
        return self.principal.subject

    async def run_automations(self, event_ids: list[UUID]) -> None:
        """Run the trigger events a committed transaction recorded (their statements count in the
        request's cost); a failure never fails the mutation (the events stay on the work list, and a
        background sweep runs them)."""
        if self.automations is None or not event_ids:
            return
        try:
            await self.automations.run_recorded(self.principal.tenant, event_ids, self.cost)
        except Exception:
            log.exception("request %s: running %d automation events failed", self.request_id, len(event_ids))

    async def publish_outbox(self) -> None:
        """Publish the committed transaction's events; a pub/sub failure never fails the mutation."""
        messages, self.outbox = self.outbox, []
        if self.pubsub is None:
            return
        channel = tenant_channel(self.principal.tenant)
        try:
            for message in messages:
                await self.pubsub.publish(channel, message)
        except Exception:
            log.exception("request %s: publishing %d events failed", self.request_id, len(messages))

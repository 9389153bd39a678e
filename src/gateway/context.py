"""What every resolver receives: the caller, its tenant-scoped backend and loaders, and the cost so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.apikeys import ApiKeyStore
from gateway.auth import Principal
from gateway.backends.base import Backend
from gateway.cost import Cost
from gateway.settings import Settings
from loaders import Loaders


@dataclass
class RequestContext:
    principal: Principal
    backend: Backend
    loaders: Loaders
    settings: Settings
    request_id: str
    cost: Cost = field(default_factory=Cost)
    api_keys: ApiKeyStore | None = None  # the API key admin; None where no database serves keys

    @property
    def actor(self) -> str:
        """Who is written into createdBy / modifiedBy / deletedBy."""
        return self.principal.subject

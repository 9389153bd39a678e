"""What seed 004 leaves open, learned from the vendor: query-builder entity names and filterable fields.

``GET /api/filters`` (seed 004 l. 6341-6368: ``{data: [{entity, filters: [Filter]}]}``, Filter l. 13097-
13125) lists every entity the query builder filters and the fields of each. The connector asks once per
upstream (with the token of the request that needs it) and keeps the answer for ``REFRESH_SECONDS``; the
call is counted in ``extensions.cost`` and the budget of that request. Only the seed's own fields are
used from it (entity names, ``isDeleted``, link fields), which do not differ between a vendor's tenants.
The routing file may name the entities instead
(``options.entities = { Task = "task", Lead = "lead" }``); fields are always learned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.backends.records import Entity
from gateway.backends.rest.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from gateway.backends.rest.conecrm.api import ConeCrmApi

REFRESH_SECONDS = 300.0
# Names a ConeCRM instance may give each entity, tried in order (seed 004 names none).
CANDIDATES: dict[Entity, tuple[str, ...]] = {
    Entity.CONTACT: ("contact",),
    Entity.ACCOUNT: ("account",),
    Entity.LEAD: ("lead", "connection"),
    Entity.EVENT: ("task", "event"),
}
GRAPH_NAMES = {
    Entity.CONTACT: "Contact",
    Entity.ACCOUNT: "Account",
    Entity.LEAD: "Lead",
    Entity.EVENT: "Task",
}


@dataclass(frozen=True)
class Catalog:
    fields: dict[str, frozenset[str]]  # query-builder entity -> filterable fields
    configured: dict[str, str]  # graph type name -> entity name, from the routing file

    def entity(self, entity: Entity) -> str | None:
        name = self.configured.get(GRAPH_NAMES.get(entity, ""))
        if name is not None:
            return name
        return next((n for n in CANDIDATES.get(entity, ()) if n in self.fields), None)

    def filterable(self, entity: Entity, field: str) -> bool:
        name = self.entity(entity)
        return name is not None and field in self.fields.get(name, frozenset())


class Catalogs:
    """Per upstream (one per connector): the catalog, refreshed after REFRESH_SECONDS."""

    def __init__(self, configured: dict[str, str]) -> None:
        self.configured = configured
        self._known: tuple[float, Catalog] | None = None

    async def of(self, api: ConeCrmApi) -> Catalog:
        cached = self._known
        if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
            return cached[1]
        answer = await api.call("GET", "/api/filters")
        catalog = Catalog(_fields(answer, api.system), self.configured)
        self._known = (time.monotonic(), catalog)
        return catalog


def _fields(answer: Any, system: str) -> dict[str, frozenset[str]]:
    entries = answer.get("data") if isinstance(answer, dict) else answer
    if not isinstance(entries, list):
        raise UpstreamUnavailable(system, f"{system} answered GET /api/filters with an unexpected shape")
    found: dict[str, frozenset[str]] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("entity"), str):
            filters = entry.get("filters")
            filters = filters if isinstance(filters, list) else []
            found[entry["entity"]] = frozenset(
                f["field"] for f in filters if isinstance(f, dict) and isinstance(f.get("field"), str)
            )
    return found

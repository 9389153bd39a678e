"""The backend protocols: a small core every backend implements, and one protocol per area.

A backend implements what it serves and nothing more: the core entity reader (and, through its
transaction, the core writer) for the entities it holds, plus the area protocols of what it can do
(phone lookup, the queue's event log and claims, communication numbering, per-tenant counters and the
idempotency memory). ``mypy`` checks each implementation against the protocols it is used as.

``RecordReader``, ``RecordWriter`` and ``Backend`` are what a request sees: the gateway's own backend
(SQL) or the routed one (``gateway.backends.routing``), which serves every area by sending each call to
a backend that implements it, and answers ``CapabilityNotServed`` naming the area when none does.
Customization and integrations have protocols of their own (``gateway.backends.customization``,
``gateway.backends.integrations``); loaders never call them, resolvers reach them through the request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from gateway.backends.customization import Customization
from gateway.backends.errors import InvalidValue
from gateway.backends.integrations import Integrations
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import (
    AuditedRecord,
    CommunicationQueueEntryRecord,
    CommunicationRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
    TenantRecord,
)
from gateway.backends.search import SearchPage
from gateway.errors import GatewayError


class Capability(Enum):
    """An area a backend may or may not serve, named in the error when none serves it."""

    PHONE_LOOKUP = "phone lookup"
    QUEUE_EVENTS = "queue events"
    QUEUE_CLAIMS = "queue claims"
    NUMBERING = "communication numbering"
    CUSTOMIZATION = "customization"
    INTEGRATIONS = "integrations"
    AUTOMATION_RUNS = "automation runs"
    LEAD_COPY = "lead copy"
    SEARCH = "ranked search"
    PROFILE_PHOTOS = "profile photos"


class CapabilityNotServed(GatewayError):
    """No configured backend serves this area for the entity asked about."""

    code = "CAPABILITY_NOT_SERVED"

    def __init__(self, capability: Capability, system: str) -> None:
        super().__init__(
            f"{system} does not serve {capability.value}, and no other configured backend does.",
            capability=capability.name,
            system=system,
        )


@dataclass(frozen=True)
class QueueEvent:
    """One row of a tenant's communication queue event log; ``sequence`` grows per tenant in commit order."""

    sequence: int
    kind: str  # ENQUEUED, CLAIMED, COMPLETED, REJECTED, REMOVED
    entry_id: UUID
    occurred_at: datetime


# -- the core: entities ----------------------------------------------------------------------------------


class EntityReader(Protocol):
    """Reads of graph entities scoped to one tenant: nothing it returns belongs to another tenant."""

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]: ...

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]: ...

    async def count(self, entity: Entity, query: ListQuery) -> int: ...

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]: ...

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]: ...

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]: ...

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> Mapping[Detail, Mapping[UUID, list[Any]]]:
        """``details`` of several kinds at once, each for its owners (``details_kind_by_kind`` is the
        plain way to answer it)."""
        ...


async def details_kind_by_kind(
    reader: EntityReader, wanted: Mapping[Detail, Sequence[UUID]]
) -> dict[Detail, Mapping[UUID, list[Any]]]:
    """``details_of_kinds`` for a backend that gains nothing from reading kinds together."""
    return {detail: await reader.details(detail, owners) for detail, owners in wanted.items()}


class EntityWriter(EntityReader, Protocol):
    """Writes of graph entities. A backend refuses, per call, what its store cannot do for an entity."""

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID: ...

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool: ...

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool: ...

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None: ...

    def invalid_value(
        self, entity: Entity, values: Mapping[str, Any], details: Mapping[Detail, Sequence[Mapping[str, Any]]]
    ) -> InvalidValue | None:
        """What ``insert`` and ``replace_details`` would refuse in these values, without writing."""
        ...

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool: ...

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool: ...

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]: ...

    async def is_referenced(self, entity: Entity, id: UUID) -> bool: ...

    async def purge(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        """Delete a record for good (documents: the row goes with its file); False when none matched."""
        ...

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]: ...


class EntityBackend(EntityReader, Protocol):
    """What an upstream connector gives per request: reads, and a writer for what it can write."""

    def transaction(self) -> AbstractAsyncContextManager[EntityWriter]: ...


# -- areas -------------------------------------------------------------------------------------------------


@runtime_checkable
class PhoneLookup(Protocol):
    async def contacts_by_phone(self, number: str) -> list[ContactRecord]: ...


@runtime_checkable
class TextSearch(Protocol):
    async def search(
        self, text: str, entities: Sequence[Entity], size: int, after: tuple[Any, ...] | None
    ) -> SearchPage:
        """Ranked hits of the full-text index among the caller's visible rows (``backends/search.py``)."""
        ...


@runtime_checkable
class QueueEventLog(Protocol):
    """The communication queue's event log, which subscriptions replay."""

    async def queue_events_after(self, sequence: int, limit: int) -> list[QueueEvent]:
        """The tenant's queue events with a sequence above ``sequence``, oldest first, at most ``limit``."""
        ...

    async def latest_queue_event_sequence(self) -> int:
        """The sequence of the tenant's newest queue event; 0 before the first one."""
        ...


@runtime_checkable
class CommunicationNumbering(Protocol):
    async def communications_numbered_after(
        self, contact_id: UUID, after: int, upto: int, limit: int
    ) -> list[CommunicationRecord]:
        """A contact's visible communications numbered above ``after`` up to ``upto``, in number order.

        Numbers come from a per-tenant counter whose row stays locked until the creating transaction
        commits, so every number up to ``latest_communication_number()`` is committed: a replay up to
        it misses nothing.
        """
        ...

    async def latest_communication_number(self) -> int:
        """The tenant's highest committed communication number; 0 before the first one."""
        ...


class TenantDirectory(Protocol):
    async def tenant_record(self) -> TenantRecord | None: ...


@runtime_checkable
class QueueEventRecorder(Protocol):
    """The writing side of the queue's event log, in a transaction."""

    async def record_queue_events(self, entry_ids: Sequence[UUID], kind: str) -> None:
        """Append ENQUEUED / CLAIMED / COMPLETED / REJECTED / REMOVED events to the queue's event log."""
        ...

    @property
    def recorded_queue_events(self) -> list[QueueEvent]:
        """The queue events this transaction appended, to publish once it has committed."""
        ...


@runtime_checkable
class QueueClaims(Protocol):
    async def claim_queue_entries(
        self, external_system_id: UUID, limit: int, lease_seconds: int, claimant: str
    ) -> tuple[UUID, datetime, list[CommunicationQueueEntryRecord]]:
        """Atomically lease up to ``limit`` claimable PENDING entries: (claim token, lease end, entries).

        Two concurrent claims never return the same entry; a lapsed lease makes an entry claimable again.
        """
        ...


class Counters(Protocol):
    async def next_counter(self, name: str, increment: int = 1) -> int:
        """Reserve values of a per-tenant counter (e.g. communication numbers); returns the last one."""
        ...


class IdempotencyMemory(Protocol):
    """Keys are the caller's own: another caller's same key is another create (tenant, caller, operation)."""

    async def remembered_create(self, caller: str, operation: str, key: str) -> tuple[str, UUID] | None: ...

    async def remember_create(
        self, caller: str, operation: str, key: str, request_hash: str, record_id: UUID
    ) -> None: ...


# -- what a request sees -----------------------------------------------------------------------------------


class RecordReader(
    EntityReader, PhoneLookup, QueueEventLog, CommunicationNumbering, TenantDirectory, Protocol
):
    """Every read area: the gateway's own backend serves them all, the routed one sends each onward."""


class RecordWriter(
    RecordReader,
    EntityWriter,
    QueueEventRecorder,
    QueueClaims,
    Counters,
    IdempotencyMemory,
    Protocol,
):
    """One transaction: everything it does commits together or not at all."""


class Backend(RecordReader, Protocol):
    def transaction(self) -> AbstractAsyncContextManager[RecordWriter]: ...

    def integrations(self) -> Integrations:
        """The tenant's integration configurations in this backend's own store."""
        ...

    def customization(self) -> Customization:
        """The tenant's custom fields, labels, saved filters and automations in this backend's store."""
        ...

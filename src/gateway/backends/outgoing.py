"""Outgoing communications and the queue (seed 001): numbering, completion and queueing, shared by
``communicationCreate`` and the automations' send actions, on any backend's writer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.backends.records import COMMUNICATION_NUMBER_COUNTER, CommunicationRecord, Entity
from gateway.ids import utcnow

if TYPE_CHECKING:
    from gateway.backends.base import RecordWriter


async def enqueue_if_sent(writer: RecordWriter, actor: str, communication: CommunicationRecord) -> None:
    """An outgoing completed communication for an external system becomes a PENDING queue entry."""
    if (
        communication.direction != "OUTGOING"
        or communication.life_cycle_state != "COMPLETED"
        or communication.external_system_id is None
    ):
        return
    values = {
        "communication_id": communication.id,
        "contact_id": communication.contact_id,
        "external_system_id": communication.external_system_id,
        "media": communication.media,
        "life_cycle_state": "PENDING",
    }
    entry_id = await writer.insert(Entity.COMMUNICATION_QUEUE_ENTRY, values, actor)
    await writer.record_queue_events([entry_id], "ENQUEUED")


async def next_number(writer: RecordWriter) -> str:
    return str(await writer.next_counter(COMMUNICATION_NUMBER_COUNTER))


def completion_values() -> dict[str, Any]:
    return {"life_cycle_state": "COMPLETED", "completed_on": utcnow()}

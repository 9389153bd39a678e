"""Communication queue mutations: the work-queue claim, and complete / reject / remove (seed 001 queue).

External senders call ``communicationQueueClaim`` to lease PENDING entries of their system; each entry
is leased to one worker at a time, and a lease that is not acknowledged (by complete, reject or remove)
lapses, so the entry can be claimed again. While a lease runs, only its claim token may acknowledge it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import CommunicationQueueEntryRecord, Entity
from gateway.ids import utcnow
from gateway.permissions import CRM_QUEUE_PROCESS
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import ExpectedVersion, current_record, in_transaction, update_checked
from resolvers.common.node import node_from_record
from resolvers.common.permissions import requires
from resolvers.common.references import Ref, decode_ref, require_refs
from resolvers.common.validation import as_utc
from resolvers.communications.errors import (
    invalid,
    invalid_state,
    lease_held,
    queue_entry_not_found,
    required,
)
from resolvers.communications.types import CommunicationQueueEntry

MAX_LEASE_SECONDS = 3600
ENTRY = Entity.COMMUNICATION_QUEUE_ENTRY
SYSTEM = Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM

EntryId = Annotated[strawberry.ID, strawberry.argument(description="The queue entry's ID.")]
ClaimToken = Annotated[
    str | None,
    strawberry.argument(
        description="The token of your claim; required while another lease runs on the entry."
    ),
]
# The queue event each acknowledgement logs, by the state it moves the entry to.
EVENT_KINDS = {"COMPLETED": "COMPLETED", "REJECTED": "REJECTED", "COMPLETED_AND_REMOVED": "REMOVED"}
# Acknowledging ends the lease; ``claimed_by`` stays as a record of who handled the entry.
LEASE_ENDED = {"claim_token": None, "lease_expires_at": None}


@strawberry.type(description="Result of `communicationQueueClaim`.")
class CommunicationQueueClaimPayload:
    claim_token: str | None = strawberry.field(
        description="Pass it to complete, reject or remove the claimed entries while the lease runs."
    )
    lease_expires_at: dt.datetime | None = strawberry.field(
        description="When the lease lapses; unacknowledged entries can then be claimed by another worker."
    )
    entries: list[CommunicationQueueEntry] = strawberry.field(
        description="The entries leased to you, oldest first."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was claimed.")


@strawberry.type(description="Result of completing, rejecting or removing a communication queue entry.")
class CommunicationQueueEntryPayload:
    entry: CommunicationQueueEntry | None = strawberry.field(description="The entry after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


def _claim_problems(limit: int, lease_seconds: int, max_page_size: int) -> list[UserError]:
    problems = []
    if not 1 <= limit <= max_page_size:
        problems.append(invalid(["max"], f"max must be between 1 and {max_page_size}."))
    if not 1 <= lease_seconds <= MAX_LEASE_SECONDS:
        problems.append(invalid(["leaseSeconds"], f"leaseSeconds must be between 1 and {MAX_LEASE_SECONDS}."))
    return problems


def _token(value: str | None) -> tuple[UUID | None, list[UserError]]:
    if value is None:
        return None, []
    try:
        return uuid.UUID(value), []
    except ValueError:
        return None, [invalid(["claimToken"], "Not a claim token.")]


def _check_lease(entry: CommunicationQueueEntryRecord, token: UUID | None) -> None:
    """A running lease may be acknowledged by its own token only; a lapsed one by anyone."""
    running = entry.lease_expires_at is not None and as_utc(entry.lease_expires_at) > utcnow()
    if running and entry.claim_token != token:
        raise UserErrors([lease_held()])


async def _transition(
    writer: RecordWriter,
    actor: str,
    entry_id: UUID,
    token: UUID | None,
    expected_version: int | None,
    allowed_from: Sequence[str],
    values: dict[str, Any],
) -> UUID:
    """Move an entry to its next life cycle state and log the event, refusing a lease held by another.

    Without ``expectedVersion`` the version read here guards the write, so a claim that slips in
    between answers CONFLICT instead of being overwritten.
    """
    entry = await current_record(writer, ENTRY, entry_id, queue_entry_not_found())
    if entry.life_cycle_state not in allowed_from:
        message = f"Only a {' or '.join(allowed_from)} entry can become {values['life_cycle_state']}."
        raise UserErrors([invalid_state(["id"], message)])
    _check_lease(entry, token)
    version = expected_version if expected_version is not None else entry.version
    changes = {**values, **LEASE_ENDED}
    await update_checked(writer, ENTRY, entry_id, changes, actor, version, queue_entry_not_found())
    await writer.record_queue_events([entry_id], EVENT_KINDS[values["life_cycle_state"]])
    return entry_id


async def _acknowledge(
    info: strawberry.Info,
    id: str,
    claim_token: str | None,
    expected_version: int | None,
    allowed_from: Sequence[str],
    values: dict[str, Any],
) -> CommunicationQueueEntryPayload:
    entry_id = decode_id_of(id, "CommunicationQueueEntry")
    token, problems = _token(claim_token)
    if problems:
        return CommunicationQueueEntryPayload(entry=None, errors=problems)
    actor = info.context.actor
    done, errors = await in_transaction(
        info,
        lambda writer: _transition(writer, actor, entry_id, token, expected_version, allowed_from, values),
    )
    return CommunicationQueueEntryPayload(entry=await load_node(info, ENTRY, done), errors=errors)


async def _claim(
    writer: RecordWriter, actor: str, system_id: UUID, limit: int, lease_seconds: int
) -> tuple[UUID, dt.datetime, list[CommunicationQueueEntryRecord]]:
    # The claim is the transaction's first statement: on SQLite a write first takes the write lock
    # at once (waiting for it), where a read first could not upgrade after a concurrent commit.
    token, expires, entries = await writer.claim_queue_entries(system_id, limit, lease_seconds, actor)
    if not entries:
        await require_refs(writer, [Ref(["externalSystemId"], SYSTEM, system_id)])
    return token, expires, entries


@strawberry.type
class CommunicationQueueMutation:
    @strawberry.mutation(
        description="Lease up to `max` PENDING entries of an external system, oldest first, for "
        "`leaseSeconds`. Each entry is leased to one worker at a time; acknowledge it with "
        "`communicationQueueEntryComplete`, `...Reject` or `...Remove`, or its lease lapses and "
        "another worker may claim it.",
        extensions=requires(CRM_QUEUE_PROCESS),
    )
    async def communication_queue_claim(
        self,
        info: strawberry.Info,
        external_system_id: Annotated[
            strawberry.ID, strawberry.argument(description="The external system whose entries to claim.")
        ],
        max: Annotated[int, strawberry.argument(description="At most this many entries.")] = 10,
        lease_seconds: Annotated[
            int,
            strawberry.argument(description=f"How long the lease runs (1 to {MAX_LEASE_SECONDS} seconds)."),
        ] = 60,
    ) -> CommunicationQueueClaimPayload | None:
        problems = _claim_problems(max, lease_seconds, info.context.settings.max_page_size)
        system_id, ref_problems = decode_ref(
            external_system_id, "CommunicationQueueExternalSystem", SYSTEM, ["externalSystemId"]
        )
        if problems or ref_problems or system_id is None:
            return CommunicationQueueClaimPayload(
                claim_token=None, lease_expires_at=None, entries=[], errors=problems + ref_problems
            )
        actor = info.context.actor
        claimed, errors = await in_transaction(
            info, lambda writer: _claim(writer, actor, system_id, max, lease_seconds)
        )
        if claimed is None:
            return CommunicationQueueClaimPayload(
                claim_token=None, lease_expires_at=None, entries=[], errors=errors
            )
        token, expires, records = claimed
        entries = [node_from_record(ENTRY, record) for record in records]
        return CommunicationQueueClaimPayload(
            claim_token=str(token), lease_expires_at=expires, entries=entries, errors=[]
        )

    @strawberry.mutation(
        description="Mark a PENDING entry COMPLETED: its external system sent it (seed 001 queue/complete).",
        extensions=requires(CRM_QUEUE_PROCESS),
    )
    async def communication_queue_entry_complete(
        self,
        info: strawberry.Info,
        id: EntryId,
        claim_token: ClaimToken = None,
        expected_version: ExpectedVersion = None,
    ) -> CommunicationQueueEntryPayload | None:
        values = {"life_cycle_state": "COMPLETED", "completed_on": utcnow()}
        return await _acknowledge(info, id, claim_token, expected_version, ("PENDING",), values)

    @strawberry.mutation(
        description="Mark a PENDING entry REJECTED with the external system's error code and description "
        "(seed 001 queue/reject; both are required).",
        extensions=requires(CRM_QUEUE_PROCESS),
    )
    async def communication_queue_entry_reject(
        self,
        info: strawberry.Info,
        id: EntryId,
        error_code: Annotated[str, strawberry.argument(description="The external system's error code.")],
        error_description: Annotated[
            str, strawberry.argument(description="The external system's description of the error.")
        ],
        claim_token: ClaimToken = None,
        expected_version: ExpectedVersion = None,
    ) -> CommunicationQueueEntryPayload | None:
        problems = [
            required([name])
            for name, value in (("errorCode", error_code), ("errorDescription", error_description))
            if not value.strip()
        ]
        if problems:
            return CommunicationQueueEntryPayload(entry=None, errors=problems)
        values = {
            "life_cycle_state": "REJECTED",
            "rejected_on": utcnow(),
            "error_code": error_code.strip(),
            "error_description": error_description.strip(),
        }
        return await _acknowledge(info, id, claim_token, expected_version, ("PENDING",), values)

    @strawberry.mutation(
        description="Mark an entry COMPLETED_AND_REMOVED (seed 001 queue/remove): a COMPLETED one, or a "
        "PENDING one that is sent and removed at once.",
        extensions=requires(CRM_QUEUE_PROCESS),
    )
    async def communication_queue_entry_remove(
        self,
        info: strawberry.Info,
        id: EntryId,
        claim_token: ClaimToken = None,
        expected_version: ExpectedVersion = None,
    ) -> CommunicationQueueEntryPayload | None:
        now = utcnow()
        values = {"life_cycle_state": "COMPLETED_AND_REMOVED", "removed_on": now}
        return await _acknowledge(info, id, claim_token, expected_version, ("PENDING", "COMPLETED"), values)

"""The communication queue as a work queue: claims, leases, lapsed leases, acknowledgements, concurrency.

The concurrency tests run several claimers at once, each on its own engine (so its own connection),
against the same tenant's queue; on PostgreSQL the claim relies on ``FOR UPDATE SKIP LOCKED``, on SQLite
on its single writer. No entry may be handed to two claimers.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import gid
from gateway.backends.access import RowAccess
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import create_engine
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from gateway.ids import utcnow

CLAIM = """mutation($system: ID!, $max: Int, $lease: Int) {
  communicationQueueClaim(externalSystemId: $system, max: $max, leaseSeconds: $lease) {
    claimToken leaseExpiresAt entries { id lifeCycleState claimedBy claimCount communication { subject } }
    errors { field code }
  }
}"""
ENTRY = "id lifeCycleState errorCode errorDescription completedOn removedOn leaseExpiresAt"
COMPLETE = f"""mutation($id: ID!, $token: String) {{
  communicationQueueEntryComplete(id: $id, claimToken: $token) {{
    entry {{ {ENTRY} }} errors {{ field code }}
  }}
}}"""
REJECT = f"""mutation($id: ID!, $token: String, $code: String!, $description: String!) {{
  communicationQueueEntryReject(
    id: $id, claimToken: $token, errorCode: $code, errorDescription: $description
  ) {{
    entry {{ {ENTRY} }} errors {{ field code }}
  }}
}}"""
REMOVE = f"""mutation($id: ID!, $token: String) {{
  communicationQueueEntryRemove(id: $id, claimToken: $token) {{ entry {{ {ENTRY} }} errors {{ field code }} }}
}}"""


@pytest.fixture
def comms(engine: Any, tenant: str) -> CommsFactory:
    return CommsFactory(engine, tenant)


async def _queue(comms: CommsFactory, pending: int, **extra_states: int) -> dict[str, Any]:
    """``pending`` PENDING entries of one system (oldest first), plus entries in other states or systems."""
    ada = comms.contact("Ada", "Lovelace")
    system, other = comms.external_system("SMS gateway"), comms.external_system("Other")
    entries = []
    for i in range(pending):
        communication = comms.communication(ada, f"Message {i}", media="SMS", direction="OUTGOING")
        entries.append(comms.queue_entry(communication, ada, system))
    communication = comms.communication(ada, "Elsewhere", media="SMS", direction="OUTGOING")
    comms.queue_entry(communication, ada, other)
    comms.queue_entry(communication, ada, system, is_deleted=True)
    for state, count in extra_states.items():
        for _ in range(count):
            comms.queue_entry(communication, ada, system, life_cycle_state=state)
    await comms.save()
    return {"system": system, "entries": entries, "contact": ada}


def _claim(body: dict[str, Any]) -> dict[str, Any]:
    return body["data"]["communicationQueueClaim"]  # type: ignore[no-any-return]


async def _events(engine: Any, tenant: str) -> list[tuple[int, str, uuid.UUID]]:
    events = t.communication_queue_events
    statement = (
        sa.select(events.c.sequence, events.c.kind, events.c.entry_id)
        .where(events.c.tenant == tenant)
        .order_by(events.c.sequence)
    )
    async with engine.connect() as connection:
        return [(int(r[0]), r[1], r[2]) for r in (await connection.execute(statement)).all()]


async def _expire_leases(comms: CommsFactory) -> None:
    entries = t.communication_queue_entries
    past = utcnow() - timedelta(seconds=1)
    statement = sa.update(entries).where(
        entries.c.tenant == comms.tenant, entries.c.lease_expires_at.is_not(None)
    )
    await comms.execute(statement.values(lease_expires_at=past))


async def test_claims_hand_out_pending_entries_oldest_first_once_each(
    client: Client, comms: CommsFactory, engine: Any, tenant: str
) -> None:
    queue = await _queue(comms, 5, COMPLETED=1, REJECTED=1)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    first = _claim(await client.execute(CLAIM, {"system": system, "max": 2}))
    second = _claim(await client.execute(CLAIM, {"system": system, "max": 2}))
    third = _claim(await client.execute(CLAIM, {"system": system, "max": 2}))
    fourth = _claim(await client.execute(CLAIM, {"system": system, "max": 2}))
    expected = [gid("CommunicationQueueEntry", entry) for entry in queue["entries"]]
    assert [e["id"] for e in first["entries"] + second["entries"] + third["entries"]] == expected
    assert fourth["entries"] == [] and fourth["errors"] == []
    assert first["entries"][0] == {
        "id": expected[0],
        "lifeCycleState": "PENDING",
        "claimedBy": "tester",
        "claimCount": 1,
        "communication": {"subject": "Message 0"},
    }
    assert first["claimToken"] != second["claimToken"] and first["leaseExpiresAt"] is not None
    events = await _events(engine, tenant)
    assert [kind for _, kind, _ in events] == ["CLAIMED"] * 5
    assert [sequence for sequence, _, _ in events] == [1, 2, 3, 4, 5]
    assert [entry for _, _, entry in events] == queue["entries"]


async def test_a_lapsed_lease_makes_the_entry_claimable_again(
    client: Client, comms: CommsFactory, engine: Any, tenant: str
) -> None:
    queue = await _queue(comms, 1)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    first = _claim(await client.execute(CLAIM, {"system": system, "lease": 30}))
    entry = first["entries"][0]["id"]
    assert _claim(await client.execute(CLAIM, {"system": system}))["entries"] == []
    await _expire_leases(comms)
    second = _claim(await client.execute(CLAIM, {"system": system}))
    assert [e["id"] for e in second["entries"]] == [entry] and second["entries"][0]["claimCount"] == 2
    late = (await client.execute(COMPLETE, {"id": entry, "token": first["claimToken"]}))["data"]
    assert late["communicationQueueEntryComplete"]["errors"] == [
        {"field": ["claimToken"], "code": "LEASE_HELD"}
    ]
    anonymous = (await client.execute(COMPLETE, {"id": entry}))["data"]["communicationQueueEntryComplete"]
    assert anonymous["errors"] == [{"field": ["claimToken"], "code": "LEASE_HELD"}]
    done = (await client.execute(COMPLETE, {"id": entry, "token": second["claimToken"]}))["data"]
    completed = done["communicationQueueEntryComplete"]["entry"]
    assert completed["lifeCycleState"] == "COMPLETED" and completed["leaseExpiresAt"] is None
    assert completed["completedOn"] is not None
    assert [kind for _, kind, _ in await _events(engine, tenant)] == ["CLAIMED", "CLAIMED", "COMPLETED"]


async def test_acknowledged_entries_are_not_claimed_again(client: Client, comms: CommsFactory) -> None:
    queue = await _queue(comms, 3)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    claim = _claim(await client.execute(CLAIM, {"system": system, "max": 3}))
    token = claim["claimToken"]
    ids = [e["id"] for e in claim["entries"]]
    await client.execute(COMPLETE, {"id": ids[0], "token": token})
    rejected = (
        await client.execute(REJECT, {"id": ids[1], "token": token, "code": "E42", "description": "No route"})
    )["data"]["communicationQueueEntryReject"]["entry"]
    assert rejected["lifeCycleState"] == "REJECTED" and rejected["errorCode"] == "E42"
    assert rejected["errorDescription"] == "No route"
    await _expire_leases(comms)
    again = _claim(await client.execute(CLAIM, {"system": system, "max": 3}))
    assert [e["id"] for e in again["entries"]] == [ids[2]]


async def test_a_lapsed_lease_may_be_acknowledged_without_its_token(
    client: Client, comms: CommsFactory
) -> None:
    queue = await _queue(comms, 1)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    entry = _claim(await client.execute(CLAIM, {"system": system}))["entries"][0]["id"]
    await _expire_leases(comms)
    done = (await client.execute(COMPLETE, {"id": entry}))["data"]["communicationQueueEntryComplete"]
    assert done["errors"] == [] and done["entry"]["lifeCycleState"] == "COMPLETED"


async def test_queue_life_cycle_rules(client: Client, comms: CommsFactory, engine: Any, tenant: str) -> None:
    queue = await _queue(comms, 3)
    first, second, third = (gid("CommunicationQueueEntry", entry) for entry in queue["entries"])
    blank = (await client.execute(REJECT, {"id": first, "code": " ", "description": ""}))["data"]
    assert blank["communicationQueueEntryReject"]["errors"] == [
        {"field": ["errorCode"], "code": "REQUIRED"},
        {"field": ["errorDescription"], "code": "REQUIRED"},
    ]
    await client.execute(REJECT, {"id": first, "code": "E1", "description": "Bad number"})
    for query, name in ((COMPLETE, "Complete"), (REMOVE, "Remove"), (REJECT, "Reject")):
        variables = {"id": first, "code": "E", "description": "D"}
        refused = (await client.execute(query, variables))["data"][f"communicationQueueEntry{name}"]
        assert refused["errors"] == [{"field": ["id"], "code": "INVALID_STATE"}], name
    await client.execute(COMPLETE, {"id": second})
    removed = (await client.execute(REMOVE, {"id": second}))["data"]["communicationQueueEntryRemove"]["entry"]
    assert removed["lifeCycleState"] == "COMPLETED_AND_REMOVED" and removed["removedOn"] is not None
    direct = (await client.execute(REMOVE, {"id": third}))["data"]["communicationQueueEntryRemove"]["entry"]
    assert direct["lifeCycleState"] == "COMPLETED_AND_REMOVED"
    kinds = [kind for _, kind, _ in await _events(engine, tenant)]
    assert kinds == ["REJECTED", "COMPLETED", "REMOVED", "REMOVED"]
    unknown = gid("CommunicationQueueEntry", uuid.UUID(int=3))
    missing = (await client.execute(COMPLETE, {"id": unknown}))["data"]["communicationQueueEntryComplete"]
    assert missing["errors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    garbled = (await client.execute(COMPLETE, {"id": third, "token": "nope"}))["data"]
    assert garbled["communicationQueueEntryComplete"]["errors"] == [
        {"field": ["claimToken"], "code": "INVALID"}
    ]


async def test_claim_refuses_bad_arguments(
    client: Client, comms: CommsFactory, engine: Any, tenant: str
) -> None:
    queue = await _queue(comms, 1)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    cases: list[tuple[dict[str, Any], list[tuple[list[str], str]]]] = [
        ({"system": system, "max": 0}, [(["max"], "INVALID")]),
        ({"system": system, "max": 101}, [(["max"], "INVALID")]),
        ({"system": system, "lease": 0}, [(["leaseSeconds"], "INVALID")]),
        ({"system": system, "lease": 3601}, [(["leaseSeconds"], "INVALID")]),
        (
            {"system": gid("CommunicationQueueExternalSystem", uuid.UUID(int=1))},
            [(["externalSystemId"], "NOT_FOUND")],
        ),
        ({"system": gid("Contact", queue["contact"])}, [(["externalSystemId"], "NOT_FOUND")]),
    ]
    for variables, expected in cases:
        payload = _claim(await client.execute(CLAIM, variables))
        assert [(e["field"], e["code"]) for e in payload["errors"]] == expected, variables
        assert payload["entries"] == [] and payload["claimToken"] is None
    assert await _events(engine, tenant) == []


async def test_processing_the_queue_needs_crm_queue_process(
    client: Client, comms: CommsFactory, settings: Any, tenant: str
) -> None:
    queue = await _queue(comms, 1)
    viewer = Client(client.http, token_for(settings, tenant, permissions=["CRM_QUEUE_VIEW"]))
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    body = (await viewer.post(CLAIM, {"system": system})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["permission"] == "CRM_QUEUE_PROCESS"


# -- concurrency -----------------------------------------------------------------------------------------

WORKERS = 6
ENTRIES = 60


async def _drain(database_url: str, tenant: str, system: uuid.UUID, worker: int) -> list[uuid.UUID]:
    """One worker on its own engine: claim 3 at a time until the queue has nothing left for it."""
    engine = create_engine(database_url)
    claimed: list[uuid.UUID] = []
    try:
        while True:
            async with SqlBackend(
                engine, tenant, RowAccess.unrestricted("worker"), Cost()
            ).transaction() as writer:
                _, _, entries = await writer.claim_queue_entries(system, 3, 300, f"worker-{worker}")
            if not entries:
                return claimed
            claimed += [entry.id for entry in entries]
            await asyncio.sleep(0)  # let the other workers in between claims
    finally:
        await engine.dispose()


async def test_concurrent_claimers_on_separate_connections_never_share_an_entry(
    database_url: str, comms: CommsFactory, engine: Any, tenant: str
) -> None:
    queue = await _queue(comms, ENTRIES)
    results = await asyncio.gather(
        *(_drain(database_url, tenant, queue["system"], worker) for worker in range(WORKERS))
    )
    everything = [entry for claimed in results for entry in claimed]
    assert len(everything) == len(set(everything)) == ENTRIES
    assert set(everything) == set(queue["entries"])
    events = await _events(engine, tenant)
    assert [sequence for sequence, _, _ in events] == list(range(1, ENTRIES + 1))
    assert sorted(entry for _, _, entry in events) == sorted(queue["entries"])


async def test_concurrent_claims_through_the_api_never_share_an_entry(
    client: Client, comms: CommsFactory, settings: Any, tenant: str
) -> None:
    queue = await _queue(comms, 20)
    system = gid("CommunicationQueueExternalSystem", queue["system"])
    workers = [Client(client.http, token_for(settings, tenant, subject=f"w{i}")) for i in range(WORKERS)]
    bodies = await asyncio.gather(
        *(worker.execute(CLAIM, {"system": system, "max": 4}) for worker in workers)
    )
    claims = [_claim(body) for body in bodies]
    everything = [entry["id"] for claim in claims for entry in claim["entries"]]
    assert len(everything) == len(set(everything)) == 20
    for index, claim in enumerate(claims):
        assert all(entry["claimedBy"] == f"w{index}" for entry in claim["entries"])

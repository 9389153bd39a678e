"""The communication queue routed to the CRM.COM simulator: lists, latest and pending/completed entries,
nested entries, and the complete / reject / remove mutations (seed 001 communications/queue/...)."""

from __future__ import annotations

from typing import Any

from conftest import Client
from crmcom_env import CrmSeed, Simulator, cost
from factories import gid

ENTRY_FIELDS = "id lifeCycleState media errorCode communication { subject } contact { firstName }"


async def _queue(seed: CrmSeed) -> dict[str, Any]:
    ada, bob = seed.contact("Ada", "Lovelace"), seed.contact("Bob", "Stone")
    system_id, system = seed.external_system("SMS gateway")
    first = seed.communication(ada, "First", media="SMS", direction="OUTGOING")
    second = seed.communication(ada, "Second", media="SMS", direction="OUTGOING")
    third = seed.communication(bob, "Third", media="SMS", direction="OUTGOING")
    mail = seed.communication(bob, "Mail", media="EMAIL", direction="OUTGOING", to="bob@example.com")
    entries = {
        "first": seed.entry(first, system, life_cycle_state="COMPLETED"),
        "second": seed.entry(second, system),
        "third": seed.entry(third, system, life_cycle_state="REJECTED", error_code="E1"),
        "mail": seed.entry(mail, system),
    }
    await seed.save()
    return {"ada": ada, "bob": bob, "system": system_id, "second_communication": second, **entries}


async def test_queue_entries_listed_by_system_contact_and_state(crm_client: Client, seed: CrmSeed) -> None:
    data = await _queue(seed)
    query = f"""query($f: CommunicationQueueEntryFilter) {{
      communicationQueueEntries(first: 10, filter: $f) {{ totalCount edges {{ node {{ {ENTRY_FIELDS} }} }} }}
    }}"""
    system = gid("CommunicationQueueExternalSystem", data["system"])
    cases = [
        ({"externalSystemId": {"eq": system}}, ["First", "Second", "Third", "Mail"]),
        (
            {"externalSystemId": {"eq": system}, "contactId": {"eq": gid("Contact", data["bob"])}},
            ["Third", "Mail"],
        ),
        ({"media": {"eq": "SMS"}, "lifeCycleState": {"eq": "PENDING"}}, ["Second"]),
    ]
    for filter, expected in cases:
        found = (await crm_client.execute(query, {"f": filter}))["data"]["communicationQueueEntries"]
        assert [edge["node"]["communication"]["subject"] for edge in found["edges"]] == expected, filter
        assert found["totalCount"] == len(expected)
    rejected = (await crm_client.execute(query, {"f": cases[1][0]}))["data"]["communicationQueueEntries"]
    assert rejected["edges"][0]["node"]["errorCode"] == "E1"
    assert rejected["edges"][0]["node"]["contact"] == {"firstName": "Bob"}


async def test_queue_needs_exactly_one_of_system_and_media(crm_client: Client, seed: CrmSeed) -> None:
    await _queue(seed)
    response = await crm_client.post("{ communicationQueueEntries(first: 5) { totalCount } }")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_FILTER" and "exactly one of" in error["message"]


async def test_latest_and_pending_completed_use_their_methods(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    data = await _queue(seed)
    system = gid("CommunicationQueueExternalSystem", data["system"])
    body = await crm_client.execute(
        """query($s: ID!) {
          communicationQueueLatest(number: 2, media: SMS) { communication { subject } }
          communicationQueuePendingCompleted(externalSystemId: $s) {
            lifeCycleState communication { subject }
          }
        }""",
        {"s": system},
    )
    latest = [e["communication"]["subject"] for e in body["data"]["communicationQueueLatest"]]
    assert latest == ["Third", "Second"]
    pending_completed = body["data"]["communicationQueuePendingCompleted"]
    assert [(e["lifeCycleState"], e["communication"]["subject"]) for e in pending_completed] == [
        ("PENDING", "Mail"),
        ("PENDING", "Second"),
        ("COMPLETED", "First"),
    ]
    assert simulator.calls("communications/queue/get_latest") == 1
    assert simulator.calls("communications/queue/get_pending_completed") == 1


async def test_entry_by_id_and_a_communications_entries(crm_client: Client, seed: CrmSeed) -> None:
    data = await _queue(seed)
    body = await crm_client.execute(
        f"""query($e: ID!, $c: ID!) {{
          communicationQueueEntry(id: $e) {{ {ENTRY_FIELDS} }}
          communication(id: $c) {{
            queueEntries(first: 5) {{ totalCount edges {{ node {{ lifeCycleState }} }} }}
          }}
        }}""",
        {
            "e": gid("CommunicationQueueEntry", data["first"]),
            "c": gid("Communication", data["second_communication"]),
        },
    )
    assert body["data"]["communicationQueueEntry"]["lifeCycleState"] == "COMPLETED"
    assert body["data"]["communicationQueueEntry"]["communication"] == {"subject": "First"}
    entries = body["data"]["communication"]["queueEntries"]
    assert entries["totalCount"] == 1 and entries["edges"] == [{"node": {"lifeCycleState": "PENDING"}}]


async def test_complete_reject_and_remove_go_to_crmcom(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    data = await _queue(seed)
    complete = """mutation($id: ID!) { communicationQueueEntryComplete(id: $id) {
      entry { lifeCycleState } errors { code message } } }"""
    body = await crm_client.execute(complete, {"id": gid("CommunicationQueueEntry", data["second"])})
    assert body["data"]["communicationQueueEntryComplete"] == {
        "entry": {"lifeCycleState": "COMPLETED"},
        "errors": [],
    }
    assert simulator.store.org(tenant).queue[data["second"].hex.upper()]["life_cycle_state"] == "COMPLETED"
    assert simulator.calls("communications/queue/complete", "POST") == 1

    reject = """mutation($id: ID!) {
      communicationQueueEntryReject(id: $id, errorCode: "E9", errorDescription: "No signal") {
        entry { lifeCycleState errorCode errorDescription } errors { code }
      }
    }"""
    body = await crm_client.execute(reject, {"id": gid("CommunicationQueueEntry", data["mail"])})
    assert body["data"]["communicationQueueEntryReject"]["entry"] == {
        "lifeCycleState": "REJECTED",
        "errorCode": "E9",
        "errorDescription": "No signal",
    }
    remove = "mutation($id: ID!) { communicationQueueEntryRemove(id: $id) { entry { lifeCycleState } } }"
    body = await crm_client.execute(remove, {"id": gid("CommunicationQueueEntry", data["first"])})
    assert body["data"]["communicationQueueEntryRemove"]["entry"] == {
        "lifeCycleState": "COMPLETED_AND_REMOVED"
    }


async def test_a_state_crmcom_refuses_comes_back_with_its_code(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    """The graph lets a PENDING entry be removed; CRM.COM's queue/remove takes COMPLETED ones only."""
    data = await _queue(seed)
    remove = "mutation($id: ID!) { communicationQueueEntryRemove(id: $id) { entry { lifeCycleState } } }"
    response = await crm_client.post(remove, {"id": gid("CommunicationQueueEntry", data["second"])})
    body = response.json()
    assert response.status_code == 200 and body["data"]["communicationQueueEntryRemove"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "CRMCOM_INVALID_LIFE_CYCLE_STATE"
    assert error["extensions"]["upstreamCode"] == "INVALID_LIFE_CYCLE_STATE"
    assert error["extensions"]["system"] == "crmcom"
    assert simulator.calls("communications/queue/remove", "POST") == 1
    assert cost(body)["upstreamCallsBySystem"]["crmcom"] >= 2

"""Communication queries with communications and queue entries routed to the CRM.COM simulator."""

from __future__ import annotations

from typing import Any

from conftest import Client
from crmcom_env import CrmSeed, Simulator, cost
from factories import gid

QUERY_BY_ID = """query($id: ID, $number: String) {
  communication(id: $id, number: $number) {
    id number subject media direction lifeCycleState to contact { firstName } category { name }
  }
}"""


async def _mixed(seed: CrmSeed) -> dict[str, Any]:
    ada, bob = seed.contact("Ada", "Lovelace"), seed.contact("Bob", "Stone")
    billing_id, billing = seed.category("Billing")
    ids = {
        "email": seed.communication(ada, "Invoice", media="EMAIL", to="ada@example.com", category=billing),
        "sms": seed.communication(ada, "Reminder", media="SMS", direction="OUTGOING"),
        "call": seed.communication(ada, "Call back", category=billing),
        "letter": seed.communication(ada, "Contract", media="LETTER", life_cycle_state="DRAFT"),
        "bob": seed.communication(bob, "Hello Bob"),
    }
    await seed.save()
    return {"ada": ada, "bob": bob, "billing": billing_id, **ids}


async def test_communication_by_id_and_by_number(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    data = await _mixed(seed)
    body = await crm_client.execute(QUERY_BY_ID, {"id": gid("Communication", data["email"])})
    found = body["data"]["communication"]
    assert found["subject"] == "Invoice" and found["media"] == "EMAIL" and found["to"] == "ada@example.com"
    assert found["contact"] == {"firstName": "Ada"} and found["category"] == {"name": "Billing"}
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 2}  # login, then communications/show
    by_number = await crm_client.execute(QUERY_BY_ID, {"number": found["number"]})
    assert by_number["data"]["communication"]["id"] == found["id"]
    missing = await crm_client.execute(QUERY_BY_ID, {"number": "no-such-number"})
    assert missing["data"]["communication"] is None

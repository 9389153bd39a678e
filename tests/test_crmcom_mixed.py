"""Mixed backends: contacts in SQL, their communications in CRM.COM, linked by ThirdPartyIds whose
systemName is the upstream's ``system_name``; the contacts' row rules still hide communications."""

from __future__ import annotations

import pytest

from conftest import Client, token_for
from crmcom_env import CrmSeed, Simulator, cost
from factories import gid

MIXED = """query($n: Int!) {
  contacts(first: $n, filter: {lastName: {eq: "Linked"}}) { edges { node {
    firstName
    tags: thirdPartyIds { systemName }
    communications(first: 2) { totalCount edges { node { subject media } } }
  } } }
}"""


@pytest.mark.parametrize("rows", [10, 100])
async def test_sql_contacts_resolve_their_crmcom_communications(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, rows: int
) -> None:
    for i in range(rows):
        contact = seed.linked_contact(f"C{i}", "Linked")
        for j in range(3):
            seed.communication(contact, f"{i}-{j}")
    await seed.save()
    body = await crm_client.execute(MIXED, {"n": rows})
    contacts = [edge["node"] for edge in body["data"]["contacts"]["edges"]]
    assert len(contacts) == rows
    assert contacts[0]["tags"] == [{"systemName": "CRM.COM"}]
    assert contacts[0]["communications"]["totalCount"] == 3
    assert [e["node"]["subject"] for e in contacts[0]["communications"]["edges"]] == ["0-0", "0-1"]
    assert [e["node"]["subject"] for e in contacts[-1]["communications"]["edges"]] == [
        f"{rows - 1}-0",
        f"{rows - 1}-1",
    ]
    # No batch form (seed 001): one communications/list per contact, read whole (it has no paging
    # parameters) and shared by the page and its count, plus the login.
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": rows + 1}
    assert cost(body)["sqlStatements"] <= 4  # contacts, their ThirdPartyIds: not one per contact


async def test_a_contact_linked_to_another_system_finds_nothing_here(
    crm_client: Client, seed: CrmSeed
) -> None:
    """A ThirdPartyId of another system is not CRM.COM's: the contact is looked up under its own id."""
    contact = seed.linked_contact("Other", "Linked", system_name="ConeCRM")
    seed.communication(contact, "Not reachable by this link")
    await seed.save()
    body = await crm_client.execute(MIXED, {"n": 5})
    [node] = [edge["node"] for edge in body["data"]["contacts"]["edges"]]
    assert node["communications"] == {"totalCount": 0, "edges": []}


async def test_communications_of_hidden_contacts_stay_hidden(
    crm_client: Client, seed: CrmSeed, settings: object, tenant: str
) -> None:
    """A private contact (ContactPermission ownerOnly, made by someone else) hides its communications
    from every path, as in SQL: the CRM.COM backend asks the contacts' backend, in one batched call."""
    mine, private = (
        seed.contact("Mine", "Visible"),
        seed.contact("Private", "Hidden", created_by="someone-else"),
    )
    seed.comms.contact_permission(private, owner_only=True)
    visible_call = seed.communication(mine, "Visible call")
    hidden_call = seed.communication(private, "Hidden call")
    await seed.save()
    reader = Client(
        crm_client.http,
        token_for(settings, tenant, permissions=["CRM_COMMUNICATION_VIEW", "CUST_READ"]),  # type: ignore[arg-type]
    )
    body = await reader.execute(
        """query($ids: [ID!]!, $p: ID!) {
          nodes(ids: $ids) { ... on Communication { subject } }
          communications(first: 5, filter: {contactId: {eq: $p}}) { totalCount edges { node { subject } } }
        }""",
        {
            "ids": [gid("Communication", visible_call), gid("Communication", hidden_call)],
            "p": gid("Contact", private),
        },
    )
    assert body["data"]["nodes"] == [{"subject": "Visible call"}, None]
    assert body["data"]["communications"] == {"totalCount": 0, "edges": []}

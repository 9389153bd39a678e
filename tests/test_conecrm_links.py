"""Account membership links written to ConeCRM: ``accountAddContact`` / ``accountRemoveContact`` become a
``PATCH /api/account/{account}`` of the account's ``contacts`` (seed 004 l. 2980-3050), which the
simulator keeps in its own store on both sides (Account.contacts, Contact.accounts) and answers on read.
Where the account lives in the gateway's SQL and names its ConeCRM account by a ThirdPartyId, the
graph's account id is translated to ConeCRM's for the write, and back for the read."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from conecrm_support import client_for, routed_gateway, routing_file
from factories import Factory, gid
from gateway.backends.sql import tables as t
from simulators.conecrm import records
from simulators.conecrm.store import Store
from simulators.faults import Faults

ADD = """mutation($a: ID!, $c: ID!) { accountAddContact(accountId: $a, contactId: $c) {
  account { id contacts { totalCount edges { node { id } } } } errors { code } } }"""
REMOVE = """mutation($a: ID!, $c: ID!) { accountRemoveContact(accountId: $a, contactId: $c) {
  account { id contacts { totalCount } } errors { code } } }"""
MEMBERS = """query($a: ID!) { node(id: $a) { ... on Account { contacts { edges { node { id } } } } } }"""


def _ids(store: Store, tenant: str, kind: str, record_id: uuid.UUID, member: str) -> list[str]:
    record = store.get(tenant, kind, str(record_id))
    assert record is not None
    return [item["id"] for item in record[member]]


async def test_a_membership_lands_in_conecrm_and_reads_back(
    database_url: str,
    conecrm_sim: tuple[str, Faults, Store],
    faults: Faults,
    factory: Factory,
    tenant: str,
    tmp_path: Path,
) -> None:
    store = conecrm_sim[2]
    contact = factory.contact("Ada", "Lovelace")
    other = factory.contact("Grace", "Hopper")
    account = factory.account("Analytical Engines", contacts=[other])
    await factory.save()
    variables = {"a": gid("Account", account), "c": gid("Contact", contact)}
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0])) as pair:
        client = client_for(*pair, tenant)
        added = (await client.execute(ADD, variables))["data"]["accountAddContact"]
        held = _ids(store, tenant, "account", account, "contacts")
        again = (await client.execute(ADD, variables))["data"]["accountAddContact"]
        removed = (await client.execute(REMOVE, variables))["data"]["accountRemoveContact"]
    assert added["errors"] == [] and added["account"]["contacts"]["totalCount"] == 2
    assert {edge["node"]["id"] for edge in added["account"]["contacts"]["edges"]} == {
        gid("Contact", contact),
        gid("Contact", other),
    }
    assert held == [str(other), str(contact)]
    assert again["errors"] == [] and again["account"]["contacts"]["totalCount"] == 2  # a no-op
    assert removed == {
        "account": {"id": gid("Account", account), "contacts": {"totalCount": 1}},
        "errors": [],
    }
    assert _ids(store, tenant, "account", account, "contacts") == [str(other)]
    assert _ids(store, tenant, "contact", contact, "accounts") == []
    # one PATCH for the add, none for the repeated add, one for the removal
    assert faults.calls("PATCH", f"/api/account/{account}") == 2


async def test_the_graphs_account_id_is_translated_to_conecrms_and_back(
    database_url: str,
    conecrm_sim: tuple[str, Faults, Store],
    faults: Faults,
    engine: Any,
    tenant: str,
    tmp_path: Path,
) -> None:
    """Contacts in ConeCRM, accounts in SQL: the SQL account names its ConeCRM account (another id) by a
    ThirdPartyId with ConeCRM's ``systemName``; the link is written there and read back under the graph's
    account id. The account's copy under the graph's id in ConeCRM does not exist, so a write sent with the
    graph's id would fail."""
    store = conecrm_sim[2]
    sql = Factory(engine, tenant)  # SQL rows only: the ConeCRM records are put below, under their own ids
    account = sql.account("Analytical Engines")
    conecrm_account = uuid.uuid4()
    sql._pending[t.third_party_ids.name].append(
        {
            "id": uuid.uuid4(),
            "tenant": tenant,
            "owner_id": account,
            "system_name": "ConeCRM",
            "third_party_id": str(conecrm_account),
            "date_created": sql.next_time(),
        }
    )
    await sql.save()
    contact = uuid.uuid4()
    store.put(tenant, "contact", records.contact(id=str(contact), firstName="Ada", lastName="Lovelace"))
    store.put(tenant, "account", records.account(id=str(conecrm_account), name="Analytical Engines"))
    variables = {"a": gid("Account", account), "c": gid("Contact", contact)}
    routing = routing_file(tmp_path, conecrm_sim[0], routed=("Contact",))
    async with routed_gateway(database_url, routing) as pair:
        client = client_for(*pair, tenant)
        added = (await client.execute(ADD, variables))["data"]["accountAddContact"]
        members = await client.execute(MEMBERS, {"a": gid("Account", account)})
        held = _ids(store, tenant, "account", conecrm_account, "contacts")
        back = _ids(store, tenant, "contact", contact, "accounts")
        removed = (await client.execute(REMOVE, variables))["data"]["accountRemoveContact"]
    assert added["errors"] == [] and added["account"]["contacts"]["edges"] == [
        {"node": {"id": gid("Contact", contact)}}
    ]
    assert members["data"]["node"]["contacts"]["edges"] == [{"node": {"id": gid("Contact", contact)}}]
    assert held == [str(contact)]
    assert back == [str(conecrm_account)]
    assert store.get(tenant, "account", str(account)) is None
    assert faults.calls("PATCH", f"/api/account/{conecrm_account}") == 2
    assert removed["errors"] == [] and removed["account"]["contacts"] == {"totalCount": 0}
    assert _ids(store, tenant, "account", conecrm_account, "contacts") == []

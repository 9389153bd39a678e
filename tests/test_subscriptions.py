"""Live subscriptions over graphql-transport-ws, against real ``crm-gateway serve`` processes and real
WebSocket clients, on SQLite and PostgreSQL.

"Never arrives" is shown without waiting for silence: events reach a subscriber in the order they were
published, so after the event that must not arrive the test causes one that must, and checks that the
first event it receives is that one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from comms_factory import CommsFactory
from conftest import SECRET, token_for
from factories import gid
from gateway.settings import load_settings
from resolvers.communications.subscriptions import encode_event_cursor
from servers import gateway_server
from test_permissions import SUBSCRIPTIONS, _without
from ws_client import WsClient, authenticated, ws_client

QUEUE_UPDATED = """subscription($filter: CommunicationQueueEntryFilter, $after: String) {
  communicationQueueUpdated(filter: $filter, after: $after) {
    kind cursor
    entry { id lifeCycleState media contact { firstName } communication { subject } }
  }
}"""
CREATED = """subscription($contact: ID!) {
  communicationCreated(contactId: $contact) { communication { subject media contact { lastName } } }
}"""
CREATED_AFTER = """subscription($contact: ID!, $after: String) {
  communicationCreated(contactId: $contact, after: $after) { cursor communication { subject } }
}"""
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { communication { id queueEntries { edges { node { id } } } }
  errors { code } }
}"""
CLAIM = """mutation($system: ID!, $max: Int) {
  communicationQueueClaim(externalSystemId: $system, max: $max) { claimToken entries { id } errors { code } }
}"""
COMPLETE = """mutation($id: ID!, $token: String) {
  communicationQueueEntryComplete(id: $id, claimToken: $token) { errors { code } }
}"""
REJECT = """mutation($id: ID!) {
  communicationQueueEntryReject(id: $id, errorCode: "E1", errorDescription: "No route") { errors { code } }
}"""
REMOVE = """mutation($id: ID!) { communicationQueueEntryRemove(id: $id) { errors { code } } }"""
ALL = ["CRM_ALL", "CUST_ALL"]
# Every test works in a fresh tenant: subscribing after its event 0 replays all of it, so an event that
# happens while the subscription is still being set up is not lost (and the tests do not race it).
FROM_START = {"after": encode_event_cursor(0)}


def _env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    return {"CRM_GATEWAY_JWT_SECRET": SECRET, "CRM_GATEWAY_DATABASE_URL": database_url, **extra}


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("subscriptions")
    with gateway_server(folder, _env(database_url, folder, CRM_GATEWAY_WS_PING_SECONDS="0.2")) as base:
        yield base


def _token(tenant: str, permissions: list[str] | None = None, subject: str = "tester") -> str:
    return token_for(
        load_settings(jwt_secret=SECRET), tenant, subject=subject, permissions=permissions or ALL
    )


class Tenant:
    """One tenant's data and a caller that changes it over HTTP on a given server."""

    def __init__(self, base: str, name: str, world: dict[str, Any]) -> None:
        self.base, self.name, self.world = base, name, world
        self.token = _token(name)

    def execute(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = httpx.post(
            f"{self.base}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=30
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def note(self, subject: str, contact: str = "ada") -> None:
        """An incoming phone call: a new communication that is not queued."""
        input = {
            "contactId": self.world[contact],
            "direction": "INCOMING",
            "media": "PHONE",
            "subject": subject,
            "content": "Hi",
        }
        assert self.execute(CREATE, {"input": input})["communicationCreate"]["errors"] == []

    def send(self, subject: str, media: str = "SMS", system: str = "system", contact: str = "ada") -> str:
        """An outgoing completed communication for an external system: queued (ENQUEUED). Its entry's ID."""
        input = {
            "contactId": self.world[contact],
            "externalSystemId": self.world[system],
            "direction": "OUTGOING",
            "media": media,
            "subject": subject,
            "content": "Hi",
            "to": "ada@example.com",
        }
        created = self.execute(CREATE, {"input": input})["communicationCreate"]
        assert created["errors"] == [], created
        return str(created["communication"]["queueEntries"]["edges"][0]["node"]["id"])


async def _world(engine: Any, tenant: str) -> dict[str, Any]:
    comms = CommsFactory(engine, tenant)
    ada, bob = comms.contact("Ada", "Lovelace"), comms.contact("Bob", "Builder")
    system, other = comms.external_system("SMS gateway"), comms.external_system("Mailer")
    await comms.save()
    return {
        "ada": gid("Contact", ada),
        "bob": gid("Contact", bob),
        "system": gid("CommunicationQueueExternalSystem", system),
        "other": gid("CommunicationQueueExternalSystem", other),
    }


@pytest.fixture
async def acme(server: str, engine: Any, tenant: str) -> Tenant:
    return Tenant(server, tenant, await _world(engine, tenant))


async def until_live(ws: WsClient, operation_id: str, tenant: Tenant) -> None:
    """Log calls until one reaches a ``communicationCreated`` subscription: from then on it is live."""
    for attempt in range(100):
        tenant.note(f"Probe {attempt}")
        try:
            message = await ws.next_of(operation_id, timeout=0.3)
        except TimeoutError:
            continue
        # A late probe may still be followed by later ones: read up to the last one sent.
        while _subject(message) != f"Probe {attempt}":
            message = await ws.next_of(operation_id)
        return
    raise AssertionError("the subscription did not become live")


def _subject(message: dict[str, Any]) -> str:
    assert message["type"] == "next", message
    return str(message["payload"]["data"]["communicationCreated"]["communication"]["subject"])


def _event(data: dict[str, Any]) -> dict[str, Any]:
    return data["communicationQueueUpdated"]  # type: ignore[no-any-return]


async def test_each_change_of_an_entry_arrives_with_its_kind_and_nested_data(acme: Tenant) -> None:
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        await ws.subscribe("c", CREATED, {"contact": acme.world["ada"]})
        await until_live(ws, "c", acme)
        entry = acme.send("First")
        claim = acme.execute(CLAIM, {"system": acme.world["system"], "max": 5})["communicationQueueClaim"]
        acme.execute(COMPLETE, {"id": entry, "token": claim["claimToken"]})
        acme.execute(REMOVE, {"id": entry})
        rejected = acme.send("Second")
        acme.execute(REJECT, {"id": rejected})
        events = [_event(data) for data in await ws.events("q", 6)]
        created = await ws.events("c", 2)
    assert [(e["kind"], e["entry"]["id"]) for e in events] == [
        ("ENQUEUED", entry),
        ("CLAIMED", entry),
        ("COMPLETED", entry),
        ("REMOVED", entry),
        ("ENQUEUED", rejected),
        ("REJECTED", rejected),
    ]
    assert events[0]["entry"]["contact"] == {"firstName": "Ada"}
    assert events[0]["entry"]["communication"] == {"subject": "First"}
    assert events[3]["entry"]["lifeCycleState"] == "COMPLETED_AND_REMOVED"  # the entry as it is now
    assert len({e["cursor"] for e in events}) == 6
    assert [c["communicationCreated"]["communication"]["subject"] for c in created] == ["First", "Second"]
    assert created[0]["communicationCreated"]["communication"]["contact"] == {"lastName": "Lovelace"}


CREATED_SENSITIVE = """subscription($contact: ID!) {
  communicationCreated(contactId: $contact) {
    communication { subject contact { demographics { idNumber } } }
  }
}"""
SET_ID_NUMBER = """mutation($id: ID!) {
  contactUpdate(id: $id, input: { demographics: { idNumber: "AB112234" } }) { errors { code } }
}"""


@pytest.mark.parametrize(
    ("permissions", "shown"), [(ALL, "AB112234"), (["CRM_ALL", "CUST_READ"], "****2234")]
)
async def test_a_subscriptions_nested_contact_masks_its_id_number_without_cust_sensitive_view(
    acme: Tenant, permissions: list[str], shown: str
) -> None:
    assert acme.execute(SET_ID_NUMBER, {"id": acme.world["ada"]})["contactUpdate"]["errors"] == []
    async with authenticated(acme.base, _token(acme.name, permissions)) as ws:
        await ws.subscribe("c", CREATED_SENSITIVE, {"contact": acme.world["ada"]})
        await until_live(ws, "c", acme)
        acme.note("Sensitive")
        message = await ws.next_of("c")
    communication = message["payload"]["data"]["communicationCreated"]["communication"]
    assert communication == {"subject": "Sensitive", "contact": {"demographics": {"idNumber": shown}}}


@pytest.mark.parametrize(
    ("filter", "wanted"),
    [
        ({"externalSystemId": {"eq": "other"}}, "by system"),
        ({"media": {"eq": "PHONE"}}, "by media"),
        ({"contactId": {"eq": "bob"}}, "by contact"),
        ({"lifeCycleState": {"in": ["REJECTED"]}}, "by state"),
    ],
)
async def test_filters_leave_out_the_entries_that_do_not_match(
    acme: Tenant, filter: dict[str, Any], wanted: str
) -> None:
    field, condition = next(iter(filter.items()))
    if "eq" in condition and condition["eq"] in acme.world:
        condition = {"eq": acme.world[condition["eq"]]}
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, {"filter": {field: condition}, **FROM_START})
        acme.send("Not this")  # SMS, system, Ada, PENDING: matches none of the filters
        if wanted == "by system":
            entry = acme.send(wanted, system="other")
        elif wanted == "by media":
            entry = acme.send(wanted, media="PHONE")
        elif wanted == "by contact":
            entry = acme.send(wanted, contact="bob")
        else:
            entry = acme.send(wanted)
            acme.execute(REJECT, {"id": entry})
        (event,) = [_event(data) for data in await ws.events("q", 1)]
    assert event["entry"]["id"] == entry and event["entry"]["communication"]["subject"] == wanted


async def test_another_tenants_events_never_arrive(acme: Tenant, engine: Any, server: str) -> None:
    other_tenant = f"o{uuid.uuid4().hex[:12]}"
    other = Tenant(server, other_tenant, await _world(engine, other_tenant))
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        await ws.subscribe("c", CREATED, {"contact": acme.world["ada"]})
        # A replayed event shows the live subscription is in place (it subscribes before replaying).
        acme.send("Warm-up")
        await ws.events("q", 1)
        await until_live(ws, "c", acme)
        other.send("Theirs")
        mine = acme.send("Mine")
        (event,) = [_event(data) for data in await ws.events("q", 1)]
        (created,) = await ws.events("c", 1)
    assert event["entry"]["id"] == mine
    assert created["communicationCreated"]["communication"]["subject"] == "Mine"


async def test_a_subscriber_without_crm_view_email_never_sees_email_entries(acme: Tenant) -> None:
    sms_only = _token(acme.name, ["CRM_QUEUE_VIEW", "CRM_COMMUNICATION_VIEW", "CRM_VIEW_SMS", "CUST_READ"])
    async with authenticated(acme.base, sms_only) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        acme.send("Secret e-mail", media="EMAIL")
        sms = acme.send("Plain SMS")
        (event,) = [_event(data) for data in await ws.events("q", 1)]
    assert event["entry"]["id"] == sms and event["entry"]["media"] == "SMS"


async def test_entries_of_a_contact_hidden_by_its_row_rules_never_arrive(
    acme: Tenant, engine: Any, tenant: str
) -> None:
    comms = CommsFactory(engine, tenant)
    private = comms.contact("Pat", "Private")
    comms.contact_permission(private, owner_only=True)  # private to its creator, "factory"
    await comms.save()
    acme.world["private"] = gid("Contact", private)
    reader = _token(tenant, ["CRM_QUEUE_VIEW", "CRM_COMMUNICATION_VIEW", "CRM_VIEW_SMS", "CUST_READ"])
    async with authenticated(acme.base, reader) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        acme.send("To the private contact", contact="private")
        visible = acme.send("To Ada")
        (event,) = [_event(data) for data in await ws.events("q", 1)]
    assert event["entry"]["id"] == visible


@pytest.mark.parametrize("name", list(SUBSCRIPTIONS))
async def test_subscribing_without_the_permission_is_forbidden(acme: Tenant, name: str) -> None:
    """The permission matrix of test_permissions.py, over a real WebSocket."""
    selection, permission = SUBSCRIPTIONS[name]
    token = _token(acme.name, _without(permission))
    async with authenticated(acme.base, token) as ws:
        await ws.subscribe("s", f"subscription {{ {selection} }}")
        message = await ws.next_of("s")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["permission"] == permission


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-token"}])
async def test_a_missing_or_bad_token_closes_the_connection_with_4403(server: str, payload: Any) -> None:
    async with ws_client(server) as ws:
        await ws.send({"type": "connection_init", "payload": payload})
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_reconnecting_after_a_cursor_receives_exactly_the_missed_events_then_live_ones(
    acme: Tenant,
) -> None:
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        first = acme.send("Before the drop")
        (seen,) = [_event(data) for data in await ws.events("q", 1)]
    missed = [acme.send("Missed 1"), acme.send("Missed 2")]
    acme.execute(REJECT, {"id": missed[0]})
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, {"after": seen["cursor"]})
        replayed = [_event(data) for data in await ws.events("q", 3)]
        live = acme.send("Live")
        (after,) = [_event(data) for data in await ws.events("q", 1)]
    assert seen["entry"]["id"] == first
    assert [(e["kind"], e["entry"]["id"]) for e in replayed] == [
        ("ENQUEUED", missed[0]),
        ("ENQUEUED", missed[1]),
        ("REJECTED", missed[0]),
    ]
    assert (after["kind"], after["entry"]["id"]) == ("ENQUEUED", live)


async def test_reconnecting_to_a_timeline_after_a_cursor_receives_exactly_the_missed_communications(
    acme: Tenant,
) -> None:
    ada = acme.world["ada"]
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("c", CREATED_AFTER, {"contact": ada})
        await until_live(ws, "c", acme)
        acme.note("Seen")
        (seen,) = [data["communicationCreated"] for data in await ws.events("c", 1)]
    acme.note("Missed 1")
    acme.note("Bob's, not Ada's", contact="bob")
    acme.note("Missed 2")
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("c", CREATED_AFTER, {"contact": ada, "after": seen["cursor"]})
        replayed = [data["communicationCreated"] for data in await ws.events("c", 2)]
        acme.note("Live")
        (live,) = [data["communicationCreated"] for data in await ws.events("c", 1)]
        acme.note("Fence")  # nothing else came first: no replayed event twice
        (fence,) = [data["communicationCreated"] for data in await ws.events("c", 1)]
    assert seen["communication"]["subject"] == "Seen"
    assert [event["communication"]["subject"] for event in replayed] == ["Missed 1", "Missed 2"]
    assert live["communication"]["subject"] == "Live"
    assert fence["communication"]["subject"] == "Fence"
    cursors = [seen["cursor"], *(event["cursor"] for event in replayed), live["cursor"]]
    assert len(set(cursors)) == 4


@pytest.mark.parametrize("cursor", ["not-a-cursor", encode_event_cursor(10**9)])
async def test_a_bad_cursor_is_refused_with_a_code(acme: Tenant, cursor: str) -> None:
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, {"after": cursor})
        message = await ws.next_of("q")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_an_event_whose_publish_never_arrived_is_filled_in_from_the_log(
    acme: Tenant, tight_server: str
) -> None:
    """A second process without Redis (``tight_server``, whose limits play no part here): its events
    are committed but never reach this server's pub/sub.

    The next event that does arrive shows the gap, and the subscriber reads the missing ones from the
    log, in order, before it.
    """
    elsewhere = Tenant(tight_server, acme.name, acme.world)
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        acme.send("Warm-up")
        await ws.events("q", 1)
        lost = elsewhere.send("Published where nobody listens")
        here = acme.send("Published here")
        events = [_event(data) for data in await ws.events("q", 2)]
    assert [(e["kind"], e["entry"]["id"]) for e in events] == [("ENQUEUED", lost), ("ENQUEUED", here)]


async def test_a_rolled_back_mutation_publishes_nothing(acme: Tenant) -> None:
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        await ws.subscribe("c", CREATED, {"contact": acme.world["ada"]})
        await until_live(ws, "c", acme)
        # EMAIL without `to`: the communication is refused after the insert began; nothing commits.
        bad = {
            "contactId": acme.world["ada"],
            "externalSystemId": acme.world["system"],
            "direction": "OUTGOING",
            "media": "EMAIL",
            "subject": "Refused",
            "content": "x",
        }
        refused = acme.execute(CREATE, {"input": bad})["communicationCreate"]
        good = acme.send("Accepted")
        (event,) = [_event(data) for data in await ws.events("q", 1)]
        (created,) = await ws.events("c", 1)
    assert refused["errors"] and event["entry"]["id"] == good
    assert created["communicationCreated"]["communication"]["subject"] == "Accepted"


async def test_server_pings_arrive_on_an_idle_connection(acme: Tenant) -> None:
    async with authenticated(acme.base, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED)
        async with asyncio.timeout(60):  # idle: no events, only pings (every 0.2 s on this server)
            while ws.pings == 0:
                with pytest.raises(TimeoutError):
                    await ws.next_of("q", timeout=0.5)
    assert ws.pings >= 1


@pytest.fixture(scope="module")
def tight_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a buffer of 2 events per subscription and 2 operations per connection; like
    ``server``, without Redis (a second process whose events never reach ``server``'s pub/sub)."""
    folder = tmp_path_factory.mktemp("tight")
    env = _env(
        database_url,
        folder,
        CRM_GATEWAY_SUBSCRIPTION_BUFFER="2",
        CRM_GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION="2",
    )
    with gateway_server(folder, env) as base:
        yield base


async def test_a_subscriber_that_falls_behind_reads_what_its_buffer_dropped_from_the_log(
    tight_server: str, engine: Any, tenant: str
) -> None:
    acme = Tenant(tight_server, tenant, await _world(engine, tenant))
    entries = [acme.send(f"Queued {index}") for index in range(4)]
    async with authenticated(tight_server, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        await ws.events("q", 4)  # the four ENQUEUED events, replayed: the subscription is live
        # One claim of 4 entries publishes 4 events at once: more than the buffer of 2 holds.
        acme.execute(CLAIM, {"system": acme.world["system"], "max": 4})
        claimed = [_event(data) for data in await ws.events("q", 4)]
        fence = acme.send("Fence")  # a later event comes next: no claim was delivered twice
        (after,) = [_event(data) for data in await ws.events("q", 1)]
    assert (after["kind"], after["entry"]["id"]) == ("ENQUEUED", fence)
    assert [event["kind"] for event in claimed] == ["CLAIMED"] * 4
    assert sorted(event["entry"]["id"] for event in claimed) == sorted(entries)


async def test_operations_over_the_cap_are_refused_and_the_others_keep_running(
    tight_server: str, engine: Any, tenant: str
) -> None:
    acme = Tenant(tight_server, tenant, await _world(engine, tenant))
    async with authenticated(tight_server, acme.token) as ws:
        await ws.subscribe("1", QUEUE_UPDATED, FROM_START)
        await ws.subscribe("2", CREATED, {"contact": acme.world["ada"]})
        await ws.subscribe("3", QUEUE_UPDATED)
        refused = await ws.next_of("3")
        entry = acme.send("Still served")
        (event,) = [_event(data) for data in await ws.events("1", 1)]
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": 2}
    assert event["entry"]["id"] == entry


async def test_two_gateway_processes_sharing_redis_deliver_across_processes(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory, engine: Any, tenant: str
) -> None:
    env = {"CRM_GATEWAY_REDIS_URL": redis_url}
    first_folder, second_folder = tmp_path_factory.mktemp("one"), tmp_path_factory.mktemp("two")
    with (
        gateway_server(first_folder, _env(database_url, first_folder, **env)) as first,
        gateway_server(second_folder, _env(database_url, second_folder, **env)) as second,
    ):
        writer = Tenant(first, tenant, await _world(engine, tenant))
        async with authenticated(second, writer.token) as ws:
            await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
            await ws.subscribe("c", CREATED, {"contact": writer.world["ada"]})
            await until_live(ws, "c", writer)
            entry = writer.send("Across replicas")
            (event,) = [_event(data) for data in await ws.events("q", 1)]
            (created,) = await ws.events("c", 1)
    assert (event["kind"], event["entry"]["id"]) == ("ENQUEUED", entry)
    assert event["entry"]["communication"] == {"subject": "Across replicas"}
    assert created["communicationCreated"]["communication"]["subject"] == "Across replicas"

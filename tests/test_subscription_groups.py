"""Multiplexed subscriptions (gateway.multiplex), against a real ``crm-gateway serve`` process and real
graphql-transport-ws clients: subscribers with the same operation, variables and caller share one load,
completion and encoding per event; the others each see only what they may.

How often a group loaded and completed an event, and the SQL statements that took, come from the
server's ``/metrics`` (``crm_gateway_subscription_event_executions``, ``..._sql_statements``); the
number of groups from ``crm_gateway_subscription_groups``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack
from typing import Any

import pytest
from graphql import parse
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from comms_factory import CommsFactory
from factories import gid
from gateway.auth import Principal
from gateway.multiplex import Group, GroupKey, LiveDelivery, Multiplexer, RecentPayloads, resume_variable
from gateway.pubsub import COMMUNICATION_CREATED, QUEUE_EVENT, RESYNC, LocalPubSub, tenant_channel
from metrics_support import scrape, value
from resolvers.communications.subscriptions import CREATED_CURSOR_PREFIX, _in_own_task, encode_event_cursor
from resolvers.schema import schema
from servers import gateway_server
from test_subscriptions import (
    CLAIM,
    CREATED_AFTER,
    FROM_START,
    QUEUE_UPDATED,
    SET_ID_NUMBER,
    Tenant,
    _env,
    _event,
    _token,
    _world,
    tight_server,  # noqa: F401  (a fixture: a buffer of 2 events per subscription)
)
from ws_client import WsClient, authenticated

READER = ["CRM_QUEUE_VIEW", "CRM_COMMUNICATION_VIEW", "CRM_VIEW_SMS", "CUST_READ"]
QUEUE_SENSITIVE = """subscription($filter: CommunicationQueueEntryFilter, $after: String) {
  communicationQueueUpdated(filter: $filter, after: $after) {
    kind cursor entry { id communication { subject } contact { firstName demographics { idNumber } } }
  }
}"""
GROUPS = "crm_gateway_subscription_groups"
EXECUTIONS = "crm_gateway_subscription_event_executions_total"
STATEMENTS = "crm_gateway_subscription_sql_statements_total"
SUBSCRIPTIONS = "crm_gateway_subscriptions_active"


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("groups")
    with gateway_server(folder, _env(database_url, folder)) as base:
        yield base


@pytest.fixture
async def acme(server: str, engine: Any, tenant: str) -> Tenant:
    await _quiet(server)
    return Tenant(server, tenant, await _world(engine, tenant))


async def _quiet(base: str) -> None:
    """The server's earlier subscribers are gone (their sockets close asynchronously)."""
    await _until_metric(base, SUBSCRIPTIONS, 0)
    await _until_metric(base, GROUPS, 0)


def _metric(base: str, name: str) -> float:
    return value(scrape(base), name)


async def _until_metric(base: str, name: str, wanted: float, timeout: float = 15) -> None:
    """Wait until the server reports ``wanted`` for ``name`` (it updates as sockets come and go)."""
    deadline = time.monotonic() + timeout
    while (found := _metric(base, name)) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} stayed {found}, not {wanted}")
        await asyncio.sleep(0.05)


async def _sockets(stack: AsyncExitStack, base: str, tokens: list[str]) -> list[WsClient]:
    return [await stack.enter_async_context(authenticated(base, token)) for token in tokens]


async def _payloads(ws: WsClient, operation_id: str, count: int) -> list[dict[str, Any]]:
    """The next ``count`` ``next`` payloads of an operation, whole (data and extensions)."""
    found = []
    for _ in range(count):
        message = await ws.next_of(operation_id)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        found.append(message["payload"])
    return found


async def test_identical_subscribers_get_identical_payloads_from_one_load_per_event(acme: Tenant) -> None:
    base, members = acme.base, 5
    async with AsyncExitStack() as stack:
        sockets = await _sockets(stack, base, [acme.token] * members)
        for ws in sockets:
            await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        await _until_metric(base, SUBSCRIPTIONS, members)
        await _until_metric(base, GROUPS, 1)
        executions, statements = _metric(base, EXECUTIONS), _metric(base, STATEMENTS)
        entries = [acme.send(f"Event {index}") for index in range(3)]
        received = [await _payloads(ws, "q", 3) for ws in sockets]
        executed, ran = _metric(base, EXECUTIONS) - executions, _metric(base, STATEMENTS) - statements
    assert all(payloads == received[0] for payloads in received)  # the same bytes, cost included
    assert [_event(payload["data"])["entry"]["id"] for payload in received[0]] == entries
    per_event = [payload["extensions"]["cost"]["sqlStatements"] for payload in received[0]]
    assert executed == 3  # once per event, not once per subscriber
    assert ran == sum(per_event) and all(count > 0 for count in per_event)
    await _until_metric(base, GROUPS, 0)  # the group ends with its last member


async def test_timeline_subscribers_of_one_contact_share_each_communications_load(acme: Tenant) -> None:
    base, first = acme.base, encode_event_cursor(0, CREATED_CURSOR_PREFIX)
    start = {"contact": acme.world["ada"], "after": first}
    executions = _metric(base, EXECUTIONS)
    async with authenticated(base, acme.token) as one, authenticated(base, acme.token) as two:
        for ws in (one, two):
            await ws.subscribe("c", CREATED_AFTER, start)  # from the tenant's first communication
        await _until_metric(base, GROUPS, 1)
        acme.note("First")
        acme.note("Bob's", contact="bob")
        acme.note("Second")
        received = [await _payloads(ws, "c", 2) for ws in (one, two)]
        for ws in (one, two):
            await ws.nothing_more("c", 0.5)
    assert received[0] == received[1]
    assert [p["data"]["communicationCreated"]["communication"]["subject"] for p in received[0]] == [
        "First",
        "Second",
    ]
    # Once per communication of Ada's for both; Bob's is passed over before any load.
    assert _metric(base, EXECUTIONS) - executions == 2


async def test_another_contacts_communications_cost_a_timeline_group_nothing(acme: Tenant) -> None:
    base = acme.base
    async with authenticated(base, acme.token) as one, authenticated(base, acme.token) as two:
        for ws in (one, two):
            await ws.subscribe("c", CREATED_AFTER, {"contact": acme.world["ada"]})  # live only
        await _until_metric(base, GROUPS, 1)
        executions, statements = _metric(base, EXECUTIONS), _metric(base, STATEMENTS)
        for index in range(3):
            acme.note(f"Bob's {index}", contact="bob")
        acme.note("Ada's")
        received = [await _payloads(ws, "c", 1) for ws in (one, two)]
        for ws in (one, two):
            await ws.nothing_more("c", 0.5)
        executed, ran = _metric(base, EXECUTIONS) - executions, _metric(base, STATEMENTS) - statements
    assert received[0] == received[1]
    assert received[0][0]["data"]["communicationCreated"]["communication"]["subject"] == "Ada's"
    # Bob's three took no execution (no context, session or load): only Ada's was loaded, once.
    assert executed == 1
    assert ran == received[0][0]["extensions"]["cost"]["sqlStatements"]


async def test_subscribers_of_other_rights_rules_tenants_or_variables_are_not_grouped(
    acme: Tenant, engine: Any, tenant: str, server: str
) -> None:
    assert acme.execute(SET_ID_NUMBER, {"id": acme.world["ada"]})["contactUpdate"]["errors"] == []
    comms = CommsFactory(engine, tenant)
    private = comms.contact("Pat", "Private")
    comms.contact_permission(private, owner_only=True)  # private to its creator, "factory"
    await comms.save()
    acme.world["pat"] = gid("Contact", private)
    other_name = f"o{tenant[1:]}"
    other = Tenant(server, other_name, await _world(engine, other_name))
    subscribers = {
        "all": (acme.token, FROM_START),
        "reader": (_token(tenant, READER), FROM_START),
        "owner": (_token(tenant, READER, subject="factory"), FROM_START),  # same rights, other row scope
        "bob only": (acme.token, {**FROM_START, "filter": {"contactId": {"eq": acme.world["bob"]}}}),
        "other tenant": (other.token, FROM_START),
    }
    async with AsyncExitStack() as stack:
        tokens = [token for token, _ in subscribers.values()]
        sockets = dict(zip(subscribers, await _sockets(stack, server, tokens), strict=True))
        for name, (_, variables) in subscribers.items():
            await sockets[name].subscribe("q", QUEUE_SENSITIVE, variables)
        await _until_metric(server, GROUPS, len(subscribers))
        for contact in ("pat", "ada", "bob"):
            acme.send(f"To {contact}", contact=contact)
        other.send("Theirs")
        counts = {"all": 3, "reader": 2, "owner": 3, "bob only": 1, "other tenant": 1}
        seen = {
            name: [_seen(p) for p in await _payloads(sockets[name], "q", n)] for name, n in counts.items()
        }
        for ws in sockets.values():
            await ws.nothing_more("q", 0.5)
    assert seen == {
        "all": [("To pat", "Pat", None), ("To ada", "Ada", "AB112234"), ("To bob", "Bob", None)],
        "reader": [("To ada", "Ada", "****2234"), ("To bob", "Bob", None)],
        "owner": [("To pat", "Pat", None), ("To ada", "Ada", "****2234"), ("To bob", "Bob", None)],
        "bob only": [("To bob", "Bob", None)],
        "other tenant": [("Theirs", "Ada", None)],
    }


def _seen(payload: dict[str, Any]) -> tuple[str, str, str | None]:
    entry = _event(payload["data"])["entry"]
    return entry["communication"]["subject"], entry["contact"]["firstName"], _id_number(entry["contact"])


def _id_number(contact: dict[str, Any]) -> str | None:
    demographics = contact["demographics"]
    return demographics["idNumber"] if demographics else None


async def test_members_that_join_and_leave_mid_stream_receive_each_event_once_in_order(acme: Tenant) -> None:
    base = acme.base
    async with authenticated(base, acme.token) as first, authenticated(base, acme.token) as second:
        await first.subscribe("q", QUEUE_UPDATED, FROM_START)
        await second.subscribe("q", QUEUE_UPDATED, FROM_START)
        entries = [acme.send("One"), acme.send("Two")]
        early = [await _payloads(ws, "q", 2) for ws in (first, second)]
        executions = _metric(base, EXECUTIONS)
        async with authenticated(base, acme.token) as late:
            await late.subscribe("q", QUEUE_UPDATED, FROM_START)  # replays One and Two, then live
            replayed = await _payloads(late, "q", 2)
            await first.complete("q")  # leaves the group; the others go on
            acme.execute(CLAIM, {"system": acme.world["system"], "max": 2})  # two events at once
            claimed = [await _payloads(ws, "q", 2) for ws in (second, late)]
            for ws in (first, second, late):
                await ws.nothing_more("q", 0.5)
        executed = _metric(base, EXECUTIONS) - executions
    assert early[0] == early[1] == replayed  # the late member was served the group's payloads
    assert claimed[0] == claimed[1]
    events = [_event(payload["data"]) for payload in replayed + claimed[0]]
    assert [(e["kind"], e["entry"]["id"]) for e in events] == [
        ("ENQUEUED", entries[0]),
        ("ENQUEUED", entries[1]),
        ("CLAIMED", entries[0]),
        ("CLAIMED", entries[1]),
    ]
    assert executed == 2  # the two CLAIMED events; the replayed ones came from the group


async def test_resuming_with_after_joins_the_group_and_receives_the_missed_events_once(acme: Tenant) -> None:
    base = acme.base
    async with authenticated(base, acme.token) as live:
        await live.subscribe("q", QUEUE_UPDATED, FROM_START)
        entries = [acme.send(f"Event {index}") for index in range(3)]
        seen = await _payloads(live, "q", 3)
        executions = _metric(base, EXECUTIONS)
        async with authenticated(base, acme.token) as resumed:
            cursor = _event(seen[0]["data"])["cursor"]
            await resumed.subscribe("q", QUEUE_UPDATED, {"after": cursor})
            missed = await _payloads(resumed, "q", 2)
            assert _metric(base, GROUPS) == 1  # one group: only the cursor differs
            entries.append(acme.send("Event 3"))
            after = [await _payloads(ws, "q", 1) for ws in (live, resumed)]
            for ws in (live, resumed):
                await ws.nothing_more("q", 0.5)
        executed = _metric(base, EXECUTIONS) - executions
    assert missed == seen[1:]
    assert after[0] == after[1]
    assert [_event(p["data"])["entry"]["id"] for p in missed + after[1]] == entries[1:]
    assert executed == 1  # Event 3; the missed ones came from the group


async def test_members_whose_buffer_overflows_catch_up_from_the_log_in_order(
    tight_server: str,  # noqa: F811  (the fixture imported above)
    engine: Any,
    tenant: str,
) -> None:
    acme = Tenant(tight_server, tenant, await _world(engine, tenant))
    entries = [acme.send(f"Queued {index}") for index in range(4)]
    await _quiet(tight_server)
    async with (
        authenticated(tight_server, acme.token) as one,
        authenticated(tight_server, acme.token) as two,
    ):
        for ws in (one, two):
            await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
            await ws.events("q", 4)  # the four ENQUEUED events, replayed: the subscription is live
        # One claim of 4 entries publishes 4 events at once: more than the buffer of 2 holds.
        acme.execute(CLAIM, {"system": acme.world["system"], "max": 4})
        claimed = [await _payloads(ws, "q", 4) for ws in (one, two)]
        for ws in (one, two):
            await ws.nothing_more("q", 0.5)
    assert claimed[0] == claimed[1]
    events = [_event(payload["data"]) for payload in claimed[0]]
    assert [e["kind"] for e in events] == ["CLAIMED"] * 4
    assert sorted(e["entry"]["id"] for e in events) == sorted(entries)
    assert [e["cursor"] for e in events] == sorted({e["cursor"] for e in events}, key=_sequence)


def _sequence(cursor: str) -> int:
    from resolvers.communications.subscriptions import decode_event_cursor

    return decode_event_cursor(cursor)


@pytest.mark.parametrize(
    ("document", "resume"),
    [
        ("subscription($a: String) { communicationQueueUpdated(after: $a) { kind } }", "a"),
        ('subscription { communicationQueueUpdated(after: "x") { kind } }', None),
        (
            "subscription($a: String) { communicationQueueUpdated(after: $a) { kind cursor @skip(if: $a) } }",
            None,
        ),
        ("query($a: String) { contacts(after: $a) { totalCount } }", None),
    ],
    ids=["variable", "literal", "used-twice", "query"],
)
def test_only_a_variable_that_sets_nothing_but_after_is_left_out_of_the_group_key(
    document: str, resume: str | None
) -> None:
    assert resume_variable(parse(document), None) == resume


def _group() -> Group:
    return Group(GroupKey(Principal("tester", "acme"), "subscription { x }", None, "{}"))


def test_members_forwarding_other_upstream_credentials_are_not_grouped() -> None:
    """With upstream routing a group's loads forward one member's token: only members holding the same
    one share a group. Without routing (nothing forwarded) the caller alone decides."""
    multiplexer, caller = Multiplexer(schema, str), Principal("tester", "acme", frozenset({"CRM_ALL"}))
    operation = ("subscription { communicationQueueUpdated { kind } }", None, None)

    def member(credentials: str | None) -> LiveDelivery:
        delivery = multiplexer.delivery(caller, operation, _no_send, lambda: None, credentials=credentials)
        delivery.join()
        return delivery

    alice, alice_again, other_token = member("Bearer a.b.c"), member("Bearer a.b.c"), member("Bearer x.y.z")
    unrouted = [member(None), member(None)]
    groups = [each._group for each in (alice, alice_again, other_token, *unrouted)]
    assert groups[0] is groups[1] and groups[3] is groups[4]
    assert len({id(group) for group in groups}) == 3
    assert all("a.b.c" not in repr(group.key) for group in groups)  # a digest, not the token


async def _no_send(_payload: object) -> None:
    return None


async def test_recent_payloads_are_produced_once_until_the_count_or_size_bound_drops_them() -> None:
    recent, group, produced = RecentPayloads(entries=2, max_bytes=10), _group(), []

    async def produce(text: str) -> str:
        produced.append(text)
        return text

    first = recent.task(group, 1, lambda: produce("aaaa"))
    assert recent.task(group, 1, lambda: produce("not again")) is first
    assert await first == "aaaa"
    assert await recent.task(group, 2, lambda: produce("bbbbbbbb")) == "bbbbbbbb"  # 12 bytes: 1 goes
    assert await recent.task(group, 1, lambda: produce("cc")) == "cc"
    await recent.task(group, 3, lambda: produce("d"))  # 3 entries: the oldest (2) goes
    assert await recent.task(group, 2, lambda: produce("e")) == "e"
    recent.forget(group)  # the group ended
    assert await recent.task(group, 3, lambda: produce("f")) == "f"
    assert produced == ["aaaa", "bbbbbbbb", "cc", "d", "e", "f"]


async def test_a_failed_payload_is_produced_again_by_the_next_member() -> None:
    recent, group = RecentPayloads(), _group()

    async def fail() -> str:
        raise ConnectionError("the database went away")

    async def succeed() -> str:
        return "payload"

    with pytest.raises(ConnectionError):
        await recent.task(group, 1, fail)
    assert await recent.task(group, 1, succeed) == "payload"


async def test_recent_payloads_weigh_what_they_hold_once_produced_within_their_own_bytes() -> None:
    """RecentPayloads is a ``BoundedCache`` with a byte bound of its own (not the document caches'): a
    payload weighs nothing while produced, then its length; one heavier than the bound is not kept."""
    recent, group, produced = RecentPayloads(entries=10, max_bytes=6), _group(), []

    async def produce(text: str) -> str:
        produced.append(text)
        return text

    pending = recent.task(group, 1, lambda: produce("aaaa"))
    assert recent.task(group, 1, lambda: produce("again")) is pending  # weighs 0 while produced
    await pending
    await recent.task(group, 2, lambda: produce("bbbbbbbbbb"))  # 10 bytes: heavier than the bound
    await recent.task(group, 2, lambda: produce("bb"))  # so produced again; 4 + 2 = 6 fit
    await recent.task(group, 1, lambda: produce("kept?"))
    assert produced == ["aaaa", "bbbbbbbbbb", "bb"]


async def test_a_stream_is_offered_only_the_message_types_it_subscribed_to_and_resync() -> None:
    """A queue subscriber is neither queued nor woken for the tenant's new communications (nor a
    timeline subscriber for queue events): each member's stream wakes once per event it serves."""
    pubsub, channel = LocalPubSub(), tenant_channel("acme")
    async with (
        pubsub.subscribe(channel, 10, frozenset({QUEUE_EVENT})) as queue,
        pubsub.subscribe(channel, 10) as everything,
    ):
        for message in ({"type": COMMUNICATION_CREATED, "number": 1}, {"type": QUEUE_EVENT}, RESYNC):
            await pubsub.publish(channel, message)
        assert [await anext(queue) for _ in range(2)] == [{"type": QUEUE_EVENT}, RESYNC]
        assert [(await anext(everything))["type"] for _ in range(3)] == [
            COMMUNICATION_CREATED,
            QUEUE_EVENT,
            RESYNC["type"],
        ]
        with pytest.raises(TimeoutError):  # nothing else was queued for it
            await asyncio.wait_for(anext(queue), 0.1)


@pytest.mark.parametrize("setting", [None, "false"], ids=["default", "off"])
async def test_websocket_compression_is_negotiated_unless_turned_off(
    setting: str | None, database_url: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    """Per-message deflate costs each socket's every message a compression of its own (a quarter of a
    delivery's CPU in bench/subscriptions.py): ``CRM_GATEWAY_WS_COMPRESSION=false`` declines it."""
    with ExitStack() as stack:
        if setting is None:  # the module's server leaves the setting at its default
            base = request.getfixturevalue("server")
        else:
            env = _env(database_url, tmp_path, CRM_GATEWAY_WS_COMPRESSION=setting)
            base = stack.enter_context(gateway_server(tmp_path, env))
        url = base.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            negotiated = ws.response.headers.get("Sec-WebSocket-Extensions")
    if setting is None:
        assert negotiated is not None and negotiated.startswith("permessage-deflate")
    else:
        assert negotiated is None


async def test_a_members_delivery_task_ends_with_its_operation_and_raises_what_its_loop_raised() -> None:
    """The delivery loop runs in a task of its own (its wake-ups skip Strawberry's stream): cancelling
    the operation ends that task before the operation ends, and an outage in the loop reaches it."""
    started, ended = asyncio.Event(), asyncio.Event()
    delivered_in: list[asyncio.Task[Any] | None] = []

    async def delivering() -> None:
        delivered_in.append(asyncio.current_task())
        started.set()
        try:
            await asyncio.Event().wait()  # a member waiting for its next message
        finally:
            ended.set()  # e.g. its pub/sub subscription closes

    operation = asyncio.create_task(_in_own_task(delivering()))
    await started.wait()
    assert delivered_in[0] is not None and delivered_in[0] is not operation  # a task of its own
    operation.cancel()  # the client completed the subscription, or the socket closed
    with pytest.raises(asyncio.CancelledError):
        await operation
    assert ended.is_set()

    async def losing_the_database() -> None:
        raise ConnectionRefusedError("the database went away")

    with pytest.raises(ConnectionRefusedError):
        await _in_own_task(losing_the_database())

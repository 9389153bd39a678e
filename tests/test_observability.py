"""``/metrics``, JSON logs and the operation-name bound, against a real ``crm-gateway serve``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, token_for
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.errors import UpstreamError
from gateway.cost import Cost
from gateway.observability import metrics
from gateway.observability.logs import REDACTED, JsonFormatter, Redactor
from gateway.observability.pubsub import ObservedPubSub
from gateway.settings import load_settings
from metrics_support import names, parse, scrape, value
from servers import free_port, gateway_server
from ws_client import authenticated

NAMED = """query ContactsPage {
  contacts(first: 3) { edges { node { displayName leads(first: 2) { totalCount } } } }
}"""
CREATED = """subscription($contact: ID!) {
  communicationCreated(contactId: $contact) { communication { subject } }
}"""
NOTE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { errors { code } }
}"""
FIRST_CONTACT = "{ contacts(first: 1) { edges { node { id } } } }"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("observability")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'server.db'}",
        "CRM_GATEWAY_LOG_FORMAT": "json",
    }
    with gateway_server(folder, env) as base:
        yield base


@pytest.fixture(scope="module")
def token() -> str:
    return token_for(load_settings(jwt_secret=SECRET), "demo", subject="metrics-tester")


def _post(
    base: str, query: str, token: str | None, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables or {}}
    return httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=30)


def test_metrics_count_operations_statuses_and_error_codes(server: str, token: str) -> None:
    planner = load_settings().planner  # the server's environment (CRM_GATEWAY_PLANNER) is this one's
    before = scrape(server)
    named = _post(server, NAMED, token)
    assert named.status_code == 200
    # The page of 3 contacts with their leads' counts: the planner's one statement, or the resolvers'
    # 3 (one per level, and the counts), counted as the response reports them.
    statements = named.json()["extensions"]["cost"]["sqlStatements"]
    assert statements == (1 if planner else 3)
    counted = value(scrape(server), "crm_gateway_sql_statements_total")
    assert counted - value(before, "crm_gateway_sql_statements_total") == statements
    assert _post(server, "{ me { subject } }", token).status_code == 200
    assert _post(server, "{ contacts { nope } }", token).json()["errors"][0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    assert _post(server, NAMED, "not-a-token").status_code == 401
    samples = scrape(server)
    assert value(samples, "crm_gateway_request_duration_seconds_count", operation="ContactsPage") >= 1
    assert value(samples, "crm_gateway_request_duration_seconds_count", operation="(anonymous)") >= 1
    assert value(samples, "crm_gateway_responses_total", status="200") >= 3
    assert value(samples, "crm_gateway_responses_total", status="401") >= 1
    assert value(samples, "crm_gateway_graphql_errors_total", code="UNAUTHENTICATED") >= 1
    assert value(samples, "crm_gateway_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") >= 1
    assert value(samples, "crm_gateway_request_sql_statements_bucket", le="5.0") >= 1  # that page
    assert value(samples, "crm_gateway_request_upstream_calls_count") >= 3
    # The resolvers load the leads with a batched loader, measured; the planner runs no loader.
    leads_batches = value(
        samples, "crm_gateway_loader_batch_size_count", loader="LeadsByContactLoader"
    ) - value(before, "crm_gateway_loader_batch_size_count", loader="LeadsByContactLoader")
    assert (leads_batches == 0) if planner else (leads_batches >= 1)
    assert "crm_gateway_pubsub_lag_seconds_count" in names(samples)  # breakers: see below


async def test_websockets_subscriptions_and_published_events_are_measured(server: str, token: str) -> None:
    contact = _post(server, FIRST_CONTACT, token).json()["data"]["contacts"]["edges"][0]["node"]["id"]
    before = scrape(server)
    async with authenticated(server, token) as ws:
        await ws.subscribe("c", CREATED, {"contact": contact})
        await _until_delivered(ws, "c", server, token, contact)
        during = scrape(server)
    assert value(during, "crm_gateway_websocket_connections") == 1
    assert value(during, "crm_gateway_subscriptions_active") == 1
    published = value(during, "crm_gateway_pubsub_published_total") - value(
        before, "crm_gateway_pubsub_published_total"
    )
    assert published >= 1
    assert value(during, "crm_gateway_pubsub_lag_seconds_count") >= 1
    after = await _settled(server, "crm_gateway_websocket_connections", 0)
    assert value(after, "crm_gateway_subscriptions_active") == 0


async def test_websocket_queries_and_mutations_are_timed_and_subscriptions_are_not(
    server: str, token: str
) -> None:
    timed = "crm_gateway_request_duration_seconds_count"
    contact = _post(server, FIRST_CONTACT, token).json()["data"]["contacts"]["edges"][0]["node"]["id"]
    before = scrape(server)
    async with authenticated(server, token) as ws:
        await ws.subscribe("s", "subscription OverSocketListening" + CREATED[12:], {"contact": contact})
        await ws.subscribe("q", "query OverSocket { me { subject } }")
        assert (await ws.next_of("q"))["type"] == "next"
        assert (await ws.next_of("q"))["type"] == "complete"
        await ws.subscribe("m", "mutation OverSocketNote" + NOTE[8:], {"input": _note(contact)})
        assert (await ws.next_of("m"))["payload"]["data"]["communicationCreate"]["errors"] == []
        assert (await ws.next_of("m"))["type"] == "complete"
        await _until_delivered(ws, "s", server, token, contact)  # the subscription runs, untimed
        await ws.complete("s")
        after = scrape(server)
    for operation in ("OverSocket", "OverSocketNote"):
        assert value(after, timed, operation=operation, transport="websocket") == 1
        assert value(after, timed, operation=operation, transport="http") == 0
    assert value(after, timed, operation="OverSocketListening") == 0
    assert value(after, timed, transport="websocket") == value(before, timed, transport="websocket") + 2


async def _until_delivered(ws: Any, operation_id: str, server: str, token: str, contact: str) -> None:
    """Notes until one reaches the subscription (it listens a moment after its ``subscribe``)."""
    async with asyncio.timeout(60):
        while True:
            created = _post(server, NOTE, token, {"input": _note(contact)}).json()["data"]
            assert created["communicationCreate"]["errors"] == []
            try:
                await ws.next_of(operation_id, timeout=1)
                return
            except TimeoutError:
                continue


def _note(contact: str) -> dict[str, str]:
    return {"contactId": contact, "direction": "INCOMING", "media": "PHONE", "subject": "Hi", "content": "-"}


async def _settled(base: str, name: str, wanted: float) -> list[Any]:
    """A scrape once ``name`` reads ``wanted`` (the server notices a closed socket a moment later)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        samples = scrape(base)
        if value(samples, name) == wanted:
            return samples
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} never read {wanted}")


def test_json_logs_carry_the_request_and_never_a_token(server: str, token: str, folder: Path) -> None:
    good = _post(server, NAMED, token)
    bad_token = token[:-12] + "tamperedXYZW"
    assert _post(server, NAMED, bad_token).status_code == 401
    assert _post(server, NAMED, "Zm9vYmFyYmF6cXV4cXV1eA").status_code == 401
    log = (folder / "server.log").read_text()
    assert token not in log and bad_token not in log and "Zm9vYmFyYmF6cXV4cXV1eA" not in log
    assert token.split(".")[2] not in log  # not even the signature alone
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == good.headers["x-request-id"]]
    assert access, log
    assert access[-1]["logger"] == "gateway.access"
    assert access[-1]["operation"] == "ContactsPage"
    assert (access[-1]["tenant"], access[-1]["subject"]) == ("demo", "metrics-tester")
    assert access[-1]["status"] == 200 and access[-1]["sql_statements"] >= 1


def test_a_token_in_a_log_message_is_redacted() -> None:
    token = token_for(load_settings(jwt_secret=SECRET), "demo")
    record = _record(f"got Authorization: Bearer {token} and key crmgw_0a1b2c3d_sEcReT-kEy and {SECRET}")
    line = JsonFormatter(Redactor([SECRET])).format(record)
    assert token not in line and "sEcReT-kEy" not in line and SECRET not in line
    assert json.loads(line)["message"].count(REDACTED) == 3


def _record(message: str) -> Any:
    import logging

    return logging.LogRecord("gateway.test", logging.WARNING, __file__, 1, message, (), None)


def test_operation_names_past_the_cap_count_as_other() -> None:
    labels = metrics.OperationNames(limit=2)
    assert [labels.label(name) for name in ("A", "B", "A", "C", None)] == [
        "A",
        "B",
        "A",
        metrics.OTHER,
        metrics.ANONYMOUS,
    ]


async def test_an_open_circuit_is_reported() -> None:
    config = UpstreamConfig.model_validate(
        {
            "name": "metrics-probe",
            "kind": "conecrm",
            "base_url": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "system_name": "probe",
            "retries": {"attempts": 1},
            "breaker": {"failures": 1, "reset_seconds": 600},
        }
    )
    client = UpstreamClient(config)
    try:
        with pytest.raises(UpstreamError):
            await client.request("GET", "/contacts", cost=Cost())
    finally:
        await client.aclose()
    text = metrics.render().decode()
    assert 'crm_gateway_upstream_circuit_state{upstream="metrics-probe"} 2.0' in text


class _RedisDown:
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        raise ConnectionError("Redis is down")


async def test_a_failed_publish_is_counted_and_still_raised() -> None:
    before = value(parse(metrics.render().decode()), "crm_gateway_pubsub_publish_failures_total")
    with pytest.raises(ConnectionError):
        await ObservedPubSub(_RedisDown()).publish("channel", {"type": "queue"})  # type: ignore[arg-type]
    after = value(parse(metrics.render().decode()), "crm_gateway_pubsub_publish_failures_total")
    assert after == before + 1

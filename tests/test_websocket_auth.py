"""WebSocket authentication (graphql-transport-ws) against a real uvicorn server and a real client.

Browsers cannot set headers on a WebSocket, so the caller's credentials travel in the
``connection_init`` payload; a missing or bad one closes the socket with 4403 (Forbidden).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from starlette.websockets import WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import gateway.http
from conftest import SECRET, token_for
from gateway.auth import mint_token
from gateway.http import _payload_credentials as payload_credentials
from gateway.settings import Settings, load_settings
from servers import gateway_server

PROTOCOL = "graphql-transport-ws"
ME = "{ me { subject tenant { key } } }"
TIMEOUT = 60  # generous: only a failing run waits this long


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ws-server")
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'db'}",
    }
    with gateway_server(folder, env) as base:
        yield base


@pytest.fixture(scope="module")
def api_key(server: str) -> str:
    """A key of tenant demo, created through the admin mutation over HTTP."""
    mutation = """
        mutation { apiKeyCreate(input: {name: "ws", permissions: ["CUST_READ"]}) { secret errors { code } } }
    """
    headers = {"Authorization": f"Bearer {demo_token()}"}
    body = httpx.post(f"{server}/graphql", json={"query": mutation}, headers=headers).json()
    assert body["data"]["apiKeyCreate"]["errors"] == [], body
    return str(body["data"]["apiKeyCreate"]["secret"])


def demo_token() -> str:
    return token_for(load_settings(jwt_secret=SECRET), "demo", subject="ws-user")


def ws_url(server: str) -> str:
    return server.replace("http://", "ws://") + "/graphql"


async def receive(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))  # type: ignore[no-any-return]


async def run_over_websocket(server: str, payload: dict[str, Any], query: str = ME) -> dict[str, Any]:
    """Connect, authenticate with ``payload``, run one query; its ``next`` payload."""
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await initialise(ws, payload)
        return await run(ws, "1", query)


async def initialise(ws: ClientConnection, payload: dict[str, Any]) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert (await receive(ws))["type"] == "connection_ack"


async def run(ws: ClientConnection, operation_id: str, query: str) -> dict[str, Any]:
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}}))
    result = await receive(ws)
    assert result["type"] == "next", result
    assert (await receive(ws))["type"] == "complete"
    return result["payload"]  # type: ignore[no-any-return]


async def close_code(server: str, payload: Any) -> int | None:
    """Connect and send ``connection_init`` with ``payload``; the code the server closes with."""
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        return ws.close_code


async def test_a_good_token_runs_a_query(server: str) -> None:
    result = await run_over_websocket(server, {"Authorization": f"Bearer {demo_token()}"})
    assert result["data"]["me"] == {"subject": "ws-user", "tenant": {"key": "demo"}}


async def test_the_payload_key_is_case_insensitive(server: str) -> None:
    result = await run_over_websocket(server, {"authorization": f"Bearer {demo_token()}"})
    assert result["data"]["me"]["tenant"]["key"] == "demo"


async def test_an_api_key_works_over_websocket(server: str, api_key: str) -> None:
    result = await run_over_websocket(server, {"x-api-key": api_key})
    assert result["data"]["me"] == {"subject": "apikey:ws", "tenant": {"key": "demo"}}


async def test_later_operations_on_a_socket_see_current_data(server: str) -> None:
    headers = {"Authorization": f"Bearer {demo_token()}"}

    def over_http(query: str) -> dict[str, Any]:
        body = httpx.post(f"{server}/graphql", json={"query": query}, headers=headers).json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    stage = over_http('mutation { stageCreate(input: {name: "Before"}) { stage { id } } }')
    stage_id = stage["stageCreate"]["stage"]["id"]
    read = f'{{ stage(id: "{stage_id}") {{ name }} }}'
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await initialise(ws, headers)
        assert (await run(ws, "1", read))["data"]["stage"]["name"] == "Before"
        over_http(
            f'mutation {{ stageUpdate(id: "{stage_id}", input: {{name: "After"}}) {{ errors {{ code }} }} }}'
        )
        assert (await run(ws, "2", read))["data"]["stage"]["name"] == "After"


def expired_token() -> str:
    return mint_token(load_settings(jwt_secret=SECRET), "u", "demo", ["CRM_ALL"], timedelta(hours=-1))


def wrongly_signed_token() -> str:
    claims = jwt.decode(demo_token(), options={"verify_signature": False})
    return jwt.encode(claims, "another-secret-" + "z" * 40, algorithm="HS256")


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": ""}, id="empty"),
        pytest.param({"Authorization": demo_token()}, id="no Bearer scheme"),
        pytest.param({"Authorization": f"Bearer {expired_token()}"}, id="expired"),
        pytest.param({"Authorization": f"Bearer {wrongly_signed_token()}"}, id="wrong signature"),
        pytest.param({"Authorization": 42}, id="not a string"),
        pytest.param({"x-api-key": "crmgw_00000000_" + "A" * 43}, id="unknown api key"),
    ],
)
async def test_bad_credentials_close_the_socket_with_4403(server: str, payload: dict[str, Any]) -> None:
    assert await close_code(server, payload) == 4403


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        pytest.param({}, "Forbidden: missing Authorization header with a Bearer token", id="missing"),
        pytest.param(
            {"Authorization": f"Bearer {expired_token()}"}, "Forbidden: token has expired", id="expired"
        ),
        pytest.param(
            {"Authorization": "Bearer not.a.jwt"},
            "Forbidden: invalid token: the bearer token is not a valid JWT",
            id="not a JWT",
        ),
    ],
)
async def test_a_refused_socket_is_told_why_in_the_close_reason(
    server: str, payload: dict[str, Any], reason: str
) -> None:
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
    assert ws.close_code == 4403
    assert ws.close_reason is not None and ws.close_reason.startswith(reason)
    assert len(ws.close_reason.encode()) <= 123


async def test_a_token_and_a_key_together_close_with_4403(server: str, api_key: str) -> None:
    payload = {"Authorization": f"Bearer {demo_token()}", "x-api-key": api_key}
    assert await close_code(server, payload) == 4403


async def test_operations_before_connection_init_are_refused(server: str) -> None:
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME}}))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code == 4401


async def test_the_connection_init_credentials_are_read_once_for_the_socket_and_its_operations(
    app: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payload's Authorization is read at connection_init, where it authenticates the caller; the
    socket's backend, each operation's and the subscription group key take that reading, never their
    own (one reading: they cannot disagree on what is forwarded)."""
    view, reads = app.state.view.strawberry, []

    def counted(payload: dict[str, Any]) -> tuple[str | None, str | None]:
        reads.append(payload)
        return payload_credentials(payload)

    monkeypatch.setattr(gateway.http, "_payload_credentials", counted)
    authorization = f"Bearer {token_for(settings, 'demo', subject='ws-user')}"
    socket = await view.get_context(WebSocket({"type": "websocket", "headers": []}, _never, _never), None)
    socket.connection_params = {"Authorization": authorization}
    await view.on_ws_connect(socket)
    operations = [view.operation_context(socket) for _ in range(2)]
    assert len(reads) == 1
    assert socket.authorization == authorization
    assert [each.authorization for each in operations] == [authorization] * 2
    assert {each.principal.subject for each in operations} == {"ws-user"}


async def _never(*_: Any) -> Any:
    raise AssertionError("the socket itself is not used")

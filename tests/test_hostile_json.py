"""Hostile JSON against a real server (``crm-gateway serve``): nesting 1,000 deep, numbers past a
double, invalid UTF-8, duplicate keys, in the body, in ``variables`` and in a GET's parameters, with
and without a token. Whatever comes in, the answer is JSON with a code, never a 5xx.

A body nested 1,000 deep made ``json.loads`` raise ``RecursionError``, and the server answered a
plain-text HTTP 500 that ``/metrics`` did not count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import SECRET, token_for
from gateway.settings import load_settings
from servers import gateway_server

QUERY = "query($f: ContactFilter) { contacts(first: 1, filter: $f) { totalCount } }"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    database = f"sqlite+aiosqlite:///{folder / 'server.db'}"
    env = {"CRM_GATEWAY_JWT_SECRET": SECRET, "CRM_GATEWAY_DATABASE_URL": database}
    with gateway_server(folder, env) as base:
        yield base


@pytest.fixture(scope="module")
def web(server: str) -> Iterator[httpx.Client]:
    """One client for the fuzzed requests: ``httpx.get`` builds a client (and its SSL context) per
    call, tens of ms of CPU each, times every example."""
    with httpx.Client(base_url=server) as client:
        yield client


@pytest.fixture(scope="module")
def authorized() -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(load_settings(jwt_secret=SECRET), 'demo')}"}


def nested(depth: int, inner: str = "1") -> str:
    """``depth`` levels of arrays and objects around ``inner``, as JSON text."""
    text = inner
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"a":{text}}}'
    return text


def assert_json_error(response: httpx.Response, code: str | None = None) -> dict[str, Any]:
    """No 5xx; a JSON body whose errors (if any) all have a code, and ``code`` among them if given."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    body = response.json()
    codes = [error["extensions"]["code"] for error in body.get("errors") or []]
    assert all(codes), body
    assert "Traceback" not in response.text
    if code is not None:
        assert code in codes, body
    return body


def _responses_with_status(base: str, status: int) -> int:
    found = re.search(
        rf'crm_gateway_responses_total\{{status="{status}"\}} (\d+)', httpx.get(f"{base}/metrics").text
    )
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
def test_a_body_nested_1000_deep_is_400_json_too_deep(
    server: str, authorized: dict[str, str], with_token: bool
) -> None:
    headers = {**JSON, **(authorized if with_token else {})}
    before = _responses_with_status(server, 400)
    for body in (nested(1000), "[" * 1000 + "]" * 1000, "[" * 100_000 + "]" * 100_000):
        response = httpx.post(f"{server}/graphql", content=body, headers=headers)
        assert response.status_code == 400
        assert_json_error(response, "JSON_TOO_DEEP")
    assert _responses_with_status(server, 400) == before + 3  # counted in /metrics


def test_variables_nested_1000_deep_are_400(server: str, authorized: dict[str, str]) -> None:
    body = f'{{"query": {json.dumps(QUERY)}, "variables": {{"f": {nested(1000)}}}}}'
    for headers in ({**JSON}, {**JSON, **authorized}):
        response = httpx.post(f"{server}/graphql", content=body, headers=headers)
        assert response.status_code == 400
        assert_json_error(response, "JSON_TOO_DEEP")
    batch = f"[{body}]"
    response = httpx.post(f"{server}/graphql", content=batch, headers={**JSON, **authorized})
    assert_json_error(response, "JSON_TOO_DEEP")


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
def test_get_parameters_nested_1000_deep_are_400(
    server: str, authorized: dict[str, str], parameter: str
) -> None:
    params = {"query": QUERY, parameter: nested(1000)}
    for headers in ({}, authorized):
        response = httpx.get(f"{server}/graphql", params=params, headers=headers)
        assert response.status_code == 400
        assert_json_error(response, "JSON_TOO_DEEP")


def test_nesting_a_real_query_needs_still_runs(server: str, authorized: dict[str, str]) -> None:
    """A filter as deep as filters may nest (8 levels, about 20 levels of JSON) is a query, not an attack."""
    filter: dict[str, Any] = {"lastName": {"eq": "Nobody"}}
    for _ in range(8):
        filter = {"and": [filter, {"firstName": {"ne": "x"}}]}
    response = httpx.post(
        f"{server}/graphql", json={"query": QUERY, "variables": {"f": filter}}, headers=authorized
    )
    assert response.json()["data"]["contacts"]["totalCount"] == 0


@pytest.mark.parametrize(
    "content",
    [
        b'{"query": "{ me { subject } }", "variables": {"n": 1e400}}',
        b'{"query": "{ me { subject } }", "variables": {"n": -1e400}}',
        b'{"query": "{ me { subject } }", "variables": {"n": 1' + b"0" * 5000 + b"}}",
        b'{"query": "{ me { subject } }", "variables": {"n": NaN}}',
        b'{"query": "{ me { \xff subject } }"}',
        b'{"query": "{ me { subject } }", "variables": {"s": "\\ud800"}}',
        b'{"query": "{ me { subject } }"',
        b"",
    ],
)
def test_json_that_does_not_parse_is_400_bad_request(
    server: str, authorized: dict[str, str], content: bytes
) -> None:
    response = httpx.post(f"{server}/graphql", content=content, headers={**JSON, **authorized})
    assert response.status_code == 400
    assert_json_error(response, "BAD_REQUEST")


def test_duplicate_keys_take_the_last_value(server: str, authorized: dict[str, str]) -> None:
    content = b'{"query": "{ nope }", "query": "{ me { subject } }"}'
    response = httpx.post(f"{server}/graphql", content=content, headers={**JSON, **authorized})
    assert assert_json_error(response)["data"] == {"me": {"subject": "tester"}}


def test_a_websocket_message_nested_1000_deep_closes_with_4400(
    server: str, authorized: dict[str, str]
) -> None:
    url = server.replace("http", "ws", 1) + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        socket.send(json.dumps({"type": "connection_init", "payload": authorized}))
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        socket.send(f'{{"type": "subscribe", "id": "1", "payload": {nested(1000)}}}')
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert httpx.get(f"{server}/healthz").status_code == 200


# -- every refusal before execution is JSON with a code -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "content", "headers", "status", "code"),
    [
        ("POST", b'{"query": "{ me { subject } }"}', {"Content-Type": "text/plain"}, 400, "BAD_REQUEST"),
        ("POST", b"query=x", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "BAD_REQUEST"),
        ("POST", b'{"variables": {}}', JSON, 400, "BAD_REQUEST"),  # no query
        ("POST", b"[]", JSON, 400, "BAD_REQUEST"),  # an empty batch
        ("POST", b"x" * 2_000_000, JSON, 413, "PAYLOAD_TOO_LARGE"),
        ("PUT", b'{"query": "{ me { subject } }"}', JSON, 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", b"", {}, 405, "METHOD_NOT_ALLOWED"),
        ("GET", b"", {"Accept": "application/json"}, 400, "BAD_REQUEST"),  # no query, no browser
    ],
)
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
def test_refusals_before_execution_are_json_with_a_code(
    server: str,
    authorized: dict[str, str],
    with_token: bool,
    method: str,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    headers = {**headers, **(authorized if with_token else {})}
    response = httpx.request(method, f"{server}/graphql", content=content, headers=headers)
    refused_before_authentication = status in (405, 413)
    assert response.status_code == (status if with_token or refused_before_authentication else 401)
    assert_json_error(response, code if response.status_code == status else "UNAUTHENTICATED")


def test_a_bad_token_is_json_with_a_code(server: str) -> None:
    for authorization in ("Bearer not-a-jwt", "Basic eDp5", "Bearer " + "a" * 10_000):
        response = httpx.post(
            f"{server}/graphql",
            json={"query": "{ me { subject } }"},
            headers={"Authorization": authorization},
        )
        assert response.status_code == 401
        assert_json_error(response, "UNAUTHENTICATED")


# -- fuzz ---------------------------------------------------------------------------------------------

HOSTILE_VALUES = st.one_of(
    st.integers(1, 3000).map(nested),
    st.sampled_from(["1e400", "-1e400", "1" + "0" * 5000, "18446744073709551616", "NaN", "-0", "1e-400"]),
    st.binary(min_size=1, max_size=8).map(lambda raw: '"' + raw.decode("latin-1") + '"'),
    st.sampled_from(['"\\ud800"', '"\\u0000"', '{"a": 1, "a": {"a": 2}}', "[1,]", "{", '"\xff"']),
    st.integers(1, 200).map(lambda n: "[" * n),
)
WHERE = st.sampled_from(["body", "variables", "get variables", "get extensions", "batch"])


def _send(web: httpx.Client, where: str, value: str, headers: dict[str, str]) -> httpx.Response:
    if where.startswith("get "):
        params = {"query": QUERY, where.removeprefix("get "): value}
        return web.get("/graphql", params=params, headers=headers)
    payload = f'{{"query": {json.dumps(QUERY)}, "variables": {{"f": {value}}}}}'
    content = {"body": value, "variables": payload, "batch": f"[{payload}, {value}]"}[where]
    # latin-1 keeps every byte the strategy made, invalid UTF-8 included
    return web.post("/graphql", content=content.encode("latin-1", "replace"), headers={**JSON, **headers})


@settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=HOSTILE_VALUES, where=WHERE, with_token=st.booleans())
def test_fuzzed_hostile_json_never_answers_5xx(
    web: httpx.Client, authorized: dict[str, str], value: str, where: str, with_token: bool
) -> None:
    response = _send(web, where, value, authorized if with_token else {})
    assert_json_error(response)

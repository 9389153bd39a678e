"""Database outages against a real gateway process, with a fault-injecting proxy before PostgreSQL.

Refused connections answer 503 DATABASE_UNAVAILABLE with Retry-After; a COMMIT whose reply is lost
answers 503 COMMIT_OUTCOME_UNKNOWN, and the retry with the same idempotency key returns the first row;
once the database is back the next request is served, without a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from conftest import SECRET, token_for
from fault_proxy import FaultProxy, fault_proxy
from gateway.app import create_app
from gateway.settings import load_settings
from resolvers.communications.subscriptions import CREATED_CURSOR_PREFIX, encode_event_cursor
from servers import gateway_server, threaded_server
from ws_client import authenticated

CREATE = """mutation($input: ContactCreateInput!, $key: String) {
  contactCreate(input: $input, idempotencyKey: $key) { contact { id } errors { code } }
}"""
COUNT = "{ contacts { totalCount } }"
NOTE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { errors { code } }
}"""
TIMELINE = """subscription($contact: ID!, $after: String) {
  communicationCreated(contactId: $contact, after: $after) { communication { subject } }
}"""


@pytest.fixture(scope="module")
def proxy() -> Iterator[FaultProxy]:
    with fault_proxy() as running:
        yield running


@pytest.fixture(scope="module")
def server(app_url: str, proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gateway that reaches PostgreSQL only through ``proxy``."""
    through_proxy = make_url(app_url).set(host="127.0.0.1", port=proxy.port, query={"ssl": "disable"})
    folder = tmp_path_factory.mktemp("outage")
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
    }
    with gateway_server(folder, env) as base:
        yield base


@pytest.fixture
def token(tenant: str) -> str:
    return token_for(load_settings(jwt_secret=SECRET), tenant, permissions=["CRM_ALL", "CUST_ALL"])


def post(base: str, token: str, query: str, **variables: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": query, "variables": variables}
    return httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=30)


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def _create(base: str, token: str, last_name: str, key: str | None = None) -> httpx.Response:
    return post(base, token, CREATE, input={"firstName": "Ada", "lastName": last_name}, key=key)


@pytest.fixture
def refused(proxy: FaultProxy) -> Iterator[FaultProxy]:
    proxy.refuse()
    try:
        yield proxy
    finally:
        proxy.restore()


def test_queries_and_mutations_on_a_refused_database_answer_503_database_unavailable(
    server: str, token: str, refused: FaultProxy
) -> None:
    for response in (post(server, token, COUNT), _create(server, token, "Refused")):
        assert response.status_code == 503, response.text
        assert _code(response) == "DATABASE_UNAVAILABLE"
        assert response.headers["retry-after"] == "1"


async def test_a_subscription_on_a_refused_database_ends_with_database_unavailable(
    server: str, token: str, refused: FaultProxy
) -> None:
    async with authenticated(server, token) as ws:
        await ws.subscribe("q", "subscription { communicationQueueUpdated { kind } }")
        message = await ws.next_of("q")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "DATABASE_UNAVAILABLE", message


def test_the_first_request_after_the_database_returns_is_served(
    server: str, token: str, proxy: FaultProxy
) -> None:
    proxy.refuse()
    assert post(server, token, COUNT).status_code == 503
    proxy.restore()
    response = post(server, token, COUNT)
    assert response.status_code == 200 and "errors" not in response.json(), response.text


async def test_a_lost_commit_reply_answers_outcome_unknown_and_the_keyed_retry_returns_the_same_row(
    server: str, token: str, proxy: FaultProxy, owner_engine: Any, tenant: str
) -> None:
    key, name = str(uuid.uuid4()), f"Lost-{uuid.uuid4().hex[:8]}"
    proxy.drop_next_commit_reply()
    lost = _create(server, token, name, key)
    assert proxy.dropped_commits == 1
    assert lost.status_code == 503 and lost.headers["retry-after"] == "1"
    assert _code(lost) == "COMMIT_OUTCOME_UNKNOWN"
    assert "idempotencyKey" in lost.json()["errors"][0]["message"]
    retried = _create(server, token, name, key)
    assert retried.status_code == 200, retried.text
    again = _create(server, token, name, key)
    first_id = retried.json()["data"]["contactCreate"]["contact"]["id"]
    assert again.json()["data"]["contactCreate"]["contact"]["id"] == first_id
    assert await _rows_named(owner_engine, tenant, name) == 1  # the lost commit's row, returned twice


def test_a_lost_commit_reply_without_a_key_is_told_apart_from_an_internal_error(
    server: str, token: str, proxy: FaultProxy
) -> None:
    proxy.drop_next_commit_reply()
    lost = _create(server, token, f"Keyless-{uuid.uuid4().hex[:8]}")
    assert lost.status_code == 503 and _code(lost) == "COMMIT_OUTCOME_UNKNOWN"


def test_a_lost_commit_reply_of_a_customization_write_answers_outcome_unknown(
    server: str, proxy: FaultProxy, token: str
) -> None:
    """Customization (and integrations) write in their own transactions: a lost reply is told apart too."""
    create = (
        'mutation { customFieldCreate(input: {entity: "lead", fieldName: "size", fieldType: STRING})'
        " { customField { id } errors { code } } }"
    )
    proxy.drop_next_commit_reply()
    lost = post(server, token, create)
    assert lost.status_code == 503 and _code(lost) == "COMMIT_OUTCOME_UNKNOWN"
    assert proxy.dropped_commits >= 1
    fields = post(server, token, "{ customFields { fieldName } }").json()["data"]["customFields"]
    assert fields == [{"fieldName": "size"}]  # it did commit: the reply alone was lost


async def test_a_communication_whose_commit_reply_was_lost_still_reaches_its_subscribers(
    server: str, token: str, proxy: FaultProxy
) -> None:
    created = _create(server, token, "Timeline").json()["data"]["contactCreate"]["contact"]
    note = {"contactId": created["id"], "direction": "INCOMING", "media": "PHONE", "content": "Hi"}
    async with authenticated(server, token) as ws:
        after = encode_event_cursor(0, CREATED_CURSOR_PREFIX)
        await ws.subscribe("c", TIMELINE, {"contact": created["id"], "after": after})
        assert post(server, token, NOTE, input={**note, "subject": "Published"}).status_code == 200
        await ws.events("c", 1)  # the subscription is live: from now on events come only as published
        proxy.drop_next_commit_reply()
        lost = post(server, token, NOTE, input={**note, "subject": "Unknown outcome"})
        assert _code(lost) == "COMMIT_OUTCOME_UNKNOWN"
        (event,) = await ws.events("c", 1)
    assert event["communicationCreated"]["communication"]["subject"] == "Unknown outcome"


async def _rows_named(engine: Any, tenant: str, last_name: str) -> int:
    async with engine.connect() as connection:
        statement = sa.text("SELECT count(*) FROM contacts WHERE tenant = :tenant AND last_name = :name")
        return int((await connection.execute(statement, {"tenant": tenant, "name": last_name})).scalar_one())


def test_a_sqlite_database_that_cannot_be_opened_answers_503_database_unavailable(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite answers "unable to open database file".
    settings = load_settings(jwt_secret=SECRET, database_url=f"sqlite+aiosqlite:///{tmp_path}")
    token = token_for(settings, "acme")
    with threaded_server(create_app(settings)) as base:
        response = post(base, token, COUNT)
    assert response.status_code == 503, response.text
    assert _code(response) == "DATABASE_UNAVAILABLE"
    assert response.headers["retry-after"] == "1"

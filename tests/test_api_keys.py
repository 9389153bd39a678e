"""API keys: created and revoked by an admin (mutation and CLI), used in ``x-api-key``, stored hashed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, Client, token_for
from factories import error_code
from gateway.backends.sql import tables
from gateway.settings import Settings

CREATE = """
mutation ($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    apiKey { id name prefix permissions createdBy isRevoked dateRevoked }
    secret
    errors { field code message }
  }
}
"""
REVOKE = """
mutation ($id: ID!) {
  apiKeyRevoke(id: $id) { apiKey { id isRevoked dateRevoked } errors { field code message } }
}
"""
LIST = "{ apiKeys { id name prefix permissions isRevoked } }"
ME = "{ me { subject permissions tenant { key } } }"


async def create_key(client: Client, name: str, permissions: list[str]) -> dict[str, Any]:
    body = await client.execute(CREATE, {"input": {"name": name, "permissions": permissions}})
    return body["data"]["apiKeyCreate"]  # type: ignore[no-any-return]


async def with_key(http: httpx.AsyncClient, key: str, query: str, **headers: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers={"x-api-key": key, **headers})


async def test_a_key_reads_its_tenant_with_its_permissions(
    client: Client, http: httpx.AsyncClient, factory: Any, tenant: str
) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    created = await create_key(client, "billing-sync", ["CUST_READ"])
    assert created["errors"] == []
    key = created["apiKey"]
    assert key["name"] == "billing-sync" and key["permissions"] == ["CUST_READ"]
    assert key["createdBy"] == "tester" and not key["isRevoked"]
    assert created["secret"].startswith(f"crmgw_{key['prefix']}_")

    me = (await with_key(http, created["secret"], ME)).json()["data"]["me"]
    assert me == {"subject": "apikey:billing-sync", "permissions": ["CUST_READ"], "tenant": {"key": tenant}}
    contacts = await with_key(http, created["secret"], "{ contacts { edges { node { lastName } } } }")
    assert [e["node"]["lastName"] for e in contacts.json()["data"]["contacts"]["edges"]] == ["Lovelace"]


async def test_a_revoked_key_is_401(client: Client, http: httpx.AsyncClient) -> None:
    created = await create_key(client, "short-lived", ["CUST_READ"])
    assert (await with_key(http, created["secret"], ME)).status_code == 200
    revoked = (await client.execute(REVOKE, {"id": created["apiKey"]["id"]}))["data"]["apiKeyRevoke"]
    assert revoked["errors"] == [] and revoked["apiKey"]["isRevoked"]

    response = await with_key(http, created["secret"], ME)
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHENTICATED"
    assert "revoked" in response.json()["errors"][0]["message"]
    again = (await client.execute(REVOKE, {"id": created["apiKey"]["id"]}))["data"]["apiKeyRevoke"]
    assert again["apiKey"]["dateRevoked"] == revoked["apiKey"]["dateRevoked"]  # the first date stays


async def test_the_secret_is_stored_only_as_a_hash(client: Client, engine: Any) -> None:
    created = await create_key(client, "hashed", ["CUST_READ"])
    secret = created["secret"]
    async with engine.connect() as connection:
        query = tables.api_keys.select().where(tables.api_keys.c.id == uuid.UUID(created["apiKey"]["id"]))
        row = (await connection.execute(query)).mappings().one()
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    random_part = secret.split("_", 2)[2]  # the random part may itself contain "_"
    assert not any(random_part in str(value) for value in row.values())


@pytest.mark.parametrize("key", ["", "crmgw_", "not-a-key", "crmgw_00000000_" + "A" * 43, "x" * 5000])
async def test_unknown_or_malformed_keys_are_401(http: httpx.AsyncClient, key: str) -> None:
    response = await with_key(http, key, ME)
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHENTICATED"
    assert key not in response.json()["errors"][0]["message"] or not key


async def test_a_token_and_a_key_together_are_401(client: Client, http: httpx.AsyncClient) -> None:
    created = await create_key(client, "both", ["CUST_READ"])
    response = await with_key(http, created["secret"], ME, Authorization=f"Bearer {client.token}")
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHENTICATED"
    assert "not both" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (LIST, {}),
        (CREATE, {"input": {"name": "nope", "permissions": []}}),
        (REVOKE, {"id": str(uuid.uuid4())}),
    ],
)
async def test_api_key_admin_needs_crm_admin(
    http: httpx.AsyncClient, settings: Settings, tenant: str, query: str, variables: dict[str, Any]
) -> None:
    user = Client(http, token_for(settings, tenant, permissions=["CUST_ALL", "CRM_TASK_VIEW"]))
    response = await user.post(query, variables)
    assert error_code(response) == "FORBIDDEN"
    assert response.json()["errors"][0]["extensions"]["permission"] == "CRM_ADMIN"


async def test_a_key_cannot_administer_keys_without_crm_admin(
    client: Client, http: httpx.AsyncClient
) -> None:
    created = await create_key(client, "reader", ["CUST_READ"])
    assert error_code(await with_key(http, created["secret"], LIST)) == "FORBIDDEN"


async def test_unknown_permissions_are_a_user_error(client: Client) -> None:
    created = await create_key(client, "typo", ["CUST_READ", "CUST_REED"])
    assert created["apiKey"] is None and created["secret"] is None
    assert created["errors"] == [
        {"field": ["input", "permissions"], "code": "INVALID", "message": "Unknown permissions: CUST_REED."}
    ]


async def test_granting_more_than_you_hold_is_a_user_error(
    http: httpx.AsyncClient, settings: Settings, tenant: str
) -> None:
    admin = Client(http, token_for(settings, tenant, permissions=["CRM_ADMIN", "CUST_READ"]))
    created = await create_key(admin, "greedy", ["CUST_READ", "CUST_WRITE"])
    assert created["apiKey"] is None
    assert [(e["field"], e["code"]) for e in created["errors"]] == [(["input", "permissions"], "INVALID")]
    assert "CUST_WRITE" in created["errors"][0]["message"]
    assert (await create_key(admin, "modest", ["CUST_READ"]))["errors"] == []


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "-leading-dash"])
async def test_bad_names_are_a_user_error(client: Client, name: str) -> None:
    created = await create_key(client, name, ["CUST_READ"])
    assert [(e["field"], e["code"]) for e in created["errors"]] == [(["input", "name"], "INVALID")]


async def test_an_active_name_is_unique_until_revoked(client: Client) -> None:
    first = await create_key(client, "etl", ["CUST_READ"])
    duplicate = await create_key(client, "etl", ["CUST_READ"])
    assert [e["code"] for e in duplicate["errors"]] == ["CONFLICT"]
    await client.execute(REVOKE, {"id": first["apiKey"]["id"]})
    assert (await create_key(client, "etl", ["CUST_READ"]))["errors"] == []


async def test_keys_are_listed_and_revoked_within_the_tenant_only(
    client: Client, other_client: Client
) -> None:
    created = await create_key(client, "mine", ["CUST_READ"])
    listed = (await client.execute(LIST))["data"]["apiKeys"]
    assert [(k["name"], k["permissions"]) for k in listed] == [("mine", ["CUST_READ"])]
    assert (await other_client.execute(LIST))["data"]["apiKeys"] == []
    foreign = (await other_client.execute(REVOKE, {"id": created["apiKey"]["id"]}))["data"]["apiKeyRevoke"]
    assert [e["code"] for e in foreign["errors"]] == ["NOT_FOUND"]
    assert not (await client.execute(LIST))["data"]["apiKeys"][0]["isRevoked"]


async def test_revoking_a_malformed_id_is_a_user_error(client: Client) -> None:
    revoked = (await client.execute(REVOKE, {"id": "not-a-uuid"}))["data"]["apiKeyRevoke"]
    assert [(e["field"], e["code"]) for e in revoked["errors"]] == [(["id"], "INVALID")]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_GATEWAY_")}
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "api-key", *args],
        capture_output=True,
        text=True,
        env=environment | {"CRM_GATEWAY_JWT_SECRET": SECRET},
        cwd=cwd,
        timeout=120,
        check=False,
    )


async def test_the_cli_creates_lists_and_revokes_keys(
    http: httpx.AsyncClient, database_url: str, tenant: str, tmp_path: Path
) -> None:
    database = ["--database-url", database_url]
    created = run_cli(
        "create",
        "--tenant",
        tenant,
        "--name",
        "cli-key",
        "--permission",
        "CUST_READ",
        *database,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("crmgw_") and secret not in created.stderr
    me = (await with_key(http, secret, ME)).json()["data"]["me"]
    assert (me["subject"], me["tenant"]["key"]) == ("apikey:cli-key", tenant)

    listed = run_cli("list", "--tenant", tenant, *database, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "cli-key" in listed.stdout and "active" in listed.stdout and secret not in listed.stdout
    key_id = listed.stdout.split()[0]

    revoked = run_cli("revoke", key_id, *database, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert (await with_key(http, secret, ME)).status_code == 401
    assert "revoked" in run_cli("list", "--tenant", tenant, *database, cwd=tmp_path).stdout


@pytest.mark.parametrize(
    ("args", "status", "mentions"),
    [
        (["create", "--tenant", "t1", "--name", "k", "--permission", "NOPE"], 2, "NOPE"),
        (["create", "--tenant", "bad tenant", "--name", "k"], 2, "bad tenant"),
        (["create", "--tenant", "t1", "--name", "bad name"], 2, "--name"),
        (["revoke", "not-a-uuid"], 2, "not-a-uuid"),
        (["revoke", str(uuid.uuid4())], 1, "no API key"),
        (["list"], 2, "--tenant"),
    ],
)
def test_the_cli_reports_bad_input_plainly(
    sqlite_url: str, cli: Any, args: list[str], status: int, mentions: str
) -> None:
    done = cli("api-key", *args, "--database-url", sqlite_url)
    assert done.returncode == status, done.stderr
    assert mentions in done.stderr
    assert "Traceback" not in done.stderr

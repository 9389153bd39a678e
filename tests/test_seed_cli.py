"""The ``crm-gateway`` command: migrations, seeding, tokens, and how it reports bad input.

The command runs in a subprocess, as a user would run it, against a SQLite file of the test's own
(and, when configured, a scratch PostgreSQL database), with every ``CRM_GATEWAY_*`` variable of the
surrounding environment removed so that only what a test sets reaches it. Bad input, refused before
any work, and minting tokens run in the test's process (the ``cli`` fixture, the same bare
environment); one token is minted by the subprocess too.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.auth import authenticate
from gateway.settings import load_settings

SECRET = "seed-cli-test-secret-" + "s" * 32
POSTGRES_URL = os.environ.get("CRM_GATEWAY_TEST_POSTGRES_URL")
REQUIRE_SERVICES = os.environ.get("CRM_GATEWAY_TEST_REQUIRE_SERVICES") == "1"
TENANT_TABLES = (
    "users",
    "franchises",
    "departments",
    "stages",
    "contacts",
    "accounts",
    "account_contacts",
    "emails",
    "phones",
    "addresses",
    "third_party_ids",
    "leads",
    "lead_assignees",
    "events",
    "communication_categories",
    "communication_templates",
    "communication_queue_external_systems",
    "communications",
    "communication_references",
    "communication_queue_entries",
)


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_GATEWAY_")}
    environment |= {"CRM_GATEWAY_JWT_SECRET": SECRET, **env}
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="module")
def seeded_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A database where ``seed --tenant acme --contacts 50`` ran twice; its path and both outputs."""
    folder = tmp_path_factory.mktemp("seeded")
    database = folder / "crm.db"
    outputs = []
    for _ in range(2):
        done = run_cli(
            "seed",
            "--tenant",
            "acme",
            "--contacts",
            "50",
            "--no-progress",
            "--database-url",
            sqlite_url(database),
            cwd=folder,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return database, outputs


def scalar(database: Path, query: str) -> Any:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(query).fetchone()[0]


def test_db_upgrade_can_run_twice(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "crm.db")
    for _ in range(2):
        done = run_cli("db", "upgrade", "--database-url", url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "latest schema revision" in done.stdout
    assert scalar(tmp_path / "crm.db", "SELECT count(*) FROM alembic_version") == 1


def test_seed_twice_adds_both_batches_of_contacts(seeded_twice: tuple[Path, list[str]]) -> None:
    database, outputs = seeded_twice
    assert scalar(database, "SELECT count(*) FROM contacts WHERE tenant = 'acme'") == 100
    assert all("contacts" in output and "50" in output for output in outputs)


def test_seed_twice_reuses_the_stage_pipeline(seeded_twice: tuple[Path, list[str]]) -> None:
    database, _ = seeded_twice
    assert scalar(database, "SELECT count(*) FROM stages") == 7
    assert scalar(database, "SELECT count(DISTINCT name) FROM stages") == 7


def test_seeded_leads_span_several_stages(seeded_twice: tuple[Path, list[str]]) -> None:
    database, _ = seeded_twice
    assert scalar(database, "SELECT count(DISTINCT stage_id) FROM leads") >= 3


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_seeded_rows_belong_to_the_named_tenant_only(
    seeded_twice: tuple[Path, list[str]], table: str
) -> None:
    database, _ = seeded_twice
    assert scalar(database, f"SELECT count(*) FROM {table} WHERE tenant = 'acme'") > 0
    assert scalar(database, f"SELECT count(*) FROM {table} WHERE tenant <> 'acme'") == 0


def test_seed_registers_the_tenant_once(seeded_twice: tuple[Path, list[str]]) -> None:
    database, _ = seeded_twice
    assert scalar(database, "SELECT group_concat(key || '=' || name) FROM tenants") == "acme=Acme"


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [
        ("emails", "owner_id", "contacts"),
        ("leads", "contact_id", "contacts"),
        ("events", "lead_id", "leads"),
        ("communications", "contact_id", "contacts"),
        ("communication_queue_entries", "communication_id", "communications"),
        ("communication_references", "target_id", "leads"),
    ],
)
def test_seeded_children_point_at_rows_of_the_same_tenant(
    seeded_twice: tuple[Path, list[str]], table: str, column: str, parent: str
) -> None:
    database, _ = seeded_twice
    orphans = scalar(
        database,
        f"SELECT count(*) FROM {table} child LEFT JOIN {parent} p ON p.id = child.{column} "
        "AND p.tenant = child.tenant WHERE p.id IS NULL",
    )
    assert orphans == 0


def test_token_is_accepted_by_authenticate_for_its_tenant(tmp_path: Path) -> None:
    done = run_cli("token", "--sub", "u", "--tenant", "acme", "--permission", "CUST_READ", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    principal = asyncio.run(authenticate(done.stdout.strip(), load_settings(jwt_secret=SECRET)))
    assert (principal.subject, principal.tenant) == ("u", "acme")
    assert principal.permissions == frozenset({"CUST_READ"})


@pytest.mark.parametrize(
    ("args", "env", "mentions"),
    [
        (["seed", "--contacts", "-1"], {}, "--contacts"),
        (["seed", "--tenant", "bad name"], {}, "bad name"),
        (["token", "--sub", "u"], {}, "--tenant"),
        (["token", "--sub", "u", "--tenant", "acme\n"], {}, "not a tenant name"),
        (["token", "--sub", "u", "--tenant", "acme"], {"CRM_GATEWAY_MAX_PAGE_SIZE": "abc"}, "MAX_PAGE_SIZE"),
        (["token", "--sub", "u" * 256, "--tenant", "acme"], {}, "at most 255 characters"),
    ],
    ids=[
        "negative-contacts",
        "tenant-with-space",
        "no-tenant",
        "tenant-with-newline",
        "bad-setting",
        "long-sub",
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, cli: Any, args: list[str], env: dict[str, str], mentions: str
) -> None:
    database = tmp_path / "crm.db"
    extra = ["--database-url", sqlite_url(database)] if args[0] == "seed" else []
    done = cli(*args, *extra, **env)
    assert (done.returncode, done.stdout) == (2, "")
    assert mentions in done.stderr
    assert "Traceback" not in done.stderr
    assert not database.exists()


def test_unreachable_database_exits_1_without_showing_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://crm:hunter2@127.0.0.1:1/crm"  # port 1: nothing listens there
    done = run_cli("db", "upgrade", "--database-url", url, cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot reach database" in done.stderr
    assert "hunter2" not in done.stderr
    assert "Traceback" not in done.stderr


def postgres_admin_url() -> str:
    if not POSTGRES_URL:
        if REQUIRE_SERVICES:
            pytest.fail("CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but CRM_GATEWAY_TEST_POSTGRES_URL is not set")
        pytest.skip("set CRM_GATEWAY_TEST_POSTGRES_URL (postgresql+asyncpg://...) to seed PostgreSQL")
    return POSTGRES_URL


async def postgres_run(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE refuses transactions
    try:
        async with engine.connect() as connection:
            result = await connection.execute(sa.text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.fixture
def postgres_scratch_url() -> Iterator[str]:
    admin = make_url(postgres_admin_url())
    name = f"crm_seed_{uuid.uuid4().hex[:12]}"
    asyncio.run(postgres_run(admin.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    asyncio.run(
        postgres_run(admin.render_as_string(hide_password=False), f'DROP DATABASE "{name}" WITH (FORCE)')
    )


def test_seed_fills_a_postgresql_database(tmp_path: Path, postgres_scratch_url: str) -> None:
    for args in (["db", "upgrade"], ["seed", "--contacts", "20", "--tenant", "pgseed", "--no-progress"]):
        done = run_cli(*args, "--database-url", postgres_scratch_url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    counts = asyncio.run(
        postgres_run(
            postgres_scratch_url,
            (
                "SELECT (SELECT count(*) FROM contacts WHERE tenant = 'pgseed'), "
                "(SELECT count(*) FROM stages WHERE tenant = 'pgseed'), "
                "(SELECT count(*) FROM leads WHERE tenant <> 'pgseed')"
            ),
        )
    )
    assert counts == [(20, 7, 0)]


def test_seeded_communications_have_unique_numbers_and_reused_settings(
    seeded_twice: tuple[Path, list[str]],
) -> None:
    database, _ = seeded_twice
    communications = scalar(database, "SELECT count(*) FROM communications")
    assert scalar(database, "SELECT count(DISTINCT number) FROM communications") == communications
    assert (
        scalar(database, "SELECT max(value) FROM counters WHERE name = 'communication_number'")
        == communications
    )
    assert scalar(database, "SELECT count(*) FROM communication_categories") == 4  # reused by the second run
    pending = scalar(
        database, "SELECT count(*) FROM communication_queue_entries WHERE life_cycle_state = 'PENDING'"
    )
    assert (
        scalar(database, "SELECT count(*) FROM communication_queue_events WHERE kind = 'ENQUEUED'") == pending
    )
    no_to = "SELECT count(*) FROM communications WHERE media = 'EMAIL' AND (\"to\" IS NULL OR \"to\" = '')"
    assert scalar(database, no_to) == 0


@pytest.mark.parametrize("by_setting", [False, True], ids=["--port", "CRM_GATEWAY_PORT"])
def test_serve_on_a_taken_port_exits_1_before_seeding_or_printing_a_token(
    tmp_path: Path, by_setting: bool
) -> None:
    database = tmp_path / "crm.db"
    with socket.socket() as taken:  # what a gateway already running there holds
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        flags, env = ([], {"CRM_GATEWAY_PORT": port}) if by_setting else (["--port", port], {})
        done = run_cli("serve", "--demo", "--database-url", sqlite_url(database), *flags, cwd=tmp_path, **env)
    assert done.returncode == 1, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr and "CRM_GATEWAY_PORT" in done.stderr
    assert "Bearer" not in done.stdout and "GraphiQL" not in done.stdout
    assert "Traceback" not in done.stderr
    assert not database.exists()  # nothing seeded


def test_token_refuses_an_unknown_permission_and_suggests_close_names(cli: Any) -> None:
    args = ["--permission", "CUST_READ", "--permission", "CUST_RAED", "--permission", "cust_write"]
    done = cli("token", "--sub", "u", "--tenant", "acme", *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert "unknown permission 'CUST_RAED' (did you mean CUST_READ" in done.stderr
    assert "'cust_write' (did you mean CUST_WRITE" in done.stderr
    assert "Traceback" not in done.stderr


def test_token_without_permissions_warns_that_it_reads_nothing(cli: Any) -> None:
    done = cli("token", "--sub", "u", "--tenant", "acme", CRM_GATEWAY_JWT_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    assert "warning: no --permission given" in done.stderr
    principal = asyncio.run(authenticate(done.stdout.strip(), load_settings(jwt_secret=SECRET)))
    assert principal.permissions == frozenset()


def test_token_with_permissions_prints_no_warning(cli: Any) -> None:
    done = cli("token", "--sub", "u", "--tenant", "acme", "--permission", "CRM_ALL")
    assert (done.returncode, done.stderr) == (0, "")


SHOWCASE_TABLES = (
    "roles",
    "user_roles",
    "tags",
    "tag_assignments",
    "comments",
    "documents",
    "contact_relations",
    "occasions",
    "custom_fields",
)


def _showcase_counts(database: Path) -> dict[str, int]:
    counts = {table: scalar(database, f"SELECT count(*) FROM {table}") for table in SHOWCASE_TABLES}
    counts["contacts"] = scalar(database, "SELECT count(*) FROM contacts")
    counts["valued"] = scalar(database, "SELECT count(*) FROM contacts WHERE custom_fields <> '{}'")
    return counts


def test_the_demo_shows_every_part_of_the_model_once(tmp_path: Path) -> None:
    """What ``serve --demo`` seeds: a second start adds nothing, and the documents' files are stored."""
    from gateway.cli import _seed_demo_if_empty
    from gateway.storage import create_storage

    url = sqlite_url(tmp_path / "crm.db")
    assert run_cli("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    settings = load_settings(database_url=url, jwt_secret=SECRET, documents_dir=str(tmp_path / "files"))
    first = asyncio.run(_seed_demo_if_empty(url, settings))
    assert first is not None and first.contacts == 200
    counts = _showcase_counts(tmp_path / "crm.db")
    assert all(counts.values()), counts  # a few rows of each
    assert asyncio.run(_seed_demo_if_empty(url, settings)) is None
    assert _showcase_counts(tmp_path / "crm.db") == counts
    keys = [row[0] for row in _rows(tmp_path / "crm.db", "SELECT storage_key FROM documents")]
    assert len(keys) == counts["documents"] == len(list((tmp_path / "files" / "demo").iterdir()))

    async def first_file() -> bytes:
        storage = create_storage(settings)
        try:
            return b"".join([chunk async for chunk in storage.read(keys[0])])
        finally:
            await storage.close()

    assert asyncio.run(first_file()).startswith(b"Meeting notes")


def _rows(database: Path, query: str) -> list[Any]:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(query).fetchall()

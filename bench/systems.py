"""The servers under test, each started in its own process, and the dataset they share."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.load import CREATED_FIRST_NAME, CREATED_LAST_NAME

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
TENANT = "bench"
SECRET = "bench-secret-" + "x" * 40
APP_ROLE = "crm_gateway_app"  # as in tests/conftest.py: a login role that row-level security binds
POSTGRAPHILE_DIR = ROOT / "bench" / "postgraphile"


@dataclass
class Dataset:
    """Where the reference data lives: ``owner_url`` migrates and seeds, ``app_url`` serves."""

    database: str  # "sqlite" or "postgresql"
    owner_url: str
    app_url: str


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def reset_peak_rss(self) -> None:
        # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each measurement gets its own peak.
        for pid in self._processes():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_rss_mib(self) -> float | None:
        """The server's peak RSS: with worker processes, the sum of every process's own peak."""
        peaks = [peak for peak in map(_peak_rss_kib, self._processes()) if peak is not None]
        return sum(peaks) / 1024 if peaks else None

    def _processes(self) -> list[int]:
        """The server's process and, for a multi-process server, its workers (children, recursively)."""
        found, pending = [], [self.process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    pending += [int(child) for child in task.read_text().split()]
        return found


def _peak_rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def prepare_dataset(database: str, contacts: int, postgres_url: str, name: str = "crm_bench") -> Dataset:
    VAR.mkdir(parents=True, exist_ok=True)
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{VAR / 'bench.db'}"
        dataset = Dataset(database, url, url)
    else:
        dataset = _postgres_dataset(postgres_url, name)
    _crm_gateway("db", "upgrade", "--database-url", dataset.owner_url)
    if database == "postgresql":
        asyncio.run(_execute(dataset.owner_url, *_app_role_statements(make_url(dataset.owner_url).database)))
    # Here rather than only after a run: a run that crashed or was interrupted left its contacts too.
    remove_created_contacts(dataset)
    _seed_up_to(dataset.owner_url, contacts)
    if database == "postgresql":
        # VACUUM as well: the rows just removed, and M2's updates, leave dead tuples that autovacuum
        # may not reach before the next run, and they would slow its scans.
        asyncio.run(_execute(dataset.owner_url, "VACUUM ANALYZE"))
    return dataset


def _seed_up_to(url: str, contacts: int) -> None:
    present = asyncio.run(_count_contacts(url))
    if present > contacts:
        print(
            f"WARNING: tenant {TENANT!r} has {present:,} contacts, not {contacts:,}: the run measures "
            f"{present:,} (the seed only adds rows; recreate the database to measure {contacts:,})",
            file=sys.stderr,
        )
    elif present == contacts:
        print(f"tenant {TENANT!r} already has {present:,} contacts: seed skipped", file=sys.stderr)
    else:
        print(f"seeding {contacts - present:,} contacts into tenant {TENANT!r} ...", file=sys.stderr)
        _crm_gateway("seed", "--contacts", str(contacts - present), "--tenant", TENANT, "--database-url", url)


# The contacts M1 (contactCreate) adds to the tenant on every run, recognised by their names.
_CREATED_CONTACTS = (
    "SELECT id FROM contacts WHERE tenant = :tenant AND first_name LIKE :first AND last_name LIKE :last"
)
# Their rows, dependents first: the schema has no ON DELETE CASCADE, and the value lists (emails to
# third_party_ids) no foreign key at all, as their owner_id may name an account instead. Leads, events,
# communications and accounts refer to contacts too, but M1 creates none: should one refer to such a
# contact, its foreign key fails the delete rather than letting it remove what M1 did not make.
_CREATED_ROWS = [
    ("emails", "owner_id"),
    ("phones", "owner_id"),
    ("addresses", "owner_id"),
    ("third_party_ids", "owner_id"),
    ("contact_permissions", "owner_id"),
    ("account_contacts", "contact_id"),
    ("contacts", "id"),
]


def remove_created_contacts(dataset: Dataset) -> None:
    """Delete what M1 created, so that every run measures the seeded rows and nothing more."""
    removed = asyncio.run(_delete_created_contacts(dataset.owner_url))
    rows = ", ".join(f"{count:,} {table}" for table, count in removed.items()) or "nothing"
    print(f"removed what earlier M1 runs left in tenant {TENANT!r}: {rows}", file=sys.stderr)


async def _delete_created_contacts(url: str) -> dict[str, int]:
    names = {"tenant": TENANT, "first": CREATED_FIRST_NAME + "%", "last": CREATED_LAST_NAME + "%"}
    removed: dict[str, int] = {}
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:  # all or nothing: no contact loses half its rows
            for table, column in _CREATED_ROWS:
                delete = f"DELETE FROM {table} WHERE tenant = :tenant AND {column} IN ({_CREATED_CONTACTS})"
                result = await connection.execute(sa.text(delete), names)
                if result.rowcount:
                    removed[table] = result.rowcount
    finally:
        await engine.dispose()
    return removed


def _postgres_dataset(postgres_url: str, name: str) -> Dataset:
    admin = make_url(postgres_url)
    exists = asyncio.run(_scalar(admin.render_as_string(hide_password=False), _database_exists(name)))
    if not exists:
        asyncio.run(_execute(admin.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    owner = admin.set(database=name)
    app = owner.set(username=APP_ROLE, password=None)
    return Dataset("postgresql", owner.render_as_string(False), app.render_as_string(False))


def _database_exists(name: str) -> sa.TextClause:
    return sa.text("SELECT 1 FROM pg_database WHERE datname = :name").bindparams(name=name)


def _app_role_statements(database: str | None) -> list[str]:
    # The same deployment as tests/conftest.py: no SUPERUSER, no BYPASSRLS, DML grants only.
    return [
        f"""DO $$ BEGIN
              CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$""",
        f'GRANT CONNECT ON DATABASE "{database}" TO {APP_ROLE}',
        f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
    ]


async def _execute(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def _scalar(url: str, statement: sa.Executable) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(statement)
    finally:
        await engine.dispose()


async def _count_contacts(url: str) -> int:
    count = sa.text("SELECT count(*) FROM contacts WHERE tenant = :tenant").bindparams(tenant=TENANT)
    return int(await _scalar(url, count) or 0)  # type: ignore[call-overload]


async def fetch_rows(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            text = sa.text(statement)
            if ":tenant" in statement:
                text = text.bindparams(tenant=TENANT)
            result = await connection.execute(text)
            return [tuple(row) for row in result]
    finally:
        await engine.dispose()


def _crm_gateway(*args: str) -> str:
    completed = subprocess.run(
        [str(BIN / "crm-gateway"), *args], env=gateway_env(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"crm-gateway {args[0]} failed:\n{completed.stderr}")
    return completed.stdout


def gateway_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_GATEWAY_")}
    env.update(
        CRM_GATEWAY_JWT_SECRET=SECRET,
        CRM_GATEWAY_RATE_LIMIT_PER_SECOND="0",  # on by default; it would throttle the load generator
        CRM_GATEWAY_LOG_LEVEL="WARNING",
        CRM_GATEWAY_MAX_PAGE_SIZE="200",
    )
    # The one setting passed through: ``CRM_GATEWAY_PLANNER=0 python -m bench.run`` measures the
    # resolvers without the query planner, for an A/B run of the same cases.
    if "CRM_GATEWAY_PLANNER" in os.environ:
        env["CRM_GATEWAY_PLANNER"] = os.environ["CRM_GATEWAY_PLANNER"]
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(name: str, command: list[str], env: dict[str, str], port: int, ready: str) -> Iterator[Server]:
    log = (VAR / f"{name}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(process, base + ready, name)
        yield Server(name, base, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, name: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {VAR / (name + '.log')}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer {url} within 120 s; see {VAR / (name + '.log')}")


@contextlib.contextmanager
def gateway(dataset: Dataset, workers: int = 1, redis_url: str | None = None) -> Iterator[Server]:
    """``crm-gateway serve``; with ``workers`` above 1, that many processes sharing state in Redis."""
    port = free_port()
    command = [str(BIN / "crm-gateway"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    extra = {"CRM_GATEWAY_WORKERS": str(workers), "CRM_GATEWAY_REDIS_URL": redis_url or ""}
    env = gateway_env(CRM_GATEWAY_DATABASE_URL=dataset.app_url, **(extra if workers > 1 else {}))
    name = "gateway" if workers == 1 else f"gateway-{workers}w"
    with running(name, command, env, port, "/healthz") as server:
        server.headers = {"Authorization": f"Bearer {mint_token()}"}
        yield server


def mint_token() -> str:
    permissions = ["--permission", "CRM_ALL", "--permission", "CUST_ALL"]
    return _crm_gateway("token", "--sub", "bench", "--tenant", TENANT, *permissions).strip()


@contextlib.contextmanager
def naive(dataset: Dataset) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, "-m", "bench.baselines.naive", "--port", str(port)]
    env = gateway_env(BENCH_DATABASE_URL=dataset.app_url, BENCH_TENANT=TENANT)
    with running("naive", command, env, port, "/healthz") as server:
        yield server


def postgraphile_installed() -> bool:
    return (POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "cli.js").exists()


# emails, phones, addresses and third-party ids belong to a contact or an account through ``owner_id``,
# which has no foreign key; PostGraphile builds relations from foreign keys only, so smart comments
# declare the contact side (they change nothing for the gateway).
POSTGRAPHILE_COMMENTS = [
    f"COMMENT ON TABLE {table} IS E'@foreignKey (owner_id) references contacts (id)'"
    for table in ("emails", "phones", "addresses", "third_party_ids")
]


@contextlib.contextmanager
def postgraphile(dataset: Dataset, workers: int = 1) -> Iterator[Server]:
    """PostGraphile's CLI; with ``workers`` above 1, its own ``--cluster-workers`` (Node's cluster)."""
    asyncio.run(_execute(dataset.owner_url, *POSTGRAPHILE_COMMENTS))
    port = free_port()
    # As the owner: PostGraphile v4's CLI sets no per-request tenant, so row-level security would hide
    # every row from the app role. The queries filter by tenant instead (see operations.py).
    url = make_url(dataset.owner_url).set(drivername="postgres").render_as_string(False)
    cli = POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "cli.js"
    command = ["node", str(cli), "-c", url, "--schema", "public", "--port", str(port), "--host", "127.0.0.1"]
    command += ["--disable-query-log", "--no-setof-functions-contain-nulls"]
    name = "postgraphile"
    if workers > 1:
        command += ["--cluster-workers", str(workers)]
        name = f"postgraphile-{workers}w"
    env = dict(os.environ, NODE_ENV="production")
    with running(name, command, env, port, "/graphql") as server:
        yield server

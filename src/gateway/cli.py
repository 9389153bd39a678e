"""``crm-gateway``: serve, migrate, seed demo data, export the schema, mint tokens, manage API keys.

Problems the user can fix (bad arguments, bad settings, an unreachable database, a port in use) are
reported in a line or two on stderr with exit status 2 (usage, settings, unknown permission names) or 1
(database, port in use), never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

# Each command imports what it needs when it runs: ``--help``, a usage error or ``token`` need neither
# SQLAlchemy nor Strawberry, and every process that imports this module again (off Linux, uvicorn's
# spawned workers run the ``crm-gateway`` script first) would otherwise pay for all of them first
# (tests/test_cli_imports.py).
if TYPE_CHECKING:
    from gateway.apikeys import ApiKey, ApiKeyStore, IssuedKey
    from gateway.seed import SeedSummary
    from gateway.settings import Settings

T = TypeVar("T")

DEMO_TENANT = "demo"
DEMO_CONTACTS = 200
DEMO_SUBJECT = "demo-user"
DEMO_PERMISSIONS = ["CRM_ALL", "CUST_ALL"]
DEMO_TOKEN_LIFETIME = timedelta(days=30)
MAX_LIFETIME_HOURS = 24 * 366 * 10  # timedelta overflows long before a float does
PORT_IN_USE = 1  # exit status when serve's port is taken (as for a worker that cannot bind it)


class CommandError(Exception):
    """A problem to report on stderr, and the exit status that goes with it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has already printed the usage and the problem
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return int(args.handler(args))
    except CommandError as error:
        return _fail(str(error), error.status)
    except KeyboardInterrupt:
        return _fail("interrupted (batches already committed stay in the database)", 130)
    except BrokenPipeError:
        # The reader went away (``| head``). Point stdout at /dev/null so the flush at exit is quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        from gateway.settings import SettingsError  # imported here: see the imports above

        if isinstance(error, SettingsError):
            return _fail(str(error), 2)
        raise


def _fail(message: str, status: int) -> int:
    print(f"crm-gateway: {message}", file=sys.stderr)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-gateway", description="CRM Graph Gateway.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve(commands)
    database = commands.add_parser("db", help="database maintenance")
    actions = database.add_subparsers(dest="action", required=True, metavar="ACTION")
    db_upgrade = actions.add_parser("upgrade", help="apply all migrations (safe to repeat)")
    _database_option(db_upgrade)
    db_upgrade.set_defaults(handler=_db_upgrade)
    _add_seed(commands)
    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.set_defaults(handler=_export_schema)
    _add_token(commands)
    _add_api_key(commands)
    _add_simulate(commands)
    return parser


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="migrate the database and run the HTTP server")
    serve.add_argument("--host", help="interface to listen on (default: CRM_GATEWAY_HOST)")
    serve.add_argument("--port", type=_port, help="port to listen on (default: CRM_GATEWAY_PORT)")
    serve.add_argument("--demo", action="store_true", help=f"seed tenant {DEMO_TENANT!r} when it is empty")
    workers = "processes serving the port (default: CRM_GATEWAY_WORKERS; more than 1 needs Redis)"
    serve.add_argument("--workers", type=_count, help=workers)
    _database_option(serve)
    serve.set_defaults(handler=_serve)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser("simulate", help="serve an upstream simulator (conecrm, crmcom, akixi)")
    simulate.add_argument("name", help="the simulator to serve, e.g. conecrm")
    simulate.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    simulate.add_argument("--port", type=_port, required=True, help="port to listen on")
    simulate.add_argument(
        "--database-url",
        help="where the simulator keeps its data (default: conecrm the gateway's database, others in memory)",
    )
    simulate.add_argument(
        "--profile",
        help="the simulator's reading of what its seed leaves open (conecrm: lists|objects, crmcom: "
        "nulls|sparse, akixi: literal|textual; default: the simulator's own)",
    )
    # The option's first name; kept so that existing scripts keep working, with a warning.
    simulate.add_argument("--database", dest="deprecated_database", help=argparse.SUPPRESS)
    simulate.set_defaults(handler=_simulate)


def _add_seed(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = commands.add_parser("seed", help="add realistic demo data to a tenant")
    seed.add_argument("--contacts", type=_count, default=1000, help="contacts to add (default: 1000)")
    seed.add_argument("--tenant", type=_tenant, default=DEMO_TENANT, help="tenant to fill (default: demo)")
    seed.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    _database_option(seed)
    seed.set_defaults(handler=_seed)


def _add_token(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="print a JWT signed with the configured secret")
    token.add_argument("--sub", type=_text, required=True, help="the token's subject (user)")
    token.add_argument("--tenant", type=_tenant, required=True, help="the tenant the token may see")
    permission = "a name from the permission catalog, e.g. CUST_READ or CRM_ALL (repeat)"
    token.add_argument("--permission", action="append", type=_text, default=[], help=permission)
    token.add_argument("--lifetime-hours", type=_hours, default=24.0, help="validity (default: 24)")
    token.set_defaults(handler=_token)


def _add_api_key(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    api_key = commands.add_parser("api-key", help="create, revoke and list API keys (x-api-key)")
    actions = api_key.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (the only time it is shown)")
    create.add_argument("--tenant", type=_tenant, required=True, help="the tenant the key acts in")
    create.add_argument("--name", type=_text, required=True, help="unique among the tenant's active keys")
    create.add_argument(
        "--permission", action="append", type=_text, default=[], help="e.g. CUST_READ (repeat)"
    )
    create.set_defaults(handler=_api_key_create)
    revoke = actions.add_parser("revoke", help="revoke a key by its ID")
    revoke.add_argument("id", type=_uuid, help="the key's ID (see api-key list)")
    revoke.set_defaults(handler=_api_key_revoke)
    listing = actions.add_parser("list", help="list a tenant's keys, revoked ones included")
    listing.add_argument("--tenant", type=_tenant, required=True, help="the tenant whose keys to list")
    listing.set_defaults(handler=_api_key_list)
    for parser in (create, revoke, listing):
        _database_option(parser)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: CRM_GATEWAY_DATABASE_URL)")


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more (got {value!r})")
    return number


def _port(value: str) -> int:
    number = _count(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535 (got {value!r})")
    return number


def _hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_LIFETIME_HOURS:
        raise argparse.ArgumentTypeError(f"must be a number of hours above 0, at most {MAX_LIFETIME_HOURS}")
    return hours


def _tenant(value: str) -> str:
    from gateway.auth import TENANT_PATTERN

    if not TENANT_PATTERN.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a tenant name: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 64 characters"
        )
    return value


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an API key ID (a UUID)") from None


def _text(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def _settings(args: argparse.Namespace) -> Settings:
    from gateway.settings import load_settings

    # Flags override the environment, and go through the same validation.
    flags = {name: getattr(args, name, None) for name in ("database_url", "workers")}
    return load_settings(**{name: value for name, value in flags.items() if value is not None})


def _db_upgrade(args: argparse.Namespace) -> int:
    url = _settings(args).database_url
    _prepare_database(url)
    print(f"database {_safe_url(url)} is at the latest schema revision")
    return 0


def _seed(args: argparse.Namespace) -> int:
    url = _settings(args).database_url
    _prepare_database(url)
    started = time.perf_counter()
    seeding = _seed_tenant(url, args.tenant, args.contacts, args.progress)
    summary = _database_step(url, lambda: asyncio.run(seeding))
    print(f"seeded tenant {summary.tenant!r} in {time.perf_counter() - started:.1f} s; rows added:")
    counts = summary.counts()
    width = max(map(len, counts))
    for table, count in counts.items():
        print(f"  {table:<{width}} {count:>10,}")
    return 0


async def _seed_tenant(url: str, tenant: str, contacts: int, progress: bool) -> SeedSummary:
    from gateway.backends.sql.engine import create_engine
    from gateway.seed import seed_tenant

    engine = create_engine(url)
    try:
        return await seed_tenant(engine, tenant, contacts, progress=progress)
    finally:
        await engine.dispose()


async def _seed_demo_if_empty(url: str, settings: Settings) -> SeedSummary | None:
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from gateway.backends.sql import tables
    from gateway.backends.sql.engine import create_engine, for_tenant
    from gateway.seed import seed_tenant
    from gateway.seed.showcase import has_showcase, seed_showcase
    from gateway.storage import create_storage

    engine, storage = create_engine(url), create_storage(settings)
    try:
        c = tables.contacts.c
        async with for_tenant(engine, DEMO_TENANT).connect() as conn:
            found = await conn.scalar(sa.select(c.id).where(c.tenant == DEMO_TENANT).limit(1))
        summary = None
        if found is None:
            summary = await seed_tenant(engine, DEMO_TENANT, DEMO_CONTACTS, progress=False)
        if not await has_showcase(engine, DEMO_TENANT):  # also a demo seeded before it existed
            # Tags, comments, documents, ... for GraphiQL. An IntegrityError: another process starting
            # at the same time added them first (tags are unique).
            with suppress(IntegrityError):
                await seed_showcase(engine, DEMO_TENANT, storage)
        return summary
    finally:
        await storage.close()
        await engine.dispose()


def _serve(args: argparse.Namespace) -> int:
    from gateway.auth import mint_token
    from gateway.backends.rest.config import load_backends
    from gateway.graphiql.page import offer_demo_token
    from gateway.settings import Environment
    from gateway.shutdown import exit_zero_after_sigterm, server_options

    settings = _settings(args)
    url, host, port = settings.database_url, args.host or settings.host, args.port or settings.port
    _check_port_free(host, port)  # before seeding and printing a token that would lead nowhere
    load_backends(settings.backends)  # a bad routing file stops here, before the database is touched
    _prepare_database(url, migrate_elsewhere=True)
    if settings.env is Environment.PRODUCTION:
        # The app checks again as it starts; checking here first turns a refusal into a plain message.
        _database_step(url, lambda: asyncio.run(_check_database_role(settings)))
    if args.demo and _database_step(url, lambda: asyncio.run(_seed_demo_if_empty(url, settings))):
        print(f"seeded tenant {DEMO_TENANT!r} with {DEMO_CONTACTS} contacts")
    print(f"GraphiQL: http://{host}:{port}/graphql")
    # A 30-day all-permissions token belongs in a developer's terminal, not in production logs.
    if (args.demo or settings.env is Environment.DEVELOPMENT) and settings.accepts_shared_secret:
        token = mint_token(settings, DEMO_SUBJECT, DEMO_TENANT, DEMO_PERMISSIONS, DEMO_TOKEN_LIFETIME)
        print(f"Headers for tenant {DEMO_TENANT!r} (valid 30 days):")
        print(json.dumps({"Authorization": f"Bearer {token}"}), flush=True)
        if args.demo:  # GraphiQL's Headers pane starts with it (development, on a loopback address)
            settings = offer_demo_token(settings, host, token)
    if settings.workers > 1:
        # Each worker process builds its own app from the environment: hand it what the flags said.
        os.environ.update(CRM_GATEWAY_DATABASE_URL=url, CRM_GATEWAY_WORKERS=str(settings.workers))
        return _serve_workers(settings, host, port)
    import uvicorn

    from gateway.app import worker_app  # the app pulls in the whole schema: only serve needs it

    exit_zero_after_sigterm()
    uvicorn.run(worker_app(settings), host=host, port=port, **server_options(settings))
    return 0


def _serve_workers(settings: Settings, host: str, port: int) -> int:
    # Linux spreads connections over SO_REUSEPORT sockets; macOS and the BSDs accept the option
    # but do not balance, so elsewhere the workers share one socket, as uvicorn has it.
    # There this process becomes the workers' lean supervisor (exec), which makes the run's metrics
    # directory itself.
    from gateway.observability.multiprocess import metrics_directory
    from gateway.shutdown import exit_zero_after_sigterm, server_options

    if sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT"):
        from gateway.workers import PortInUse, serve_workers

        try:
            serve_workers(settings.workers, host, port, settings.shutdown_timeout_seconds)
        except PortInUse as error:
            raise CommandError(str(error), 1) from None
    import uvicorn

    app, workers = "gateway.app:worker_app", settings.workers
    exit_zero_after_sigterm()
    with metrics_directory():  # the workers' metrics files, for this run only
        uvicorn.run(app, factory=True, workers=workers, host=host, port=port, **server_options(settings))
    return 0


def _check_port_free(host: str, port: int) -> None:
    from gateway.workers import PortInUse, check_port_free

    try:
        check_port_free(host, port)
    except PortInUse as error:
        hint = "is another gateway running? Stop it, or choose another port with --port or CRM_GATEWAY_PORT"
        raise CommandError(f"{error} ({hint})", PORT_IN_USE) from None


def _simulate(args: argparse.Namespace) -> int:
    from simulators.registry import UnknownProfile, UnknownSimulator, simulator

    try:
        factory = simulator(args.name)
    except UnknownSimulator as error:
        raise CommandError(str(error), 2) from None
    import uvicorn

    from gateway.settings import load_settings

    # A simulator shares nothing with the gateway but its token secret: the one the gateway's settings
    # resolve (in development a generated one), so a gateway forwarding its callers' tokens is accepted.
    os.environ.setdefault("CRM_GATEWAY_JWT_SECRET", load_settings().resolved_jwt_secret())
    database_url = args.database_url
    if args.deprecated_database is not None:
        print("crm-gateway: --database is deprecated; use --database-url", file=sys.stderr)
        database_url = database_url or args.deprecated_database
    try:
        app = factory(database_url, args.profile) if args.profile else factory(database_url)
    except UnknownProfile as error:
        raise CommandError(str(error), 2) from None
    print(f"simulator {args.name}: http://{args.host}:{args.port} (faults: /_simulator/faults)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


async def _check_database_role(settings: Settings) -> None:
    from gateway.app import check_database_role
    from gateway.backends.sql.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        await check_database_role(settings, engine)
    finally:
        await engine.dispose()


def _export_schema(_args: argparse.Namespace) -> int:
    from resolvers.schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _token(args: argparse.Namespace) -> int:
    from gateway.auth import mint_token
    from gateway.settings import load_settings

    settings = load_settings()
    _check_permission_names(args.permission)
    if not args.permission:
        print(
            "crm-gateway: warning: no --permission given: the token authenticates but may read nothing "
            "(e.g. --permission CRM_ALL --permission CUST_ALL)",
            file=sys.stderr,
        )
    lifetime = timedelta(hours=args.lifetime_hours)
    try:
        print(mint_token(settings, args.sub, args.tenant, args.permission, lifetime))
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    return 0


def _check_permission_names(names: list[str]) -> None:
    from gateway.permissions import BY_NAME, unknown_permissions

    problems = []
    for name in unknown_permissions(names):
        close = difflib.get_close_matches(name.upper(), BY_NAME, n=3, cutoff=0.6)
        problems.append(f"{name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    if problems:
        raise CommandError(
            f"--permission: unknown permission {'; '.join(problems)}; the catalog is in "
            "docs/permissions.md (or the `permissions` query)",
            2,
        )


def _api_key_create(args: argparse.Namespace) -> int:
    from gateway.apikeys import ApiKeyError

    async def create(store: ApiKeyStore) -> IssuedKey:
        return await store.create(args.tenant, args.name, args.permission, created_by="cli")

    try:
        issued = _with_key_store(args, create)
    except ApiKeyError as problem:
        option = {"permissions": "--permission"}.get(problem.field, f"--{problem.field}")
        raise CommandError(f"{option}: {problem}", 2) from None
    print(f"created API key {issued.key.id} ({_describe(issued.key)})", file=sys.stderr)
    print("the key below is shown only now; send it in the x-api-key header:", file=sys.stderr)
    print(issued.secret)
    return 0


def _api_key_revoke(args: argparse.Namespace) -> int:
    async def revoke(store: ApiKeyStore) -> ApiKey | None:
        return await store.revoke(args.id)

    key = _with_key_store(args, revoke)
    if key is None:
        raise CommandError(f"no API key with ID {args.id}", 1)
    print(f"revoked API key {key.id} ({_describe(key)}) at {key.date_revoked:%Y-%m-%d %H:%M:%S} UTC")
    return 0


def _api_key_list(args: argparse.Namespace) -> int:
    async def list_keys(store: ApiKeyStore) -> list[ApiKey]:
        return await store.list(args.tenant)

    for key in _with_key_store(args, list_keys):
        state = f"revoked {key.date_revoked:%Y-%m-%d}" if key.date_revoked else "active"
        print(f"{key.id}  {key.date_created:%Y-%m-%d}  {state:<18}  {_describe(key)}")
    return 0


def _describe(key: ApiKey) -> str:
    permissions = " ".join(key.permissions) or "-"
    return f"name {key.name!r}, tenant {key.tenant!r}, prefix {key.prefix}, permissions {permissions}"


def _with_key_store(args: argparse.Namespace, work: Callable[[ApiKeyStore], Awaitable[T]]) -> T:
    from gateway.apikeys import ApiKeyStore
    from gateway.backends.sql.engine import create_engine

    url = _settings(args).database_url
    _prepare_database(url)

    async def run() -> T:
        engine = create_engine(url)
        try:
            return await work(ApiKeyStore(engine))
        finally:
            await engine.dispose()

    return _database_step(url, lambda: asyncio.run(run()))


def _prepare_database(url: str, migrate_elsewhere: bool = False) -> None:
    """Fail early and plainly when the database cannot be reached, then bring its schema up to date.

    With ``migrate_elsewhere`` (``serve``) the migrations run in a child process: what they import
    (Alembic, Mako, the revision modules) and build would otherwise stay resident in the server for
    its whole life, about 13 MiB of its ~130 at start. A database already at the shipped migrations'
    heads (read as ``/readyz`` reads them, without Alembic) needs neither: Alembic would find nothing
    to do, after ~0.8 s of CPU loading itself and every revision module.
    """
    from gateway.backends.sql.migrate import shipped_heads
    from gateway.migrate import database_reason, migrate_in_child, upgrade_or_reason

    try:
        applied = asyncio.run(_probe(url))
    except Exception as error:  # whatever the driver raises, the answer is the same: not reachable
        unreachable = database_reason(error, url)
        raise CommandError(f"cannot reach database: {unreachable} ({_safe_url(url)})", 1) from None
    heads = shipped_heads()
    if heads and applied == heads:  # none found (no revision files): Alembic says what is wrong
        return
    reason = migrate_in_child(url) if migrate_elsewhere else upgrade_or_reason(url)
    if reason is not None:
        raise CommandError(f"database error: {reason}", 1)


async def _probe(url: str) -> frozenset[str] | None:
    """Connects (or raises); the revisions the database is at, or None when they cannot be read."""
    import sqlalchemy as sa

    from gateway.backends.sql.engine import create_engine
    from gateway.backends.sql.migrate import applied_revisions
    from gateway.migrate import PROBE_TIMEOUT_SECONDS

    engine = create_engine(url)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            try:
                return await conn.run_sync(applied_revisions)
            except sa.exc.SQLAlchemyError:  # e.g. a role that may not read it: Alembic will say
                return None
    finally:
        await engine.dispose()


def _database_step(url: str, step: Callable[[], T]) -> T:
    from sqlalchemy.exc import SQLAlchemyError

    from gateway.migrate import database_reason

    try:
        return step()
    except (SQLAlchemyError, OSError) as error:
        raise CommandError(f"database error: {database_reason(error, url)}", 1) from None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable database URL)"


if __name__ == "__main__":
    sys.exit(main())

"""Planned statements run as ``DriverStatement``s (``gateway.backends.sql.session``): compiled once into
the driver's text and arguments and sent with ``exec_driver_sql``. They must send exactly what
``execute`` would, and the statement events (counters, tracing) must still see them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from conftest import APP_ROLE, SECRET, Client, token_for
from factories import BASE_TIME, Factory
from gateway.app import create_app
from gateway.backends.sql import tables as t
from gateway.backends.sql.reader import row_limit
from gateway.backends.sql.session import DriverStatement, driver_statement, run_alone
from gateway.backends.sql.types import UtcDateTime
from gateway.settings import Settings, load_settings
from pgbouncer import pgbouncer, require_pgbouncer, through


@contextmanager
def sent(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """The (SQL text, arguments) of each statement the engine's connections send while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _statements(tenant: str, ids: list[uuid.UUID], dialect: str) -> list[Any]:
    """Statements with what a planned one holds: UUIDs, datetimes through ``UtcDateTime`` (a bind
    processor of the gateway's own), a LIMIT rendered into the text, lists, text with quotes."""
    contacts = t.contacts
    since = BASE_TIME + timedelta(microseconds=500)  # between the first contact and the second
    ids_of = (
        contacts.c.id == sa.any_(sa.literal(ids, sa.ARRAY(sa.Uuid())))
        if dialect == "postgresql"
        else contacts.c.id.in_(ids)
    )
    base = sa.select(contacts.c.id, contacts.c.last_name, contacts.c.date_created).where(
        contacts.c.tenant == tenant, contacts.c.is_deleted.is_(False)
    )
    return [
        base.order_by(contacts.c.date_created).limit(row_limit(2)),
        base.where(contacts.c.date_created > since.astimezone(UTC)).order_by(contacts.c.id),
        base.where(ids_of, contacts.c.last_name != "O'Brien").order_by(contacts.c.date_created),
        sa.select(sa.func.count()).select_from(contacts).where(contacts.c.tenant == tenant),
    ]


async def test_a_driver_statement_sends_what_execute_sends_and_reads_the_same_rows(
    engine: Any, tenant: str
) -> None:
    factory = Factory(engine, tenant)
    ids = [factory.contact(f"C{i}", f"Driver{i}") for i in range(3)]
    await factory.save()
    for statement in _statements(tenant, ids[1:], engine.dialect.name):
        with sent(engine) as executed:
            expected = list(await run_alone(engine, statement))
        driver = driver_statement(statement, engine.dialect)
        with sent(engine) as direct:
            found = await run_alone(engine, driver)
        assert direct == executed  # the same text and arguments, through the same statement events
        # The driver's values, no result processing (a planned statement's one column is text): the
        # same rows, compared by a column that needs no conversion.
        assert [row[-1] if len(row) == 1 else row[1] for row in found] == [
            row[-1] if len(row) == 1 else row[1] for row in expected
        ]
        assert found, "each statement reads something, so the comparison means something"


async def test_a_planned_list_runs_as_one_driver_statement_seen_by_the_statement_events(
    client: Any, factory: Factory, app: Any, settings: Settings
) -> None:
    if not settings.planner:
        pytest.skip("asks the planner's statement (CRM_GATEWAY_PLANNER is off)")
    for i in range(3):
        factory.contact(f"P{i}", "Planned")
    await factory.save()
    query = "{ contacts(first: 2) { totalCount edges { cursor node { id lastName } } } }"
    with sent(app.state.engine) as executed:
        body = await client.execute(query)
    assert body["extensions"]["cost"]["sqlStatements"] == 1
    assert [node["node"]["lastName"] for node in body["data"]["contacts"]["edges"]] == ["Planned"] * 2
    assert len([sql for sql, _ in executed if sql.lstrip().upper().startswith("SELECT")]) == 1


def test_a_driver_statement_of_a_named_dialect_keeps_the_names() -> None:
    from sqlalchemy.dialects import oracle  # a dialect whose parameters are named

    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    statement = sa.select(t.contacts.c.id).where(
        t.contacts.c.tenant == "acme", t.contacts.c.date_created > when
    )
    driver = driver_statement(statement, oracle.dialect())
    assert isinstance(driver, DriverStatement)
    assert isinstance(driver.arguments, dict)
    assert sorted(driver.arguments.values(), key=str) == sorted(["acme", when], key=str)


# A planned lookup's shape: values bound per run (the tenant, a datetime through ``UtcDateTime``'s bind
# processor) beside values bound once (an expanded list of UUIDs).
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", sa.String, nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
)
EVENT_IDS = [uuid.UUID(int=n) for n in range(1, 4)]


def _events_since() -> sa.Select[Any]:
    c = EVENTS.c
    return (
        sa.select(c.id)
        .where(c.tenant == sa.bindparam("tenant"), c.at > sa.bindparam("since", type_=c.at.type))
        .where(c.id.in_(EVENT_IDS[:2]))
        .order_by(c.id)
    )


@pytest.mark.parametrize("dialect", ["sqlite-named", "psycopg-pyformat"])
def test_a_named_dialects_slots_take_the_values_of_each_run_through_their_bind_processors(
    dialect: str,
) -> None:
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.dialects.postgresql import psycopg

    on = sqlite.dialect(paramstyle="named") if dialect == "sqlite-named" else psycopg.dialect()
    since = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    driver = driver_statement(_events_since(), on, ["tenant", "since"])
    assert isinstance(driver.arguments, dict) and [name for name, _, _ in driver.slots] == ["tenant", "since"]
    assert {name: value for name, value in driver.arguments.items() if name not in ("tenant", "since")}
    first, second = (driver.bound({"tenant": tenant, "since": since}) for tenant in ("acme", "beta"))
    assert isinstance(first, dict) and isinstance(second, dict)
    assert (first["tenant"], second["tenant"]) == ("acme", "beta")  # each run its own, by name
    processed = UtcDateTime().dialect_impl(on).bind_processor(on)
    assert first["since"] == (processed(since) if processed else since)
    if dialect == "sqlite-named":  # SQLite's goes through a processor, to text in UTC
        assert first["since"] == "2024-05-01 12:00:00.000000"
    assert {k: v for k, v in first.items() if k not in ("tenant", "since")} == {
        k: v for k, v in driver.arguments.items() if k not in ("tenant", "since")
    }
    with pytest.raises(ValueError, match="without their values"):
        driver.bound(None)


@pytest.mark.parametrize("per_run", [["tenant", "since", "nowhere"], ["tenant", "since", "id_1"]])
@pytest.mark.parametrize("dialect", ["sqlite-named", "psycopg-pyformat"])
def test_a_named_dialect_refuses_per_run_parameters_it_does_not_send_as_such(
    dialect: str, per_run: list[str]
) -> None:
    # A name the statement lacks, or an expanded list's (sent as id_1_1, id_1_2): no slot could hold it.
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.dialects.postgresql import psycopg

    on = sqlite.dialect(paramstyle="named") if dialect == "sqlite-named" else psycopg.dialect()
    with pytest.raises(ValueError, match="does not send as such"):
        driver_statement(_events_since(), on, per_run)


def test_a_named_driver_statement_reads_what_execute_reads() -> None:
    """Run for real on SQLite with named parameters (the stdlib driver takes them): each run's slots
    select that run's rows."""
    engine = sa.create_engine("sqlite://", paramstyle="named")
    base = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as connection:
        EVENTS.metadata.create_all(connection)
        rows = [("acme", 0), ("acme", 2), ("beta", 3)]
        connection.execute(
            EVENTS.insert(),
            [
                {"id": id_, "tenant": tenant, "at": base + timedelta(hours=hours)}
                for id_, (tenant, hours) in zip(EVENT_IDS, rows, strict=True)
            ],
        )
        driver = driver_statement(_events_since(), engine.dialect, ["tenant", "since"])
        for values in ({"tenant": "acme", "since": base}, {"tenant": "acme", "since": base - timedelta(1)}):
            expected = connection.execute(_events_since(), values).scalars().all()
            found = connection.exec_driver_sql(driver.sql, driver.bound(values)).scalars().all()
            assert [uuid.UUID(hex=value) for value in found] == expected
        assert len(expected) == 2  # the second run's earlier "since" reads both of acme's
    engine.dispose()


PLANNED_LIST = "{ contacts(first: 5) { totalCount edges { node { lastName } } } }"


async def _alternate_tenants_on_one_connection(url: str, owner_engine: Any, pooler: str) -> None:
    """Two tenants' planned reads, one after the other on the app's one pooled connection: each sees
    its own rows only, and neither's tenant stays on the connection for the other's statement."""
    tenants = [f"d{uuid.uuid4().hex[:12]}" for _ in range(2)]
    for tenant in tenants:
        seeded = Factory(owner_engine, tenant)
        seeded.contact("Ada", f"Of-{tenant}")
        await seeded.save()
    # The planner's statement whatever CRM_GATEWAY_PLANNER says: it is what this test asks.
    settings = load_settings(database_url=url, jwt_secret=SECRET, database_pooler=pooler, planner=True)
    application = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            clients = [Client(http, token_for(settings, tenant)) for tenant in tenants]
            for _ in range(3):
                for tenant, client in zip(tenants, clients, strict=True):
                    body = await client.execute(PLANNED_LIST)
                    assert body["extensions"]["cost"]["sqlStatements"] == 1  # the planned statement
                    edges = body["data"]["contacts"]["edges"]
                    assert [edge["node"]["lastName"] for edge in edges] == [f"Of-{tenant}"]
                    assert body["data"]["contacts"]["totalCount"] == 1
        pool = application.state.engine.sync_engine.pool
        assert pool.checkedout() == 0 and pool.checkedin() == 1  # every read on the same connection
    finally:
        await application.state.engine.dispose()


async def test_planned_reads_of_two_tenants_on_one_pooled_connection_see_their_own(
    postgres_url: str, owner_engine: Any
) -> None:
    await _alternate_tenants_on_one_connection(postgres_url, owner_engine, "none")


async def test_planned_reads_of_two_tenants_through_one_pgbouncer_server_connection_see_their_own(
    postgres_url: str, owner_engine: Any, tmp_path: Any
) -> None:
    require_pgbouncer()
    with pgbouncer(postgres_url, [APP_ROLE], tmp_path, pool_size=1) as port:
        await _alternate_tenants_on_one_connection(through(postgres_url, port), owner_engine, "transaction")

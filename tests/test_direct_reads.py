"""Reads straight on asyncpg (``gateway/backends/sql/direct.py``) against reads through SQLAlchemy.

Inside a session (what the HTTP view opens around each operation) the reader's cached statements run
on the driver; outside one each statement runs through SQLAlchemy on a connection of its own. Both
must give the same records, the same errors and the same statements to listeners. PostgreSQL only:
SQLite keeps SQLAlchemy's path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from conftest import POSTGRES_URL
from factories import Factory
from gateway.backends.access import RowAccess
from gateway.backends.query import ListQuery, PageRequest
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.sql import engine as engine_module
from gateway.backends.sql import tables as t
from gateway.backends.sql.direct import direct_read
from gateway.backends.sql.engine import create_engine
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost

RELATIONS = (
    Relation.CONTACT_ACCOUNTS,
    Relation.CONTACT_LEADS,
    Relation.CONTACT_EVENTS,
    Relation.CONTACT_COMMUNICATIONS,
)


@pytest.fixture
async def seeded(owner_engine: AsyncEngine) -> tuple[str, list[uuid.UUID]]:
    """Three contacts of a fresh tenant with details, accounts, leads, events and communications
    (with the float and date columns a communication's UDFs hold); one contact has none of them."""
    tenant = f"d{uuid.uuid4().hex[:12]}"
    rows = Factory(owner_engine, tenant)
    stage = rows.stage("Qualified", 1)
    contacts = [
        rows.contact("Ada", "Direct", emails=["ada@example.com", "ada@work.example"]),
        rows.contact("Bo", "Direct", emails=["bo@example.com"]),
        rows.contact("Cy", "Empty"),
    ]
    rows.phone(contacts[0], "+441234567890")
    rows.account("Acme", contacts=contacts[:2])
    for index, contact in enumerate(contacts[:2]):
        for n in range(3):
            rows.lead(f"Lead {index}.{n}", contact_id=contact, stage_id=stage)
            rows.task(f"Task {index}.{n}", contact_id=contact)
            rows._audited(
                t.communications,
                {
                    "number": f"{index}{n}",
                    "direction": "INBOUND",
                    "media": "EMAIL",
                    "subject": f"Mail {index}.{n}",
                    "content": "hello",
                    "contact_id": contact,
                    "udf_float_1": 1.5 + n,
                    "udf_date_1": date(2026, 1, 1 + n),
                },
            )
    await rows.save()
    return tenant, contacts


async def _read_everything(backend: SqlBackend, contacts: list[uuid.UUID]) -> dict[str, Any]:
    """What Q2 reads of a contact, through the reader's cached statements."""
    query = ListQuery(page=PageRequest(first=2))
    pages = {}
    for relation in RELATIONS:
        found = await backend.pages_by_parent(relation, contacts, query)
        pages[relation] = {
            parent: (page.rows, list(page.keys), page.has_next, page.has_previous)
            for parent, page in found.items()
        }
    details = await backend.details_of_kinds({Detail.EMAILS: contacts, Detail.PHONES: contacts})
    return {
        "contacts": await backend.get_many(Entity.CONTACT, contacts),
        "pages": pages,
        "details": details,
        "emails": await backend.details(Detail.EMAILS, contacts),
    }


@contextmanager
def cursor_statements(engine: AsyncEngine) -> Iterator[list[tuple[str, bool]]]:
    """(SQL, whether a DBAPI cursor ran it) of each statement listeners see on ``engine``."""
    seen: list[tuple[str, bool]] = []

    def record(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append((statement, cursor is not None))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_direct_reads_return_what_sqlalchemy_returns(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]]
) -> None:
    tenant, contacts = seeded
    access = RowAccess.unrestricted("test")
    through_sqlalchemy = await _read_everything(SqlBackend(app_engine, tenant, access, Cost()), contacts)
    direct_backend = SqlBackend(app_engine, tenant, access, Cost())
    with cursor_statements(app_engine) as seen:
        async with direct_backend.session():
            direct = await _read_everything(direct_backend, contacts)

    assert direct == through_sqlalchemy
    # The rows are there (RLS let the tenant's through) and of the types SQLAlchemy gives.
    assert len(direct["contacts"]) == 3
    communications = direct["pages"][Relation.CONTACT_COMMUNICATIONS][contacts[0]][0]
    assert len(communications) == 2
    assert {c.udf_float_1 for c in communications} <= {1.5, 2.5, 3.5}
    assert isinstance(communications[0].udf_date_1, date)
    assert [e.email for e in direct["emails"][contacts[0]]] == ["ada@example.com", "ada@work.example"]
    assert direct["pages"][Relation.CONTACT_LEADS][contacts[2]] == ([], [], False, False)
    # Every statement reached the listeners, and none went through a DBAPI cursor: they ran direct.
    assert len(seen) == direct_backend.cost.sql_statements == 7
    assert not any(by_cursor for _, by_cursor in seen)


async def test_a_failing_direct_read_raises_sqlalchemys_error_and_the_session_goes_on(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]]
) -> None:
    tenant, contacts = seeded
    access = RowAccess.unrestricted("test")
    expected = await SqlBackend(app_engine, tenant, access, Cost()).get_many(Entity.CONTACT, contacts)
    backend = SqlBackend(app_engine, tenant, access, Cost())
    async with backend.session():
        with pytest.raises(sa.exc.DBAPIError) as raised:
            await backend.get_many(Entity.CONTACT, ["not-a-uuid"])  # type: ignore[list-item]
        assert "not-a-uuid" in str(raised.value)
        # The failed connection was given back; the next read opens another one and sees the rows.
        assert await backend.get_many(Entity.CONTACT, contacts) == expected
    assert backend.cost.sql_statements == 2


async def test_statements_of_a_role_outside_the_tenant_see_nothing(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]]
) -> None:
    """The direct path runs inside the transaction that set the tenant: another tenant's reader, given
    this tenant's ids, gets nothing back (row-level security and the tenant filter both hold)."""
    _, contacts = seeded
    other = SqlBackend(app_engine, f"o{uuid.uuid4().hex[:12]}", RowAccess.unrestricted("test"), Cost())
    async with other.session():
        assert await other.get_many(Entity.CONTACT, contacts) == {}
        pages = await other.pages_by_parent(Relation.CONTACT_LEADS, contacts, ListQuery())
        assert all(not page.rows for page in pages.values())


async def test_a_connection_killed_while_idle_is_replaced_before_the_next_read(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pooled connections that sat idle are pinged at checkout (``engine._ping_if_idle``): one that
    PostgreSQL dropped in the meantime is replaced, and the request never sees it."""
    tenant, contacts = seeded
    access = RowAccess.unrestricted("test")
    backend = SqlBackend(app_engine, tenant, access, Cost())
    async with backend.session():
        await backend.get_many(Entity.CONTACT, contacts)  # the pool now holds one connection
    async with app_engine.connect() as connection:
        pid = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    owner = create_engine(str(POSTGRES_URL))
    async with owner.connect() as connection:
        await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await owner.dispose()
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been "idle" long enough

    again = SqlBackend(app_engine, tenant, access, Cost())
    async with again.session():
        assert len(await again.get_many(Entity.CONTACT, contacts)) == 3


async def test_a_connection_used_moments_ago_is_not_pinged(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three round trips per checkout (BEGIN, a ping, ROLLBACK) are what the idle window saves."""
    tenant, contacts = seeded
    pings: list[object] = []
    backend = SqlBackend(app_engine, tenant, RowAccess.unrestricted("test"), Cost())
    async with backend.session():
        await backend.get_many(Entity.CONTACT, contacts)
    async with app_engine.connect() as connection:
        adapted = (await connection.get_raw_connection()).dbapi_connection
    monkeypatch.setattr(type(adapted), "ping", lambda self: pings.append(self), raising=True)
    for _ in range(3):
        async with backend.session():
            await backend.get_many(Entity.CONTACT, contacts)
    assert pings == []
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with backend.session():
        await backend.get_many(Entity.CONTACT, contacts)
    assert len(pings) == 1


async def test_the_reads_of_a_session_are_planned_once_and_writes_as_postgresql_chooses(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]]
) -> None:
    """A session's transaction sets ``plan_cache_mode`` beside the tenant (``engine.for_tenant``);
    a statement alone and a write transaction keep PostgreSQL's default."""
    tenant, _ = seeded
    backend = SqlBackend(app_engine, tenant, RowAccess.unrestricted("test"), Cost())
    settings = sa.select(
        sa.func.current_setting("plan_cache_mode"), sa.func.current_setting("crm_gateway.tenant")
    )
    async with backend.session():
        assert (await backend._run(settings)).one() == ("force_generic_plan", tenant)
    assert (await backend._run(settings)).one() == ("auto", tenant)
    async with backend.transaction() as writer:
        assert (await writer._run(settings)).one() == ("auto", tenant)


async def test_a_column_sqlalchemy_converts_is_converted_directly_too(app_engine: AsyncEngine) -> None:
    """No column of the gateway's tables needs a result processor on asyncpg today; one that does
    (NUMERIC read as float) gets SQLAlchemy's, learnt from the column's type on the first run."""
    amount = sa.cast(sa.bindparam("value", type_=sa.Numeric(10, 2)), sa.Numeric(10, 2, asdecimal=False))
    statement = sa.select(amount.label("amount"), sa.literal("x").label("label"))
    direct = direct_read(app_engine.dialect, statement, ["value"])
    assert direct is not None
    async with app_engine.connect() as connection:
        expected = [tuple(row) for row in (await connection.execute(statement, {"value": Decimal("1.25")}))]
        first = (await direct.run(connection, {"value": Decimal("1.25")})).all()
        again = (await direct.run(connection, {"value": Decimal("2.50")})).all()
    assert first == expected == [(1.25, "x")] and isinstance(first[0][0], float)
    assert again == [(2.5, "x")]


async def test_a_page_states_its_limit_in_the_sql_for_its_generic_plan(
    app_engine: AsyncEngine, seeded: tuple[str, list[uuid.UUID]]
) -> None:
    """A generic plan takes a bound LIMIT for 10% of the table's rows, which on a large tenant can
    turn a page's index walk into a scan and a sort: the limit is written into the statement."""
    tenant, _ = seeded
    backend = SqlBackend(app_engine, tenant, RowAccess.unrestricted("test"), Cost())
    with cursor_statements(app_engine) as seen:
        async with backend.session():
            page = await backend.page(Entity.CONTACT, ListQuery(page=PageRequest(first=2)))
    assert len(page.rows) == 2 and page.has_next
    ((statement, _),) = seen
    assert statement.rstrip().endswith("LIMIT 3"), statement

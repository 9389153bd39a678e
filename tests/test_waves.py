"""One statement per level (``gateway/backends/sql/waves.py``): reads of one wave sent as one statement.

On SQLite and PostgreSQL: the reads of a wave come back as each would alone, a failing wave falls back
to one statement per read (each read gets its own outcome), and reads outside a session stay apart.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import ROUTED_URLS, Client
from factories import Factory, gid
from gateway.backends.access import RowAccess
from gateway.backends.query import ListQuery, PageRequest
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost


@pytest.fixture
def sql_app(app: Any, database_url: str) -> Any:
    if database_url in ROUTED_URLS:
        pytest.skip("reads SQL statements of the SQL backend; routed, these loads are ConeCRM calls")
    return app


async def _wave(backend: SqlBackend, contacts: list[uuid.UUID], users: list[Any]) -> list[Any]:
    """Five reads of three kinds (by id, pages by parent, details) started in the same turn."""
    query = ListQuery(page=PageRequest(first=2))
    return list(
        await asyncio.gather(
            backend.get_many(Entity.CONTACT, contacts),
            backend.get_many(Entity.USER, users),
            backend.pages_by_parent(Relation.CONTACT_LEADS, contacts, query),
            backend.details(Detail.EMAILS, contacts),
            backend.details(Detail.PHONES, contacts),
            return_exceptions=True,
        )
    )


def _comparable(results: list[Any]) -> list[Any]:
    """Pages compared by what they hold (their sort keys are worked out on demand)."""
    return [
        {k: (v.rows, list(v.keys), v.has_next) for k, v in r.items()}
        if isinstance(r, dict) and r and hasattr(next(iter(r.values())), "rows")
        else r
        for r in results
    ]


async def _seed(factory: Factory) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    users = [factory.user(f"agent{i}") for i in range(2)]
    contacts = [
        factory.contact("Ada", "Wave", emails=["ada@one.test", "ada@two.test"]),
        factory.contact("Bo", "Wave"),
    ]
    factory.phone(contacts[0], "+15145550101")
    for n in range(3):
        factory.lead(f"Lead {n}", contact_id=contacts[0])
    await factory.save()
    return contacts, users


async def test_a_wave_is_one_statement_and_reads_what_each_read_alone_reads(
    sql_app: Any, factory: Factory, tenant: str
) -> None:
    contacts, users = await _seed(factory)
    access = RowAccess.unrestricted("test")
    alone = SqlBackend(sql_app.state.engine, tenant, access, Cost())
    expected = await _wave(alone, contacts, users)  # outside a session: a statement each
    assert alone.cost.sql_statements == 5

    together = SqlBackend(sql_app.state.engine, tenant, access, Cost())
    async with together.session():
        found = await _wave(together, contacts, users)
    assert together.cost.sql_statements == 1
    assert _comparable(found) == _comparable(expected)
    assert [e.email for e in found[3][contacts[0]]] == ["ada@one.test", "ada@two.test"]
    leads = found[2][contacts[0]]
    assert len(leads.rows) == 2 and leads.has_next and not found[2][contacts[1]].rows


async def test_a_failing_wave_runs_its_reads_one_by_one(sql_app: Any, factory: Factory, tenant: str) -> None:
    """A read the database refuses fails alone: the others of its wave still get their rows."""
    contacts, users = await _seed(factory)
    backend = SqlBackend(sql_app.state.engine, tenant, RowAccess.unrestricted("test"), Cost())
    async with backend.session():
        bad, good = await asyncio.gather(
            backend.get_many(Entity.CONTACT, ["not-a-uuid"]),  # type: ignore[list-item]
            backend.get_many(Entity.USER, users),
            return_exceptions=True,
        )
        assert isinstance(bad, sa.exc.StatementError)
        assert set(good) == set(users)
        # The session goes on: a later wave is one statement again.
        assert len(await backend.get_many(Entity.CONTACT, contacts)) == 2
    assert backend.cost.sql_statements == 4  # the combined attempt, each read alone, the next wave


LEVELS = """
query($id: ID!) {
  contact(id: $id) {
    firstName emails { email } phones { number }
    accounts(first: 5) { edges { node { name } } }
    leads(first: 5) { edges { node { subject stage { name } tasks(first: 2) { edges { node { title } } } } } }
  }
}
"""


async def test_a_contact_in_full_costs_one_statement_per_level(
    client: Client, factory: Factory, sql_app: Any
) -> None:
    stage = factory.stage("Won", 1)
    ada = factory.contact("Ada", "Levels", emails=["ada@levels.test"])
    factory.phone(ada, "+15145550199")
    factory.account("Acme", contacts=[ada])
    for n in range(2):
        lead = factory.lead(f"Lead {n}", contact_id=ada, stage_id=stage)
        factory.task(f"Task {n}", lead_id=lead)
    await factory.save()
    body = await client.execute(LEVELS, {"id": gid("Contact", ada)})
    assert "errors" not in body, body
    contact = body["data"]["contact"]
    assert contact["emails"] == [{"email": "ada@levels.test"}]
    assert contact["phones"] == [{"number": "+15145550199"}]
    assert contact["accounts"]["edges"] == [{"node": {"name": "Acme"}}]
    assert [edge["node"] for edge in contact["leads"]["edges"]] == [
        {
            "subject": f"Lead {n}",
            "stage": {"name": "Won"},
            "tasks": {"edges": [{"node": {"title": f"Task {n}"}}]},
        }
        for n in range(2)
    ]
    # The contact; its e-mails, phones, accounts and leads; the leads' stages and tasks.
    assert body["extensions"]["cost"]["sqlStatements"] == 3


async def test_no_read_of_a_session_outlives_it(sql_app: Any, factory: Factory, tenant: str) -> None:
    """A read still waiting for its wave when the session ends (a request that timed out) is
    cancelled, not sent later on a connection nobody closes."""
    contacts, _ = await _seed(factory)
    backend = SqlBackend(sql_app.state.engine, tenant, RowAccess.unrestricted("test"), Cost())
    async with backend.session():
        read = asyncio.ensure_future(backend.get_many(Entity.CONTACT, contacts))
        await asyncio.sleep(0)  # submitted to the wave, which waits a few turns before sending
    with pytest.raises(asyncio.CancelledError):
        await read
    assert backend.cost.sql_statements == 0
    assert sql_app.state.engine.sync_engine.pool.checkedout() == 0

"""Baseline (a): the same schema with plain resolvers and no loaders, as a naive Strawberry app has it.

Every relation field runs its own query for its own parent (the N+1 pattern): a page of 50 contacts
with four relations costs 1 + 4 x 50 statements, plus one per stage and assignee. The tables, the
tenant filter and the row-level security setting (``for_tenant``) are the gateway's own, so the two
differ only in how they fetch. Authentication is left out (the tenant is fixed by ``BENCH_TENANT``),
which favours the baseline slightly.

Run: ``BENCH_DATABASE_URL=... BENCH_TENANT=bench python -m bench.baselines.naive --port 8001``.
Responses report ``extensions.cost.sqlStatements`` like the gateway's, counted by an engine listener.
"""

from __future__ import annotations

import argparse
import base64
import contextvars
import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import strawberry
import uvicorn
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import create_engine, for_tenant

TENANT = os.environ.get("BENCH_TENANT", "bench")
_statements: contextvars.ContextVar[list[int]] = contextvars.ContextVar("statements")
_engine: AsyncEngine | None = None


def engine() -> AsyncEngine:
    global _engine
    if _engine is None:
        base = create_engine(os.environ["BENCH_DATABASE_URL"])
        event.listen(base.sync_engine, "before_cursor_execute", _count_statement)
        _engine = for_tenant(base, TENANT)
    return _engine


def _count_statement(*_args: Any) -> None:
    counter = _statements.get(None)
    if counter is not None:
        counter[0] += 1


async def rows(statement: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
    async with engine().connect() as connection:
        return (await connection.execute(statement)).all()


def owned(table: sa.Table, owner: uuid.UUID, column: str = "owner_id") -> sa.Select[Any]:
    """The rows of ``table`` that belong to one parent, in the tenant."""
    return sa.select(table).where(table.c.tenant == TENANT, table.c[column] == owner)


@strawberry.type
class Email:
    email: str
    type: str | None
    is_primary: bool


@strawberry.type
class Phone:
    number: str
    mode: str
    type: str | None
    is_primary: bool


@strawberry.type
class Address:
    type: str | None
    line1: str | None
    city: str | None
    zip: str | None
    country: str | None
    is_primary: bool


@strawberry.type
class ThirdPartyId:
    system_name: str
    third_party_id: str


@strawberry.type
class ContactPermission:
    owner_only: bool
    permission: str | None


@strawberry.type
class User:
    id: uuid.UUID
    username: str
    firstname: str | None
    lastname: str | None

    @strawberry.field
    def display_name(self) -> str:
        return " ".join(part for part in (self.firstname, self.lastname) if part) or self.username


async def user(user_id: uuid.UUID | None) -> User | None:
    if user_id is None:
        return None
    found = await rows(sa.select(t.users).where(t.users.c.tenant == TENANT, t.users.c.id == user_id))
    return _make(User, found[0]) if found else None


@strawberry.type
class Stage:
    id: uuid.UUID
    name: str


@strawberry.type
class Account:
    id: uuid.UUID
    name: str
    city: str | None


@strawberry.type
class Event:
    id: uuid.UUID
    kind: str
    title: str
    start: datetime | None
    assignee_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def assignee(self) -> User | None:
        return await user(self.assignee_id)


@strawberry.type
class Communication:
    id: uuid.UUID
    number: str
    direction: str
    subject: str


@strawberry.type
class Lead:
    id: uuid.UUID
    subject: str
    status: str
    stage_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def stage(self) -> Stage | None:
        if self.stage_id is None:
            return None
        s = t.stages.c
        found = await rows(sa.select(t.stages).where(s.tenant == TENANT, s.id == self.stage_id))
        return _make(Stage, found[0]) if found else None

    @strawberry.field
    async def assignees(self, first: int = 10) -> list[User]:
        la, u = t.lead_assignees.c, t.users.c
        statement = (
            sa.select(t.users)
            .join(t.lead_assignees, la.user_id == u.id)
            .where(la.tenant == TENANT, la.lead_id == self.id)
            .order_by(la.date_created, u.id)
            .limit(first)
        )
        return [_make(User, row) for row in await rows(statement)]


@strawberry.type
class Contact:
    id: uuid.UUID
    first_name: str | None
    last_name: str | None
    preferred_name: str | None
    company_name: str | None
    kind: str
    gender: str | None
    language: str | None
    city: str | None
    country: str | None
    opt_out: bool
    version: int

    @strawberry.field
    def display_name(self) -> str:
        person = " ".join(p for p in (self.preferred_name or self.first_name, self.last_name) if p)
        return person or self.company_name or ""

    @strawberry.field
    async def emails(self) -> list[Email]:
        return [_make(Email, row) for row in await rows(owned(t.emails, self.id).order_by("position"))]

    @strawberry.field
    async def phones(self) -> list[Phone]:
        return [_make(Phone, row) for row in await rows(owned(t.phones, self.id).order_by("position"))]

    @strawberry.field
    async def addresses(self) -> list[Address]:
        statement = owned(t.addresses, self.id).order_by("position")
        return [_make(Address, row) for row in await rows(statement)]

    @strawberry.field
    async def third_party_ids(self) -> list[ThirdPartyId]:
        return [_make(ThirdPartyId, row) for row in await rows(owned(t.third_party_ids, self.id))]

    @strawberry.field
    async def permissions(self) -> list[ContactPermission]:
        statement = owned(t.contact_permissions, self.id).order_by("position")
        return [_make(ContactPermission, row) for row in await rows(statement)]

    @strawberry.field
    async def accounts(self, first: int = 10) -> list[Account]:
        ac, a = t.account_contacts.c, t.accounts.c
        statement = (
            sa.select(t.accounts)
            .join(t.account_contacts, ac.account_id == a.id)
            .where(ac.tenant == TENANT, ac.contact_id == self.id, a.is_deleted.is_(False))
            .order_by(a.date_created, a.id)
            .limit(first)
        )
        return [_make(Account, row) for row in await rows(statement)]

    @strawberry.field
    async def leads(self, first: int = 10) -> list[Lead]:
        statement = _live(owned(t.leads, self.id, "contact_id"), t.leads).limit(first)
        return [_make(Lead, row) for row in await rows(statement)]

    @strawberry.field
    async def tasks(self, first: int = 10) -> list[Event]:
        statement = _live(owned(t.events, self.id, "contact_id"), t.events).where(t.events.c.kind == "TASK")
        return [_make(Event, row) for row in await rows(statement.limit(first))]

    @strawberry.field
    async def events(self, first: int = 10) -> list[Event]:
        statement = _live(owned(t.events, self.id, "contact_id"), t.events).limit(first)
        return [_make(Event, row) for row in await rows(statement)]

    @strawberry.field
    async def communications(self, first: int = 10) -> list[Communication]:
        statement = _live(owned(t.communications, self.id, "contact_id"), t.communications).limit(first)
        return [_make(Communication, row) for row in await rows(statement)]


def _live(statement: sa.Select[Any], table: sa.Table) -> sa.Select[Any]:
    """Not soft-deleted, oldest first (the gateway's default order)."""
    return statement.where(table.c.is_deleted.is_(False)).order_by(table.c.date_created, table.c.id)


def _make(cls: Any, row: sa.Row[Any]) -> Any:
    """An object of a Strawberry type from a row: the fields the type declares, the rest left out."""
    values = row._mapping
    names = [f.python_name for f in cls.__strawberry_definition__.fields if f.base_resolver is None]
    names += [name for name in getattr(cls, "__annotations__", {}) if name.endswith("_id")]
    return cls(**{name: values[name] for name in dict.fromkeys(names) if name in values})


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo


def _cursor(row: sa.Row[Any]) -> str:
    return base64.urlsafe_b64encode(f"{row.date_created.isoformat()}|{row.id}".encode()).decode()


def _after(cursor: str) -> sa.ColumnElement[bool]:
    created, _, contact_id = base64.urlsafe_b64decode(cursor).decode().partition("|")
    c = t.contacts.c
    keys = (datetime.fromisoformat(created), uuid.UUID(contact_id))
    return sa.or_(c.date_created > keys[0], sa.and_(c.date_created == keys[0], c.id > keys[1]))


@strawberry.type
class Query:
    @strawberry.field
    async def contacts(self, first: int = 10, after: str | None = None) -> ContactConnection:
        statement = _live(sa.select(t.contacts).where(t.contacts.c.tenant == TENANT), t.contacts)
        if after:
            statement = statement.where(_after(after))
        found = await rows(statement.limit(first + 1))
        page = found[:first]
        edges = [ContactEdge(cursor=_cursor(row), node=_make(Contact, row)) for row in page]
        end = edges[-1].cursor if edges else None
        return ContactConnection(
            edges=edges, page_info=PageInfo(has_next_page=len(found) > first, end_cursor=end)
        )

    @strawberry.field
    async def contact(self, id: strawberry.ID) -> Contact | None:
        c = t.contacts.c
        found = await rows(sa.select(t.contacts).where(c.tenant == TENANT, c.id == uuid.UUID(id)))
        return _make(Contact, found[0]) if found else None


schema = strawberry.Schema(query=Query)


async def graphql(request: Request) -> JSONResponse:
    body = await request.json()
    counter = [0]
    _statements.set(counter)
    result = await schema.execute(body["query"], variable_values=body.get("variables"))
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [{"message": error.message} for error in result.errors]
    response["extensions"] = {"cost": {"sqlStatements": counter[0], "upstreamCalls": 0}}
    return JSONResponse(response)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

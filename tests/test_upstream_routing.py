"""Routing by entity: cross-system relations through third-party ids and the routed writer (with in-memory
backends), the routing file's validation, and start-up wiring of connectors."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import pytest

from gateway.backends.access import RowAccess
from gateway.backends.base import Backend
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import (
    AuditedRecord,
    CommunicationRecord,
    Detail,
    Entity,
    Relation,
    ThirdPartyIdRecord,
)
from gateway.backends.rest.config import load_backends
from gateway.backends.rest.connector import CONNECTORS, RequestScope
from gateway.backends.rest.upstreams import Upstreams
from gateway.backends.routing import RoutedBackend
from gateway.cost import Cost
from gateway.settings import SettingsError
from upstream_sim import WidgetsConnector

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CRMCOM_ID = "2E7D50026366AF98CD006C5883E825DA"  # CRM.COM ids are 32 hex digits


def communication(contact_id: UUID, subject: str) -> CommunicationRecord:
    return CommunicationRecord(
        id=uuid.uuid4(),
        tenant="t",
        date_created=NOW,
        number=subject,
        direction="INBOUND",
        media="EMAIL",
        subject=subject,
        content="",
        contact_id=contact_id,
    )


def link(owner: UUID, system: str, foreign: str) -> ThirdPartyIdRecord:
    return ThirdPartyIdRecord(id=uuid.uuid4(), owner_id=owner, system_name=system, third_party_id=foreign)


class FakeBackend:
    """Children by parent id and third-party ids by owner, in memory; every call is recorded."""

    def __init__(
        self,
        children: Mapping[UUID, list[Any]] | None = None,
        third_party_ids: Mapping[UUID, list[ThirdPartyIdRecord]] | None = None,
    ) -> None:
        self.children = dict(children or {})
        self.third_party_ids = dict(third_party_ids or {})
        self.calls: list[tuple[Any, ...]] = []
        self.written: list[tuple[Any, ...]] = []

    async def pages_by_parent(self, relation: Relation, parents: Sequence[UUID], query: ListQuery) -> Any:
        self.calls.append(("pages", relation, list(parents)))
        return {
            p: Page(self.children.get(p, []), [(0,)] * len(self.children.get(p, [])), False, False)
            for p in parents
        }

    async def counts_by_parent(self, relation: Relation, parents: Sequence[UUID], query: ListQuery) -> Any:
        self.calls.append(("counts", relation, list(parents)))
        return {p: len(self.children.get(p, [])) for p in parents}

    async def get_many(self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False) -> Any:
        self.calls.append(("get_many", entity, list(ids)))
        return {i: AuditedRecord(id=i, tenant="t", date_created=NOW) for i in ids}

    async def details(self, detail: Detail, owners: Sequence[UUID]) -> Any:
        self.calls.append(("details", detail, list(owners)))
        return {o: self.third_party_ids[o] for o in owners if o in self.third_party_ids}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        yield FakeWriter(self)


class FakeWriter:
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        self.backend.written.append(("insert", entity))
        return uuid.uuid4()

    async def replace_details(self, detail: Detail, owner: UUID, items: Any) -> None:
        self.backend.written.append(("details", detail, owner))

    async def remembered_create(self, caller: str, operation: str, key: str) -> None:
        self.backend.written.append(("remembered", operation))

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        return set()


def routed(
    sql: FakeBackend, routes: Mapping[Entity, FakeBackend], names: Mapping[Entity, str]
) -> RoutedBackend:
    return RoutedBackend(cast(Backend, sql), cast(Mapping[Entity, Backend], routes), names)


@pytest.mark.parametrize("contacts_upstream", [False, True], ids=["contacts-in-sql", "contacts-in-conecrm"])
async def test_relation_across_systems_goes_through_third_party_ids(contacts_upstream: bool) -> None:
    linked, other_system, unlinked = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    foreign = UUID(hex=CRMCOM_ID)
    parents = FakeBackend(
        third_party_ids={
            linked: [link(linked, "CRM.COM", CRMCOM_ID)],
            other_system: [link(other_system, "X", CRMCOM_ID)],
        }
    )
    crmcom = FakeBackend(children={foreign: [communication(foreign, "a"), communication(foreign, "b")]})
    sql = FakeBackend() if contacts_upstream else parents
    routes = {Entity.COMMUNICATION: crmcom} | ({Entity.CONTACT: parents} if contacts_upstream else {})
    backend = routed(sql, routes, {Entity.COMMUNICATION: "CRM.COM", Entity.CONTACT: "ConeCRM"})

    ids = [linked, other_system, unlinked]
    pages = await backend.pages_by_parent(Relation.CONTACT_COMMUNICATIONS, ids, ListQuery())
    counts = await backend.counts_by_parent(Relation.CONTACT_COMMUNICATIONS, ids, ListQuery())

    assert [row.subject for row in pages[linked].rows] == ["a", "b"]
    assert all(cast(CommunicationRecord, row).contact_id == linked for row in pages[linked].rows)
    assert pages[other_system].rows == [] and pages[unlinked].rows == []
    assert counts == {linked: 2, other_system: 0, unlinked: 0}
    # one batched third-party id lookup per call, never one per row
    assert parents.calls.count(("details", Detail.THIRD_PARTY_IDS, ids)) == 2
    # a parent without a CRM.COM link is looked up under its own id (systems loaded with the gateway's
    # ids); here CRM.COM has nothing under those ids, so they get nothing
    asked = [foreign, other_system, unlinked]
    assert crmcom.calls == [
        ("pages", Relation.CONTACT_COMMUNICATIONS, asked),
        ("counts", Relation.CONTACT_COMMUNICATIONS, asked),
    ]
    if contacts_upstream:
        assert sql.calls == []


async def test_parents_sharing_one_foreign_id_each_get_their_own_rows() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    foreign = UUID(hex=CRMCOM_ID)
    sql = FakeBackend(third_party_ids={p: [link(p, "CRM.COM", CRMCOM_ID.lower())] for p in (first, second)})
    crmcom = FakeBackend(children={foreign: [communication(foreign, "a")]})
    backend = routed(sql, {Entity.COMMUNICATION: crmcom}, {Entity.COMMUNICATION: "CRM.COM"})
    pages = await backend.pages_by_parent(Relation.CONTACT_COMMUNICATIONS, [first, second], ListQuery())
    assert [cast(CommunicationRecord, pages[p].rows[0]).contact_id for p in (first, second)] == [
        first,
        second,
    ]
    assert crmcom.calls == [("pages", Relation.CONTACT_COMMUNICATIONS, [foreign])]


async def test_unparseable_third_party_id_is_no_link_and_no_call() -> None:
    parent = uuid.uuid4()
    sql = FakeBackend(third_party_ids={parent: [link(parent, "CRM.COM", "not-an-id")]})
    crmcom = FakeBackend()
    backend = routed(sql, {Entity.COMMUNICATION: crmcom}, {Entity.COMMUNICATION: "CRM.COM"})
    assert await backend.counts_by_parent(Relation.CONTACT_COMMUNICATIONS, [parent], ListQuery()) == {
        parent: 0
    }
    assert crmcom.calls == []


async def test_same_system_and_sql_children_use_the_graph_ids() -> None:
    parent = uuid.uuid4()
    conecrm, sql = FakeBackend(), FakeBackend()
    backend = routed(sql, {Entity.CONTACT: conecrm, Entity.ACCOUNT: conecrm}, {Entity.CONTACT: "ConeCRM"})
    await backend.pages_by_parent(Relation.ACCOUNT_CONTACTS, [parent], ListQuery())  # both in ConeCRM
    await backend.pages_by_parent(Relation.CONTACT_COMMUNICATIONS, [parent], ListQuery())  # children in SQL
    assert conecrm.calls == [("pages", Relation.ACCOUNT_CONTACTS, [parent])]
    assert sql.calls == [("pages", Relation.CONTACT_COMMUNICATIONS, [parent])]


async def test_details_go_to_the_system_that_served_their_owner() -> None:
    contact, account, unknown = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sql, conecrm = FakeBackend(), FakeBackend()
    backend = routed(sql, {Entity.CONTACT: conecrm}, {Entity.CONTACT: "ConeCRM"})
    await backend.get_many(Entity.CONTACT, [contact])
    await backend.get_many(Entity.ACCOUNT, [account])
    await backend.details(Detail.EMAILS, [contact, account, unknown])
    # contacts' e-mails from ConeCRM only, accounts' from SQL only: a ConeCRM outage does not hide them
    assert conecrm.calls[-1] == ("details", Detail.EMAILS, [contact, unknown])
    assert sql.calls[-1] == ("details", Detail.EMAILS, [account, unknown])
    await backend.details(Detail.PERMISSIONS, [contact])  # contacts only own these: no question to SQL
    assert conecrm.calls[-1] == ("details", Detail.PERMISSIONS, [contact])
    assert sql.calls[-1] == ("details", Detail.EMAILS, [account, unknown])


async def test_writer_sends_each_write_to_its_system_and_keeps_idempotency_in_sql() -> None:
    sql, conecrm = FakeBackend(), FakeBackend()
    backend = routed(sql, {Entity.CONTACT: conecrm}, {Entity.CONTACT: "ConeCRM"})
    async with backend.transaction() as writer:
        await writer.remembered_create("tester", "contactCreate", "key")
        contact = await writer.insert(Entity.CONTACT, {}, "tester")
        await writer.replace_details(Detail.EMAILS, contact, [])
        await writer.insert(Entity.STAGE, {}, "tester")
    assert conecrm.written == [("insert", Entity.CONTACT), ("details", Detail.EMAILS, contact)]
    assert sql.written == [("remembered", "contactCreate"), ("insert", Entity.STAGE)]


async def test_upstream_write_is_not_undone_when_the_sql_transaction_fails() -> None:
    sql, conecrm = FakeBackend(), FakeBackend()
    backend = routed(sql, {Entity.CONTACT: conecrm}, {Entity.CONTACT: "ConeCRM"})
    with pytest.raises(RuntimeError):
        async with backend.transaction() as writer:
            await writer.insert(Entity.CONTACT, {}, "tester")
            raise RuntimeError("a later step failed")
    assert conecrm.written == [("insert", Entity.CONTACT)]  # documented: upstreams have no transaction


# --- the routing file ---------------------------------------------------------------------------------

UPSTREAM = """
[upstreams.cone]
kind = "conecrm"
base_url = "http://127.0.0.1:9"
system_name = "ConeCRM"
[upstreams.cone.credentials]
token = "${CONE_TOKEN}"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "backends.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[routes\nContact = 1", "is not valid TOML"),
        ('[routes]\nWidget = "sql"\n' + UPSTREAM, "'Widget' is not an entity"),
        ('[routes]\nAutomationRun = "cone"\n' + UPSTREAM, "'AutomationRun' is the gateway's own record"),
        ('[routes]\nContact = "nowhere"\n' + UPSTREAM, "names 'nowhere', which is neither 'sql'"),
        (
            UPSTREAM.replace('kind = "conecrm"', 'kind = "salesforce"'),
            "kind: must be one of conecrm, crmcom, akixi",
        ),
        (UPSTREAM.replace("CONE_TOKEN", "MISSING_VARIABLE"), "MISSING_VARIABLE, which is not set"),
        (UPSTREAM + "[upstreams.cone.timeouts]\nread = -1\n", "timeouts.read"),
        (UPSTREAM + "surprise = 1\n", "surprise"),
        ("[elsewhere]\n", "unknown section"),
    ],
    ids=[
        "bad-toml",
        "unknown-entity",
        "gateway-own-entity",
        "unknown-upstream",
        "bad-kind",
        "missing-env",
        "bad-timeout",
        "extra",
        "section",
    ],
)
def test_routing_file_errors_are_clear_and_never_show_credentials(
    tmp_path: Path, text: str, expected: str
) -> None:
    secret = "very-secret-token-123"
    with pytest.raises(SettingsError) as raised:
        load_backends(write(tmp_path, text), {"CONE_TOKEN": secret})
    message = str(raised.value)
    assert message.startswith("CRM_GATEWAY_BACKENDS:") and expected in message
    assert secret not in message


def test_missing_routing_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CRM_GATEWAY_BACKENDS: cannot read"):
        load_backends(str(tmp_path / "absent.toml"))


def test_credentials_come_from_the_environment_and_stay_out_of_repr(tmp_path: Path) -> None:
    config = load_backends(
        write(tmp_path, '[routes]\nTask = "cone"\n' + UPSTREAM), {"CONE_TOKEN": "s3cret-value"}
    )
    assert config.upstreams["cone"].credentials == {"token": "s3cret-value"}
    assert config.routes == {Entity.EVENT: "cone"}
    assert "s3cret-value" not in repr(config)


async def test_start_up_builds_one_connector_per_upstream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", WidgetsConnector)
    config = load_backends(write(tmp_path, '[routes]\nContact = "cone"\n' + UPSTREAM), {"CONE_TOKEN": "x"})
    upstreams = Upstreams.build(config)
    try:
        assert isinstance(upstreams.connectors["cone"], WidgetsConnector)
        assert upstreams.routes[Entity.CONTACT].system == "cone" and upstreams.routes[Entity.CONTACT].batches
        sql = cast(Backend, FakeBackend())
        scope = RequestScope("t1", RowAccess("tester", admin=False), Cost(), "caller-jwt")
        backend, apis = upstreams.for_request(sql, scope)
        assert isinstance(backend, RoutedBackend) and backend.sql is sql
        assert backend.routed[Entity.CONTACT] is apis["conecrm"]  # one backend per upstream and request
        assert backend.system_names == {Entity.CONTACT: "ConeCRM"}
        assert upstreams.connectors["cone"].scopes == [scope]  # type: ignore[attr-defined]
    finally:
        await upstreams.aclose()


def test_route_to_an_entity_the_connector_does_not_hold_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", WidgetsConnector)
    config = load_backends(write(tmp_path, '[routes]\nStage = "cone"\n' + UPSTREAM), {"CONE_TOKEN": "x"})
    with pytest.raises(
        SettingsError, match=r"\[routes\] Stage = 'cone', but the conecrm connector holds Contact"
    ):
        Upstreams.build(config)


def test_a_connector_missing_from_the_build_is_a_settings_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(CONNECTORS, "akixi", raising=False)
    monkeypatch.setitem(sys.modules, "gateway.backends.rest.akixi", None)  # as if the module were absent
    text = UPSTREAM.replace('kind = "conecrm"', 'kind = "akixi"')
    config = load_backends(write(tmp_path, text), {"CONE_TOKEN": "x"})
    with pytest.raises(
        SettingsError, match=r"\[upstreams.cone\] kind 'akixi': this build of the gateway has no"
    ):
        Upstreams.build(config)


def test_the_documented_example_is_a_valid_routing_file(tmp_path: Path) -> None:
    section = (Path(__file__).parent.parent / "docs" / "upstreams" / "routing.md").read_text()
    example = section[section.index("```toml\n") + 8 : section.index("```\n", section.index("```toml"))]
    config = load_backends(write(tmp_path, example), {"CONECRM_TOKEN": "a", "CRMCOM_PASSWORD": "b"})
    assert config.routes[Entity.COMMUNICATION] == "crm" and config.upstreams["cone"].timeouts.total == 10.0

"""One backend made of several: each entity type is served by the system the routing file names.

``RoutedBackend`` implements the backend protocol by sending each call to the backend that holds the
entity it is about: an entity's own lists and lookups go to its system; a relation goes to the system
of its child entity; details go to the system of their owner. With no routing file it is not used at
all: the SQL backend serves everything directly.

Cross-system relations: when a relation's parent and child entities live in different systems and the
child's system is an upstream, the parent's ids mean nothing there. The parent's third-party ids (seed
004 ThirdPartyId) whose ``systemName`` is the child upstream's ``system_name`` name it in that system:
``RoutedBackend`` reads them for all parents in one call, asks the child's system with those ids, and
maps the pages and counts back to the graph's parent ids (rewriting the children's parent reference,
e.g. ``CommunicationRecord.contact_id``). A parent without such a link has no children there. A
parent entity that owns no third-party ids (leads, stages) is looked up with its own id, and so is a
child kept in SQL: SQL rows store the upstream's ids of their parents.

The other way (child to parent, e.g. ``Communication.contact``): a child read from an upstream names its
parent by that upstream's id. Where the parent lives in another system that keeps third-party ids
(contacts and accounts in SQL), the ids are looked up there by ``systemName`` and value, one statement
for all the records read, and the child's reference becomes the graph's parent id; an id with no such
link stays as it is (the parent has the same id in both systems).

Writes (``transaction()``): see ``gateway.backends.routed_writer``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from gateway.backends.base import (
    Backend,
    Capability,
    CapabilityNotServed,
    CommunicationNumbering,
    EntityBackend,
    EntityReader,
    PhoneLookup,
    QueueEvent,
    QueueEventLog,
    RecordReader,
    RecordWriter,
    TextSearch,
    details_kind_by_kind,
)
from gateway.backends.customization import Customization
from gateway.backends.integrations import Integrations
from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, ListQuery, NoneOf, Page
from gateway.backends.records import (
    AuditedRecord,
    CommunicationRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
    TenantRecord,
    ThirdPartyIdRecord,
)
from gateway.backends.search import SearchPage

# The parent entity of each relation (its child entity is in each backend's own mapping).
RELATION_PARENTS: dict[Relation, Entity] = {
    Relation.CONTACT_ACCOUNTS: Entity.CONTACT,
    Relation.CONTACT_LEADS: Entity.CONTACT,
    Relation.CONTACT_EVENTS: Entity.CONTACT,
    Relation.ACCOUNT_CONTACTS: Entity.ACCOUNT,
    Relation.ACCOUNT_LEADS: Entity.ACCOUNT,
    Relation.ACCOUNT_EVENTS: Entity.ACCOUNT,
    Relation.LEAD_EVENTS: Entity.LEAD,
    Relation.LEAD_ASSIGNEES: Entity.LEAD,
    Relation.STAGE_LEADS: Entity.STAGE,
    Relation.CONTACT_COMMUNICATIONS: Entity.CONTACT,
    Relation.LEAD_COMMUNICATIONS: Entity.LEAD,
    Relation.ACCOUNT_COMMUNICATIONS: Entity.ACCOUNT,
    Relation.COMMUNICATION_QUEUE_ENTRIES: Entity.COMMUNICATION,
    Relation.CONTACT_TAGS: Entity.CONTACT,
    Relation.ACCOUNT_TAGS: Entity.ACCOUNT,
    Relation.TAG_CONTACTS: Entity.TAG,
    Relation.TAG_ACCOUNTS: Entity.TAG,
    Relation.CONTACT_COMMENTS: Entity.CONTACT,
    Relation.ACCOUNT_COMMENTS: Entity.ACCOUNT,
    Relation.CONTACT_OCCASIONS: Entity.CONTACT,
    Relation.ACCOUNT_OCCASIONS: Entity.ACCOUNT,
    Relation.CONTACT_RELATIONS: Entity.CONTACT,
    Relation.ACCOUNT_RELATIONS: Entity.ACCOUNT,
    Relation.CONTACT_DOCUMENTS: Entity.CONTACT,
    Relation.ACCOUNT_DOCUMENTS: Entity.ACCOUNT,
    Relation.FRANCHISE_DEPARTMENTS: Entity.FRANCHISE,
    Relation.USER_ROLES: Entity.USER,
    Relation.ROLE_USERS: Entity.ROLE,
    Relation.USER_SECURITY_GROUPS: Entity.USER,
    Relation.SECURITY_GROUP_MEMBERS: Entity.SECURITY_GROUP,
    Relation.LEAD_STAGE_CHANGES: Entity.LEAD,
    Relation.LEAD_AUTOMATION_RUNS: Entity.LEAD,
}
RELATION_CHILDREN: dict[Relation, Entity] = {
    Relation.CONTACT_ACCOUNTS: Entity.ACCOUNT,
    Relation.CONTACT_LEADS: Entity.LEAD,
    Relation.CONTACT_EVENTS: Entity.EVENT,
    Relation.ACCOUNT_CONTACTS: Entity.CONTACT,
    Relation.ACCOUNT_LEADS: Entity.LEAD,
    Relation.ACCOUNT_EVENTS: Entity.EVENT,
    Relation.LEAD_EVENTS: Entity.EVENT,
    Relation.LEAD_ASSIGNEES: Entity.USER,
    Relation.STAGE_LEADS: Entity.LEAD,
    Relation.CONTACT_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.LEAD_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.ACCOUNT_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.COMMUNICATION_QUEUE_ENTRIES: Entity.COMMUNICATION_QUEUE_ENTRY,
    Relation.CONTACT_TAGS: Entity.TAG,
    Relation.ACCOUNT_TAGS: Entity.TAG,
    Relation.TAG_CONTACTS: Entity.CONTACT,
    Relation.TAG_ACCOUNTS: Entity.ACCOUNT,
    Relation.CONTACT_COMMENTS: Entity.COMMENT,
    Relation.ACCOUNT_COMMENTS: Entity.COMMENT,
    Relation.CONTACT_OCCASIONS: Entity.OCCASION,
    Relation.ACCOUNT_OCCASIONS: Entity.OCCASION,
    Relation.CONTACT_RELATIONS: Entity.CONTACT_RELATION,
    Relation.ACCOUNT_RELATIONS: Entity.CONTACT_RELATION,
    Relation.CONTACT_DOCUMENTS: Entity.DOCUMENT,
    Relation.ACCOUNT_DOCUMENTS: Entity.DOCUMENT,
    Relation.FRANCHISE_DEPARTMENTS: Entity.DEPARTMENT,
    Relation.USER_ROLES: Entity.ROLE,
    Relation.ROLE_USERS: Entity.USER,
    Relation.USER_SECURITY_GROUPS: Entity.SECURITY_GROUP,
    Relation.SECURITY_GROUP_MEMBERS: Entity.USER,
    Relation.LEAD_STAGE_CHANGES: Entity.LEAD_STAGE_CHANGE,
    Relation.LEAD_AUTOMATION_RUNS: Entity.AUTOMATION_RUN,
}
# Which entities own each kind of detail list (contacts and accounts are both customers in seed 004).
DETAIL_OWNERS: dict[Detail, tuple[Entity, ...]] = {
    Detail.EMAILS: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.PHONES: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.ADDRESSES: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.THIRD_PARTY_IDS: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.PERMISSIONS: (Entity.CONTACT,),
    Detail.COMMUNICATION_REFERENCES: (Entity.COMMUNICATION,),
    Detail.URLS: (Entity.CONTACT, Entity.ACCOUNT),
}


# The field of a child record that names its parent, rewritten to the graph's parent id across systems.
PARENT_REFERENCES: dict[Relation, str] = {
    Relation.CONTACT_LEADS: "contact_id",
    Relation.CONTACT_EVENTS: "contact_id",
    Relation.ACCOUNT_LEADS: "account_id",
    Relation.ACCOUNT_EVENTS: "account_id",
    Relation.LEAD_EVENTS: "lead_id",
    Relation.STAGE_LEADS: "stage_id",
    Relation.CONTACT_COMMUNICATIONS: "contact_id",
    Relation.COMMUNICATION_QUEUE_ENTRIES: "communication_id",
    Relation.CONTACT_DOCUMENTS: "owner_id",
    Relation.ACCOUNT_DOCUMENTS: "owner_id",
}
_EMPTY_PAGE: Page[AuditedRecord] = Page(rows=[], keys=[], has_next=False, has_previous=False)
# The fields of a child record that name a parent owning third-party ids, and the parent's entity.
CHILD_PARENTS: dict[Entity, tuple[tuple[str, Entity], ...]] = {
    Entity.COMMUNICATION: (("contact_id", Entity.CONTACT),),
    Entity.COMMUNICATION_QUEUE_ENTRY: (("contact_id", Entity.CONTACT),),
    Entity.LEAD: (("contact_id", Entity.CONTACT), ("account_id", Entity.ACCOUNT)),
    Entity.EVENT: (("contact_id", Entity.CONTACT), ("account_id", Entity.ACCOUNT)),
}


@runtime_checkable
class ThirdPartyOwners(Protocol):
    """A system that keeps third-party ids and finds their owners (the SQL backend)."""

    async def owners_by_third_party_ids(
        self, system_name: str, third_party_ids: Sequence[str]
    ) -> dict[str, UUID]: ...


class RoutedReads:
    """The read half of routing, shared by the backend and its transaction's writer."""

    def __init__(
        self,
        sql: RecordReader,
        routed: Mapping[Entity, EntityBackend],
        system_names: Mapping[Entity, str] | None,
    ) -> None:
        self.sql = sql
        self.routed = dict(routed)
        # The ThirdPartyId systemName of each routed entity's upstream: how other systems link to it.
        self.system_names = dict(system_names or {})
        # The entity of each record served in this request: contacts and accounts share detail lists, so
        # this says which system holds an owner's e-mails without asking every system.
        self.owner_entities: dict[UUID, Entity] = {}

    @property
    def tenant(self) -> str:
        """The request's tenant and row access, as the SQL backend has them (subscriptions read them)."""
        return self.sql.tenant  # type: ignore[attr-defined,no-any-return]

    @property
    def access(self) -> Any:
        return self.sql.access  # type: ignore[attr-defined]

    def backend_for(self, entity: Entity) -> EntityReader:
        return self.routed.get(entity, self.sql)

    def not_served(self, capability: Capability, entity: Entity) -> CapabilityNotServed:
        """The error for an area the backend holding ``entity`` does not implement."""
        return CapabilityNotServed(capability, self.system_names.get(entity, f"The {entity.value} upstream"))

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        found = await self.backend_for(entity).get_many(entity, ids, include_deleted=include_deleted)
        rows = await self._translated(entity, list(found.values()))
        found = {row.id: row for row in rows}
        self._served(entity, found.values())
        return found

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        query = await self._foreign_filter(entity, query)
        page = await self.backend_for(entity).page(entity, query)
        page = dataclasses.replace(page, rows=await self._translated(entity, page.rows))
        self._served(entity, page.rows)
        return page

    async def _translated(self, entity: Entity, rows: list[AuditedRecord]) -> list[AuditedRecord]:
        backend = self.routed.get(entity)
        if backend is None or getattr(backend, "names_graph_parents", False):
            return rows  # SQL rows, or an upstream that applied ``graph_parents`` itself (before its rules)
        return await self.graph_parents(entity, rows)

    async def graph_parents(self, entity: Entity, rows: list[AuditedRecord]) -> list[AuditedRecord]:
        """Rows read from an upstream, their parent references turned into the graph's parent ids where
        the parent lives in a system that links to this upstream by third-party id (module docstring)."""
        system_name = self.system_names.get(entity)
        if system_name is None or not rows or entity not in self.routed:
            return rows
        for field, parent in CHILD_PARENTS.get(entity, ()):
            owners = self.backend_for(parent)
            if owners is self.routed[entity] or not isinstance(owners, ThirdPartyOwners):
                continue
            foreign = {value for row in rows if isinstance(value := getattr(row, field, None), UUID)}
            if not foreign:
                continue
            forms = {form: value for value in foreign for form in _id_forms(value)}
            found = await owners.owners_by_third_party_ids(system_name, list(forms))
            graph = {forms[form]: owner for form, owner in found.items()}
            rows = [_with_parent(row, field, graph) for row in rows]
        return rows

    def _served(self, entity: Entity, records: Iterable[AuditedRecord]) -> None:
        if entity in DETAIL_OWNERS[Detail.EMAILS]:
            self.owner_entities.update((record.id, entity) for record in records)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        query = await self._foreign_filter(entity, query)
        return await self.backend_for(entity).count(entity, query)

    async def _foreign_filter(self, entity: Entity, query: ListQuery) -> ListQuery:
        """A filter on a parent reference (e.g. communications by ``contactId``) names the graph's parent;
        the child's upstream knows that parent by its third-party id there (``_links``)."""
        system_name = self.system_names.get(entity)
        if system_name is None or entity not in self.routed or query.filter is None:
            return query
        references = dict(CHILD_PARENTS.get(entity, ()))
        named = {
            value
            for condition in _conditions(query.filter)
            if condition.field in references
            for value in (condition.value if isinstance(condition.value, tuple) else (condition.value,))
            if isinstance(value, UUID)
        }
        if not named:
            return query
        foreign: dict[UUID, UUID] = {}
        for parent in references.values():
            foreign |= await self.parents_there(entity, parent, named)
        if not foreign:
            return query
        return dataclasses.replace(query, filter=_rewritten(query.filter, set(references), foreign))

    async def parents_there(self, entity: Entity, parent: Entity, ids: Iterable[UUID]) -> dict[UUID, UUID]:
        """Graph ids of ``parent`` records -> their ids in the upstream of ``entity`` (a routed child),
        for those that link to it by a ThirdPartyId of its ``system_name``; empty where the child's
        system takes the graph's ids as they are (same system, or a parent with no such links)."""
        system_name = self.system_names.get(entity)
        owners = self.backend_for(parent)
        wanted = sorted(set(ids))
        if system_name is None or entity not in self.routed or owners is self.routed[entity] or not wanted:
            return {}
        if parent not in DETAIL_OWNERS[Detail.THIRD_PARTY_IDS]:
            return {}
        found = await owners.details(Detail.THIRD_PARTY_IDS, wanted)
        links = {owner: _foreign_id(items, system_name) for owner, items in found.items()}
        return {owner: link for owner, link in links.items() if link is not None}

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        pages = await self._pages_by_parent(relation, parent_ids, query)
        child = RELATION_CHILDREN[relation]
        for page in pages.values():
            self._served(child, page.rows)
        return pages

    async def _pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        backend = self.backend_for(RELATION_CHILDREN[relation])
        links = await self._links(relation, parent_ids)
        if links is None:
            return await backend.pages_by_parent(relation, parent_ids, query)
        foreign = list(dict.fromkeys(links.values()))
        pages = await backend.pages_by_parent(relation, foreign, query) if foreign else {}
        return {
            parent: _for_parent(pages.get(links[parent], _EMPTY_PAGE), relation, parent)
            if parent in links
            else _EMPTY_PAGE
            for parent in parent_ids
        }

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        backend = self.backend_for(RELATION_CHILDREN[relation])
        links = await self._links(relation, parent_ids)
        if links is None:
            return await backend.counts_by_parent(relation, parent_ids, query)
        foreign = list(dict.fromkeys(links.values()))
        counts = await backend.counts_by_parent(relation, foreign, query) if foreign else {}
        return {parent: counts.get(links[parent], 0) if parent in links else 0 for parent in parent_ids}

    async def _links(self, relation: Relation, parent_ids: Sequence[UUID]) -> dict[UUID, UUID] | None:
        """Graph parent id -> the id of the same parent in the child's upstream; None when the child's
        system takes the graph's ids as they are. A parent without a link to that system is looked up
        under its own id (ids are UUIDs, so systems that were loaded with the gateway's ids just work)."""
        parent, child = RELATION_PARENTS[relation], RELATION_CHILDREN[relation]
        system_name = self.system_names.get(child)
        owns_links = parent in DETAIL_OWNERS[Detail.THIRD_PARTY_IDS]
        if system_name is None or not owns_links or self.backend_for(parent) is self.backend_for(child):
            return None
        found = await self.backend_for(parent).details(
            Detail.THIRD_PARTY_IDS, list(dict.fromkeys(parent_ids))
        )
        links: dict[UUID, UUID] = {}
        for owner in parent_ids:
            items = [item for item in found.get(owner, []) if item.system_name == system_name]
            if not items:
                links[owner] = owner
            elif (foreign := _foreign_id(items, system_name)) is not None:
                links[owner] = foreign  # a link that is no id there (unparseable) leaves the parent out
        return links

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        """Each owner's details from the system of its entity when this request served the owner; an
        owner it did not serve is asked of every system that holds owners of such details."""
        owners, candidates = DETAIL_OWNERS[detail], self._distinct(DETAIL_OWNERS[detail])
        asked: dict[int, tuple[EntityReader, list[UUID]]] = {}
        for owner in owner_ids:
            entity = self.owner_entities.get(owner)
            served_by = [self.backend_for(entity)] if entity is not None and entity in owners else candidates
            for backend in served_by:
                asked.setdefault(id(backend), (backend, []))[1].append(owner)
        found: dict[UUID, list[Any]] = {}
        for backend, ids in asked.values():
            found.update(await backend.details(detail, ids))
        return found

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> Mapping[Detail, Mapping[UUID, list[Any]]]:
        return await details_kind_by_kind(self, wanted)

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        backend = self.backend_for(Entity.CONTACT)
        if not isinstance(backend, PhoneLookup):
            raise self.not_served(Capability.PHONE_LOOKUP, Entity.CONTACT)
        found = await backend.contacts_by_phone(number)
        self._served(Entity.CONTACT, found)
        return found

    async def search(
        self, text: str, entities: Sequence[Entity], size: int, after: tuple[Any, ...] | None
    ) -> SearchPage:
        """Ranked search runs over the gateway's own index: entities an upstream holds are not in it."""
        if not isinstance(self.sql, TextSearch):
            raise self.not_served(Capability.SEARCH, entities[0] if entities else Entity.CONTACT)
        return await self.sql.search(
            text, [entity for entity in entities if entity not in self.routed], size, after
        )

    async def tenant_record(self) -> TenantRecord | None:
        return await self.sql.tenant_record()

    def _queue_log(self) -> QueueEventLog:
        backend = self.backend_for(Entity.COMMUNICATION_QUEUE_ENTRY)
        if not isinstance(backend, QueueEventLog):
            raise self.not_served(Capability.QUEUE_EVENTS, Entity.COMMUNICATION_QUEUE_ENTRY)
        return backend

    async def queue_events_after(self, sequence: int, limit: int) -> list[QueueEvent]:
        return await self._queue_log().queue_events_after(sequence, limit)

    async def latest_queue_event_sequence(self) -> int:
        return await self._queue_log().latest_queue_event_sequence()

    def _numbering(self) -> CommunicationNumbering:
        backend = self.backend_for(Entity.COMMUNICATION)
        if not isinstance(backend, CommunicationNumbering):
            raise self.not_served(Capability.NUMBERING, Entity.COMMUNICATION)
        return backend

    async def communications_numbered_after(
        self, contact_id: UUID, after: int, upto: int, limit: int
    ) -> list[CommunicationRecord]:
        return await self._numbering().communications_numbered_after(contact_id, after, upto, limit)

    async def latest_communication_number(self) -> int:
        return await self._numbering().latest_communication_number()

    def _distinct(self, entities: Sequence[Entity]) -> list[EntityReader]:
        backends: list[EntityReader] = []
        for entity in entities:
            backend = self.backend_for(entity)
            if all(backend is not seen for seen in backends):
                backends.append(backend)
        return backends


class RoutedBackend(RoutedReads):
    """Reads routed per entity; ``sql`` serves every entity the routes do not name."""

    def __init__(
        self,
        sql: Backend,
        routed: Mapping[Entity, EntityBackend],
        system_names: Mapping[Entity, str] | None = None,
    ) -> None:
        super().__init__(sql, routed, system_names)
        self.sql_backend = sql

    def integrations(self) -> Integrations:
        """Kept in SQL; a configured Akixi upstream serves them instead (``gateway.backends.areas``)."""
        return self.sql_backend.integrations()

    def customization(self) -> Customization:
        """Kept in SQL; a configured ConeCRM upstream serves it instead (``gateway.backends.areas``)."""
        return self.sql_backend.customization()

    def session(self) -> AbstractAsyncContextManager[None]:
        """The SQL backend's read session (one connection per operation); upstreams need none."""
        return self.sql_backend.session()  # type: ignore[attr-defined,no-any-return]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[RecordWriter]:
        """A writer over the SQL transaction and, opened on first use, each upstream's writer.

        Upstream writes are not part of the SQL transaction: they happen when made, and a later
        failure rolls back only the SQL side (see ``gateway.backends.routed_writer``).
        """
        from gateway.backends.routed_writer import RoutedWriter

        async with self.sql_backend.transaction() as sql_writer, AsyncExitStack() as upstream_writers:
            yield RoutedWriter(sql_writer, self.routed, self.system_names, upstream_writers)


def _conditions(expression: FilterExpr) -> Iterable[Condition]:
    if isinstance(expression, Condition):
        yield expression
    elif isinstance(expression, AllOf | AnyOf):
        for item in expression.items:
            yield from _conditions(item)
    elif isinstance(expression, NoneOf):
        yield from _conditions(expression.item)


def _rewritten(expression: FilterExpr, fields: set[str], foreign: Mapping[UUID, UUID]) -> FilterExpr:
    """``expression`` with each graph parent id of ``fields`` replaced by its id in the upstream."""
    if isinstance(expression, Condition):
        if expression.field not in fields:
            return expression
        value = expression.value
        if isinstance(value, tuple):
            return dataclasses.replace(expression, value=tuple(foreign.get(v, v) for v in value))
        return dataclasses.replace(expression, value=foreign.get(value, value))
    if isinstance(expression, AllOf | AnyOf):
        items = tuple(_rewritten(item, fields, foreign) for item in expression.items)
        return dataclasses.replace(expression, items=items)
    if isinstance(expression, NoneOf):
        return dataclasses.replace(expression, item=_rewritten(expression.item, fields, foreign))
    return expression


def _with_parent(row: AuditedRecord, field: str, graph: Mapping[UUID, UUID]) -> AuditedRecord:
    value = getattr(row, field, None)
    if not isinstance(value, UUID) or value not in graph:
        return row
    changes: dict[str, Any] = {field: graph[value]}
    return dataclasses.replace(row, **changes)


def _id_forms(value: UUID) -> tuple[str, ...]:
    """How a third-party id naming ``value`` may be written: CRM.COM's 32 upper-case hex digits, lower
    case, or the 8-4-4-4-12 form (``_foreign_id`` reads them all)."""
    return (value.hex.upper(), value.hex, str(value), str(value).upper())


def _foreign_id(items: Sequence[ThirdPartyIdRecord], system_name: str) -> UUID | None:
    """The first third-party id of ``system_name`` that is an id there (a UUID, or CRM.COM's 32 hex)."""
    for item in items:
        if item.system_name == system_name:
            try:
                return UUID(item.third_party_id.strip())  # takes 8-4-4-4-12 and 32-hex forms alike
            except ValueError:
                continue
    return None


def _for_parent(page: Page[AuditedRecord], relation: Relation, parent: UUID) -> Page[AuditedRecord]:
    """The child system's page, its rows pointing at the graph's parent id rather than the foreign one."""
    reference = PARENT_REFERENCES.get(relation)
    if reference is None:
        return page
    changes: dict[str, Any] = {reference: parent}
    rows: list[AuditedRecord] = [
        dataclasses.replace(row, **changes)
        if any(f.name == reference for f in dataclasses.fields(row))
        else row
        for row in page.rows
    ]
    return dataclasses.replace(page, rows=rows)

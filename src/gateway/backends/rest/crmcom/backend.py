"""The CRM.COM backend of one request: communications and queue entries read through seed 001's methods.

Lookups by id use ``show`` (CRM.COM has no batch-by-ids form), one call per id with at most
``max_concurrency`` in flight; the loaders have deduplicated the ids already. Only
contact_information/list takes ``offset``/``number_of_results`` (seed 003 lines 520-542); seed 001 gives
communications/list and queue/list no paging parameters, so those are read whole, once per request and
parameter set (a page and its count, or several communications of one contact and media, share the
call), and paged here. Every communication read
applies the media rule (CRM_VIEW_EMAIL / CRM_VIEW_SMS), and, where the contacts live elsewhere, the
contacts' row rules through ``contacts`` (one batched lookup per upstream page).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID

from gateway.backends.base import EntityReader, QueueEvent, QueueEventLog, details_kind_by_kind
from gateway.backends.query import AllOf, Condition, ListQuery, Op, Page, PageRequest
from gateway.backends.records import (
    AuditedRecord,
    CommunicationQueueEntryRecord,
    CommunicationRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
)
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.crmcom import contacts, mapping, relations
from gateway.backends.rest.crmcom.api import CrmcomApi, is_not_found
from gateway.backends.rest.crmcom.fields import FIELDS, fields_for
from gateway.backends.rest.crmcom.paging import Keep, Window, count_all, fetch_window
from gateway.backends.rest.crmcom.photos import CrmcomPhotoReads
from gateway.backends.rest.crmcom.plans import Plan, flat, matches, plan_list
from gateway.backends.rest.errors import UpstreamBadResponse, UpstreamError, UpstreamUnsupported
from gateway.permissions import communication_visible
from gateway.selection import Selection

SHOW = {
    Entity.CONTACT: "contact_information/show",
    Entity.COMMUNICATION: "communications/show",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communications/queue/show",
}
LIST = {
    Entity.CONTACT: "contact_information/list",
    Entity.COMMUNICATION: "communications/list",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communications/queue/list",
}
IDENTIFIER = {
    Entity.CONTACT: "contact_information_identifier",
    Entity.COMMUNICATION: "communication_identifier",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communication_queue_identifier",
}
BUILD: dict[Entity, Callable[[dict[str, Any], str], AuditedRecord | None]] = {
    Entity.CONTACT: contacts.contact,
    Entity.COMMUNICATION: mapping.communication,
    Entity.COMMUNICATION_QUEUE_ENTRY: mapping.queue_entry,
}
# Relations are read with their contact (relation_set) and added through it: ``relations``.
ENTITIES = frozenset({*SHOW, Entity.CONTACT_RELATION})
ListKey = tuple[Entity, tuple[tuple[str, str], ...]]
PAGED = frozenset({Entity.CONTACT})  # the one list with paging parameters (seed 003 lines 520-542)
WHAT = {
    Entity.CONTACT: "contact information",
    Entity.COMMUNICATION: "communication",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communication queue entry",
}


class CrmcomBackend(CrmcomPhotoReads):
    def __init__(
        self, api: CrmcomApi, scope: RequestScope, serves_tenant: bool, max_concurrency: int
    ) -> None:
        self.api, self.scope = api, scope
        self.tenant, self.access = scope.tenant, scope.access
        self.serves_tenant = serves_tenant
        self._slots = asyncio.Semaphore(max_concurrency)
        # Where the contacts live when not in this upstream: their row rules hide communications too.
        self.contacts: EntityReader | None = None
        # Where the queue's event log lives (the poller writes it to SQL); set by the wiring.
        self.events: QueueEventLog | None = None
        # fields_set per entity for this request's query (gateway.selection); whole records otherwise.
        self.fields: dict[Entity, tuple[str, ...]] = dict(FIELDS)
        self.holds_contacts = False  # whether the routing file sends contacts here (set by ``bind``)
        # The routed backend's child-to-parent translation (CRM.COM contact ids -> the graph's, where the
        # contacts live elsewhere under other ids); applied here, before the contacts' row rules.
        self.graph_parents: Callable[[Entity, list[AuditedRecord]], Awaitable[list[AuditedRecord]]] | None
        self.graph_parents = None
        self.names_graph_parents = True  # tells the routed backend not to translate these rows again
        self._contact_json: dict[UUID, dict[str, Any]] = {}
        self._written: set[UUID] = set()  # contacts whose _contact_json is a write's answer (see get_many)
        self._communications: dict[UUID, CommunicationRecord] = {}  # read in this request (rules applied)
        # Whole lists read in this request, by method parameters (shared with ``whole_records`` copies,
        # emptied by every write).
        self._lists: dict[
            tuple[Entity, tuple[tuple[str, str], ...]], asyncio.Future[list[AuditedRecord]]
        ] = {}

    def use_selection(self, selection: Selection | None) -> None:
        """Ask CRM.COM only for what the query selects (and what the rules and cursors need)."""
        self.fields = dict(FIELDS) if selection is None else fields_for(selection)

    def whole_records(self) -> CrmcomBackend:
        """The same backend asking for whole records (for writes, which check every field)."""
        whole = copy.copy(self)
        whole.fields = dict(FIELDS)
        return whole

    def bind(self, routed: Any) -> None:
        """Called by the wiring with the request's routed backend: contacts held elsewhere keep their row
        rules over communications, and the queue's event log is the poller's (in SQL)."""
        contacts = routed.backend_for(Entity.CONTACT)
        self.holds_contacts = contacts is self
        self.contacts = None if contacts is self else contacts
        self.events = routed.sql
        self.graph_parents = None if contacts is self else getattr(routed, "graph_parents", None)

    # --- lookups -------------------------------------------------------------------------------------
    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        if entity is Entity.CONTACT_RELATION:
            return self._known_relations(ids)
        wanted = list(dict.fromkeys(ids))
        written = self._written if entity is Entity.CONTACT else set()
        answered = [self._build(entity, self._contact_json[i]) for i in wanted if i in written]
        shown = await self._show_all(entity, [{"id": mapping.crm_id(i)} for i in wanted if i not in written])
        return {record.id: record for record in await self._visible(answered + shown)}

    def _known_relations(self, ids: Sequence[UUID]) -> dict[UUID, AuditedRecord]:
        """CRM.COM has no method that reads a relation by id: those of the contacts read in this request
        (a relation just added, or listed with its contact); any other is refused, not reported missing."""
        wanted = set(ids)
        found = [r for json in self._contact_json.values() for r in relations.relations(json, self.tenant)]
        known: dict[UUID, AuditedRecord] = {record.id: record for record in found if record.id in wanted}
        if len(known) < len(wanted):
            raise UpstreamUnsupported(
                self.api.client.name, "CRM.COM reads relations only with their contact (Contact.relations)"
            )
        return known

    async def _show_all(self, entity: Entity, identifiers: list[dict[str, str]]) -> list[AuditedRecord]:
        self._check(entity)
        if not self.serves_tenant:
            return []
        found = await asyncio.gather(*(self._show(entity, identifier) for identifier in identifiers))
        return [record for record in found if record is not None]

    async def _show(self, entity: Entity, identifier: dict[str, str]) -> AuditedRecord | None:
        key, value = next(iter(identifier.items()))
        params = {IDENTIFIER[entity]: f"{key}={value}", "fields_set": ",".join(self.fields[entity])}
        async with self._slots:
            try:
                data = await self.api.get(SHOW[entity], params)
            except UpstreamError as error:
                if is_not_found(error):
                    return None
                raise
        return self._build(entity, data)

    # --- lists ---------------------------------------------------------------------------------------
    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        return await self._page(entity, query, self._visible)

    async def _page(self, entity: Entity, query: ListQuery, keep: Keep) -> Page[AuditedRecord]:
        self._check(entity)
        if not self.serves_tenant:  # another tenant: nothing, whatever it asks
            return Page([], [], False, False)
        plan = plan_list(entity, query)
        keep = _also_matching(keep, plan)
        if plan.ids is not None or plan.number is not None:
            return await self._page_of_lookups(entity, plan, query)
        if plan.latest is not None:
            rows = await self._latest(entity, plan, query.page.size)
            kept = await keep(rows)
            return Page(kept, [(r.date_created.isoformat(), n) for n, r in enumerate(kept)], False, False)

        async def fetch(offset: int, size: int) -> list[AuditedRecord]:
            return await self._list(entity, plan, offset, size)

        return await fetch_window(Window(query.order, query.page), fetch, keep)

    async def _page_of_lookups(self, entity: Entity, plan: Plan, query: ListQuery) -> Page[AuditedRecord]:
        identifiers = [{"number": plan.number}] if plan.number is not None else []
        identifiers += [{"id": mapping.crm_id(i)} for i in plan.ids or ()]
        records = await self._visible(await self._show_all(entity, identifiers))
        rows = [record for record in records if matches(record, plan.conditions)][: query.page.size or None]
        return Page(rows, [(r.date_created.isoformat(), n) for n, r in enumerate(rows)], False, False)

    async def _list(self, entity: Entity, plan: Plan, offset: int, size: int) -> list[AuditedRecord]:
        params = {**plan.params, "fields_set": ",".join(self.fields[entity])}
        if entity not in PAGED:
            return (await self._whole_list(entity, params))[offset : offset + size]
        params |= {"offset": str(offset), "number_of_results": str(size)}
        async with self._slots:
            data = await self.api.get(LIST[entity], params)
        # An upstream that ignores the paging parameters answers the whole list: cut it here.
        rows = self._build_all(entity, data)
        return rows[offset : offset + size] if len(rows) > size else rows

    async def _whole_list(self, entity: Entity, params: dict[str, str]) -> list[AuditedRecord]:
        """A list method without paging parameters, called once per request and parameter set."""
        key = (entity, tuple(sorted(params.items())))
        if key not in self._lists:
            self._lists[key] = asyncio.ensure_future(self._fetch_whole(entity, params))
        return await asyncio.shield(self._lists[key])

    async def _fetch_whole(self, entity: Entity, params: dict[str, str]) -> list[AuditedRecord]:
        async with self._slots:
            data = await self.api.get(LIST[entity], params)
        return self._build_all(entity, data)

    def forget_lists(self) -> None:
        """After a write: lists read before it are read again when next asked."""
        self._lists.clear()

    async def _latest(self, entity: Entity, plan: Plan, number: int) -> list[AuditedRecord]:
        params = {**plan.params, "number": str(number), "fields_set": ",".join(self.fields[entity])}
        async with self._slots:
            data = await self.api.get(plan.latest or "", params)
        return self._build_all(entity, data)

    def _build_all(self, entity: Entity, data: Any) -> list[AuditedRecord]:
        """A list answer's ``data``: a list of records; one record alone or nothing (null) are read as a
        list of one or none, since the seeds show list answers only as arrays (seed 003 line 585)."""
        items = [] if data is None else [data] if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise self._bad(entity, "a list answer whose data is neither a list nor a record")
        return [self._build(entity, item) for item in items]

    def _bad(self, entity: Entity, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(self.api.client.name, f"CRM.COM answered {what} ({WHAT[entity]})")

    def _build(self, entity: Entity, item: Any) -> AuditedRecord:
        record = BUILD[entity](item, self.tenant) if isinstance(item, dict) else None
        if record is None:
            raise self._bad(entity, "a record the gateway cannot read: no 32-hex id or link it needs")
        if entity is Entity.CONTACT and record is not None:
            self._contact_json[record.id] = item  # its sets are the contact's detail lists
        if isinstance(record, CommunicationRecord):
            self._communications[record.id] = record  # a nested queueEntries needs its media and contact
        return record

    async def contact_json(self, contact_id: UUID) -> dict[str, Any] | None:
        """The contact information as CRM.COM answered it (read now unless this request has it)."""
        if contact_id not in self._contact_json:
            await self.get_many(Entity.CONTACT, [contact_id])
        return self._contact_json.get(contact_id)

    def forget_contact(self, contact_id: UUID) -> None:
        self._contact_json.pop(contact_id, None)
        self._written.discard(contact_id)

    def remember_contact(self, contact_id: UUID, record: dict[str, Any]) -> None:
        """A whole record CRM.COM answered a write with: the contact as it now is, which this request's
        reads of it (the mutation's payload) are answered from instead of showing it again."""
        self._contact_json[contact_id] = record
        self._written.add(contact_id)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        """CRM.COM has no count: the list is read, contacts page by page (``paging.COUNT_PAGE`` rows per
        call), communications and queue entries whole (the same call as their page, once per request)."""
        return await self._count(entity, query, self._visible)

    async def _count(self, entity: Entity, query: ListQuery, keep: Keep) -> int:
        self._check(entity)
        if not self.serves_tenant:
            return 0
        plan = plan_list(entity, query)
        keep = _also_matching(keep, plan)
        if plan.ids is not None or plan.number is not None or plan.latest is not None:
            return len((await self._page(entity, query, keep)).rows)

        async def fetch(offset: int, size: int) -> list[AuditedRecord]:
            return await self._list(entity, plan, offset, size)

        return await count_all(fetch, keep)

    # --- nested lists --------------------------------------------------------------------------------
    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        """Contact communications: one communications/list call per contact (CRM.COM has no batch form),
        concurrently up to ``max_concurrency``; the parents are visible contacts, so only the media rule
        applies. Queue entries of a communication: queue/list by the communication's media and contact."""
        if relation is Relation.CONTACT_RELATIONS:
            return await self._relation_pages(parent_ids, query)
        entity, queries = await self._per_parent(relation, parent_ids, query)
        pages = await asyncio.gather(*(self._page(entity, q, self._media_rule) for q in queries))
        return dict(zip(parent_ids, pages, strict=True))

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        if relation is Relation.CONTACT_RELATIONS:
            pages = await self._relation_pages(parent_ids, query, counting=True)
            return {parent: len(page.rows) for parent, page in pages.items()}
        entity, queries = await self._per_parent(relation, parent_ids, query)
        counts = await asyncio.gather(*(self._count(entity, q, self._media_rule) for q in queries))
        return dict(zip(parent_ids, counts, strict=True))

    async def _relation_pages(
        self, parent_ids: Sequence[UUID], query: ListQuery, *, counting: bool = False
    ) -> dict[UUID, Page[AuditedRecord]]:
        """A contact's relations: its relation_set, from the contact read for it (one show per contact
        not read yet), in CRM.COM's order; filtered here on the conditions a fetched record can check."""
        if not self.holds_contacts:
            raise UpstreamUnsupported(self.api.client.name, "relations are read with CRM.COM contacts only")
        if query.page.after is not None or query.page.before is not None or query.search:
            raise UpstreamUnsupported(self.api.client.name, "CRM.COM relations come in one page")
        conditions = list(flat(query.filter))
        missing = [parent for parent in dict.fromkeys(parent_ids) if parent not in self._contact_json]
        await self.get_many(Entity.CONTACT, missing)
        pages: dict[UUID, Page[AuditedRecord]] = {}
        for parent in parent_ids:
            found = relations.relations(self._contact_json.get(parent, {}), self.tenant)
            rows: list[AuditedRecord] = [r for r in found if matches(r, conditions)]
            size = len(rows) if counting else query.page.size or len(rows)
            keys = [(r.date_created.isoformat(), n) for n, r in enumerate(rows[:size])]
            pages[parent] = Page(rows[:size], keys, len(rows) > size, False)
        return pages

    async def _per_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> tuple[Entity, list[ListQuery]]:
        if relation is Relation.CONTACT_COMMUNICATIONS:
            return Entity.COMMUNICATION, [_with(query, Condition("contact_id", Op.EQ, p)) for p in parent_ids]
        if relation is Relation.COMMUNICATION_QUEUE_ENTRIES:
            return Entity.COMMUNICATION_QUEUE_ENTRY, await self._entry_queries(parent_ids, query)
        raise UpstreamUnsupported(self.api.client.name, f"CRM.COM cannot list {relation.value}")

    async def _entry_queries(self, parent_ids: Sequence[UUID], query: ListQuery) -> list[ListQuery]:
        """queue/list has no communication parameter: scope it by the communication's media and contact
        (known from reading the communications, which the parents were; else read now)."""
        unread = [parent for parent in parent_ids if parent not in self._communications]
        communications = {**(await self.get_many(Entity.COMMUNICATION, unread) if unread else {})}
        communications |= {p: self._communications[p] for p in parent_ids if p in self._communications}
        queries = []
        for parent in parent_ids:
            record = communications.get(parent)
            if not isinstance(record, CommunicationRecord):
                queries.append(_with(query, Condition("id", Op.IN, ())))
                continue
            scope = (
                Condition("media", Op.EQ, record.media),
                Condition("contact_id", Op.EQ, record.contact_id),
            )
            queries.append(_with(query, *scope, Condition("communication_id", Op.EQ, parent)))
        return queries

    # --- rules ---------------------------------------------------------------------------------------
    async def _media_rule(self, records: list[AuditedRecord]) -> list[AuditedRecord]:
        if self.access.admin:
            return records
        held = self.access.permissions
        return [
            r
            for r in records
            if not isinstance(r, CommunicationRecord) or communication_visible(held, r.media, r.direction)
        ]

    async def _visible(self, records: list[AuditedRecord]) -> list[AuditedRecord]:
        """The media rule, then the contacts' row rules (one batched lookup where contacts live elsewhere)."""
        records = await self._media_rule(records)
        if self.contacts is None or not records or not isinstance(records[0], HAS_CONTACT):
            return records
        if self.graph_parents is not None:
            entity = ENTITY_OF[type(records[0])]
            records = await self.graph_parents(entity, records)
        visible = await self.contacts.get_many(Entity.CONTACT, list({_contact(r) for r in records}))
        return [r for r in records if _contact(r) in visible]

    def _check(self, entity: Entity) -> None:
        if entity is Entity.CONTACT_RELATION:
            raise UpstreamUnsupported(self.api.client.name, "CRM.COM lists relations only with their contact")
        if entity not in ENTITIES:
            raise UpstreamUnsupported(self.api.client.name, f"CRM.COM does not hold {entity.value} records")

    # --- what CRM.COM does not have ------------------------------------------------------------------
    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        """A contact's e-mails, phones and addresses: its sets, from the record read for it (one show per
        contact not read yet). Communication references (referring_to) are not read: none are shown."""
        if not self.holds_contacts or detail not in contacts.ANSWER_SETS or not self.serves_tenant:
            return {}
        missing = [owner for owner in dict.fromkeys(owner_ids) if owner not in self._contact_json]
        await self.get_many(Entity.CONTACT, missing)
        return {
            owner: contacts.details(detail, owner, self._contact_json[owner])
            for owner in owner_ids
            if owner in self._contact_json
        }

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> Mapping[Detail, Mapping[UUID, list[Any]]]:
        return await details_kind_by_kind(self, wanted)

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        """contact_information/list by ``phone_number`` (seed 003, from CRM.COM R13)."""
        if not self.holds_contacts:
            raise UpstreamUnsupported(self.api.client.name, "contacts are not routed to CRM.COM")
        query = ListQuery(filter=Condition("phone", Op.EQ, number), page=PageRequest(first=100))
        return [r for r in (await self.page(Entity.CONTACT, query)).rows if isinstance(r, ContactRecord)]

    async def queue_events_after(self, sequence: int, limit: int) -> list[QueueEvent]:
        """The poller's event log (in SQL): see ``gateway.backends.rest.crmcom.poller``."""
        return [] if self.events is None else await self.events.queue_events_after(sequence, limit)

    async def latest_queue_event_sequence(self) -> int:
        return 0 if self.events is None else await self.events.latest_queue_event_sequence()

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        from gateway.backends.rest.crmcom.writer import CrmcomWriter

        return CrmcomWriter.open(self)


def _with(query: ListQuery, *conditions: Condition) -> ListQuery:
    items = (*conditions, query.filter) if query.filter is not None else conditions
    return ListQuery(filter=AllOf(tuple(items)), order=query.order, page=query.page, search=query.search)


def _also_matching(keep: Keep, plan: Plan) -> Keep:
    if not plan.client_side:
        return keep

    async def kept(records: list[AuditedRecord]) -> list[AuditedRecord]:
        return [r for r in await keep(records) if matches(r, plan.client_side)]

    return kept


HAS_CONTACT = (CommunicationRecord, CommunicationQueueEntryRecord)
ENTITY_OF: dict[type, Entity] = {
    CommunicationRecord: Entity.COMMUNICATION,
    CommunicationQueueEntryRecord: Entity.COMMUNICATION_QUEUE_ENTRY,
}


def _contact(record: AuditedRecord) -> UUID:
    assert isinstance(record, CommunicationRecord | CommunicationQueueEntryRecord)
    return record.contact_id

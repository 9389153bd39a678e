"""The backend protocol's reads over ConeCRM: every list, lookup and nested list is one query-builder call.

``POST /api/query-builder/filter/{entity}`` (seed 004) answers every record that matches a
QueryBuilderQuery; lookups by id and nested lists put an ``in`` rule on the id or the parent
reference, so a level of the graph costs one call whatever the number of parents.

Row rules (seed 000 ContactPermission) live in the gateway's SQL ``contact_permissions``: contacts
that come back are filtered with ``RowAccess.sees`` against rules read in one batched statement
(skipped for administrators), before paging and counting, so pages and totals equal SQL's.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote
from uuid import UUID

from gateway.backends.access import ContactRule
from gateway.backends.base import details_kind_by_kind
from gateway.backends.query import AllOf, Condition, FilterExpr, ListQuery, Op, Page
from gateway.backends.records import (
    AuditedRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
)
from gateway.backends.rest.conecrm.api import ConeCrmApi
from gateway.backends.rest.conecrm.details import customer_details
from gateway.backends.rest.conecrm.mapping import PARENT_PATHS, UnreadableRecord, path_values, to_record
from gateway.backends.rest.conecrm.paging import cut, keyset_rules, past
from gateway.backends.rest.conecrm.plain import PlainLists, countable, plain_sort, serves_page
from gateway.backends.rest.conecrm.rules import Rule, compile_filter, group, rule, rule_fields, search_rules
from gateway.backends.rest.errors import UpstreamLimitExceeded, UpstreamRejected, UpstreamUnsupported

log = logging.getLogger(__name__)
LIVE = rule("isDeleted", "=", False)  # only where ConeCRM offers the field (seed 004 BaseRecord)
CUSTOM_FIELD_PREFIX = "customFields."  # the query builder's name of a custom field (seed 004)
# Relations whose link ConeCRM may not filter on: (parent entity, the parent's member list, child entity).
LINK_LISTS = {
    Relation.ACCOUNT_CONTACTS: (Entity.ACCOUNT, "contacts", Entity.CONTACT),
    Relation.CONTACT_ACCOUNTS: (Entity.CONTACT, "accounts", Entity.ACCOUNT),
}


def tasks_only(expr: FilterExpr) -> bool:
    """Whether the filter keeps events of kind TASK only (as the ``tasks`` lists' scope does)."""
    if isinstance(expr, Condition):
        wanted = set(expr.value) if expr.op is Op.IN and isinstance(expr.value, tuple) else {expr.value}
        return expr.field == "kind" and expr.op in (Op.EQ, Op.IN) and wanted == {"TASK"}
    return isinstance(expr, AllOf) and any(tasks_only(item) for item in expr.items)


class ConeCrmReader:
    def __init__(self, api: ConeCrmApi) -> None:
        self.api = api
        self.scope = api.scope
        self.tenant = api.scope.tenant
        self.access = api.scope.access
        self.system = api.system
        self._customers: dict[UUID, dict[str, Any]] = {}  # JSON seen in this request, for details
        self._stages: list[tuple[AuditedRecord, dict[str, Any]]] | None = None
        self.plain = PlainLists(self._plain_call, self._accepted_at, self.system)

    def customer_json(self, record_id: UUID) -> dict[str, Any]:
        """A contact's or account's JSON as read in this request (empty when not read)."""
        return self._customers.get(record_id, {})

    def forget_customer(self, record_id: UUID) -> None:
        self._customers.pop(record_id, None)

    # -- the read primitives ------------------------------------------------------------------------

    async def _filter(
        self, entity: Entity, rules: list[Rule], *, live: bool = True
    ) -> list[tuple[AuditedRecord, dict[str, Any]]]:
        if entity is Entity.STAGE:
            return await self._stage_list()
        catalog = await self.api.catalogs.of(self.api)
        name = catalog.entity(entity)
        if name is None:
            raise UpstreamUnsupported(
                self.system,
                f"{self.system} names no query-builder entity for {entity.value} records "
                "(GET /api/filters; or set options.entities in the routing file)",
            )
        if live and catalog.filterable(entity, "isDeleted"):
            rules = [LIVE, *rules]
        for field in rule_fields(rules):
            # Custom fields are the tenant's own and change at any time: ConeCRM's query builder judges
            # them (an unknown one is its 400), not a catalog learned for every tenant minutes ago.
            if not field.startswith(CUSTOM_FIELD_PREFIX) and not catalog.filterable(entity, field):
                raise UpstreamUnsupported(
                    self.system, f"{self.system} cannot filter {name} records on {field}"
                )
        body = {"query": group("and", rules)}
        answer = await self.api.call("POST", f"/api/query-builder/filter/{name}", json=body)
        data = answer.get("data") if isinstance(answer, dict) else answer
        if not isinstance(data, list):
            raise self._bad(f"{self.system} answered the query builder with an unexpected shape")
        cap = self.api.max_matches
        if len(data) > cap:
            # The query builder has no limit (seed 004 l. 11961-11996): what one answer may hold is capped.
            raise UpstreamLimitExceeded(
                self.system,
                f"{self.system} matched more than {cap} {name} records in one query-builder answer "
                "(it has no limit or paging): narrow the filter, or raise options.max_matches",
                limit=cap,
            )
        return await self._accepted(entity, data, live=live)

    async def _accepted(
        self, entity: Entity, data: list[Any], *, live: bool = True
    ) -> list[tuple[AuditedRecord, dict[str, Any]]]:
        """The records of an answer the caller may see: the tenant's, not deleted, row rules applied."""
        found = [(self._read(entity, item), item) for item in data if self._ours(item)]
        if live:
            found = [(record, item) for record, item in found if not record.is_deleted]
        if entity in (Entity.CONTACT, Entity.ACCOUNT):
            self._customers.update((record.id, item) for record, item in found)
        if entity is Entity.CONTACT:
            found = await self._visible_contacts(found)
        return found

    async def _accepted_at(self, entity: Entity, data: list[Any]) -> list[tuple[int, AuditedRecord]]:
        """``_accepted`` for a plain list's window: each kept record with its place in the answer."""
        place = {id(item): n for n, item in enumerate(data)}
        return [(place[id(item)], record) for record, item in await self._accepted(entity, data)]

    async def _plain_call(self, method: str, path: str, params: dict[str, Any]) -> Any:
        return await self.api.call(method, path, params=params)

    async def _stage_list(self) -> list[tuple[AuditedRecord, dict[str, Any]]]:
        """Stages have no query-builder entity in seed 004: ``GET /api/stage`` (l. 9307) lists them all,
        once per request."""
        if self._stages is None:
            answer = await self.api.call("GET", "/api/stage")
            items = answer.get("data") if isinstance(answer, dict) else answer
            if not isinstance(items, list):
                raise self._bad(f"{self.system} answered GET /api/stage with an unexpected shape")
            self._stages = [(self._read(Entity.STAGE, item), item) for item in items]
        return self._stages

    def _bad(self, message: str) -> UpstreamRejected:
        return UpstreamRejected(self.system, "UPSTREAM_BAD_RESPONSE", message)

    def _read(self, entity: Entity, item: Any) -> AuditedRecord:
        try:
            return to_record(entity, item, self.tenant)
        except UnreadableRecord as problem:
            raise self._bad(f"{self.system}: {problem}") from None

    def _ours(self, item: Any) -> bool:
        """A record that names a tenant (seed 004: tasks, third-party ids) must name the caller's; most
        records name none (the token scopes them) and are the caller's."""
        tenant = item.get("tenant") if isinstance(item, dict) else None
        tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
        if tenant_id is not None and tenant_id != self.tenant:
            log.warning("upstream %s returned a record of another tenant; dropped", self.system)
            return False
        return True

    async def _visible_contacts(self, found: list[Any]) -> list[Any]:
        if self.access.admin or not found or self.scope.sql is None:
            return found
        rules = await self.scope.sql.details(Detail.PERMISSIONS, [record.id for record, _ in found])
        return [
            (record, item)
            for record, item in found
            if self.access.sees(
                record.created_by,
                (ContactRule(entry.owner_only, entry.permission) for entry in rules.get(record.id, [])),
            )
        ]

    def _where(self, entity: Entity, query: ListQuery) -> list[Rule]:
        rules = []
        if query.filter is not None:
            rules.append(compile_filter(entity, query.filter))
        if query.search:
            rules.append(search_rules(entity, query.search))
        if entity is Entity.STAGE and rules:
            raise UpstreamUnsupported(self.system, f"{self.system} cannot filter stages (GET /api/stage)")
        return rules

    async def _past_cursor(
        self, entity: Entity, rules: list[Rule], query: ListQuery
    ) -> list[tuple[AuditedRecord, dict[str, Any]]]:
        """Rows past the cursor: the cursor as rules when ConeCRM can filter on every sort key, else
        all matching rows, the cursor applied here."""
        keyset = keyset_rules(entity, query) if entity is not Entity.STAGE else []
        catalog = await self.api.catalogs.of(self.api) if keyset else None
        if catalog is not None and all(catalog.filterable(entity, f) for f in rule_fields(keyset)):
            return await self._filter(entity, [*rules, *keyset])
        found = await self._filter(entity, rules)
        return [(record, item) for record, item in found if past(entity, record, query)]

    # -- the backend protocol ------------------------------------------------------------------------

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        if not ids:
            return {}
        if entity is Entity.STAGE:
            wanted = set(ids)
            return {record.id: record for record, _ in await self._stage_list() if record.id in wanted}
        rules = [rule("id", "in", list(dict.fromkeys(ids)))]
        found = await self._filter(entity, rules, live=not include_deleted)
        return {record.id: record for record, _ in found}

    async def _servable(self, entity: Entity, query: ListQuery) -> None:
        """An instance whose events entity is named ``task`` holds tasks only (the name says so; seed
        004 gives appointments and follow-ups no other read): a list of events of any kind is refused,
        naming what is missing, rather than answered with the tasks alone."""
        if entity is not Entity.EVENT:
            return
        catalog = await self.api.catalogs.of(self.api)
        if catalog.entity(Entity.EVENT) == "task" and not (query.filter and tasks_only(query.filter)):
            raise UpstreamUnsupported(
                self.system,
                f"{self.system}'s query builder holds tasks only (entity 'task'): "
                "appointments and follow-ups cannot be listed",
            )

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        await self._servable(entity, query)
        sort = plain_sort(entity, query)
        if sort is not None and serves_page(query.page):
            return await self.plain.page(entity, query, sort)
        found = await self._past_cursor(entity, self._where(entity, query), query)
        return cut(entity, [record for record, _ in found], query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        await self._servable(entity, query)
        if countable(entity, query):
            return await self.plain.count(entity, self.api.max_matches)
        return len(await self._filter(entity, self._where(entity, query)))

    async def _children(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery, paged: bool
    ) -> dict[UUID, list[AuditedRecord]]:
        if relation not in PARENT_PATHS:
            raise UpstreamUnsupported(self.system, f"{self.system} has no {relation.value} list")
        entity, path = PARENT_PATHS[relation]
        await self._servable(entity, query)
        wanted = {str(parent): parent for parent in parent_ids}
        catalog = await self.api.catalogs.of(self.api)
        if relation in LINK_LISTS and not catalog.filterable(entity, path):
            return await self._children_from_parent_lists(relation, parent_ids, query, paged)
        rules = [*self._where(entity, query), rule(path, "in", list(wanted))]
        found = await self._past_cursor(entity, rules, query) if paged else await self._filter(entity, rules)
        grouped: dict[UUID, list[AuditedRecord]] = defaultdict(list)
        for record, item in found:
            for parent in dict.fromkeys(path_values(item, path)):
                if parent in wanted:
                    grouped[wanted[parent]].append(record)
        return grouped

    async def _children_from_parent_lists(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery, paged: bool
    ) -> dict[UUID, list[AuditedRecord]]:
        """Account.contacts / Contact.accounts when ConeCRM cannot filter on the link: the parents'
        own lists (seed 004 Account.contacts, Contact.accounts) name the children, read by id: two
        calls per level whatever the number of rows (one when the parents were read in this request)."""
        parent_entity, member, entity = LINK_LISTS[relation]
        unseen = [parent for parent in parent_ids if parent not in self._customers]
        if unseen:
            await self.get_many(parent_entity, unseen)
        members: dict[UUID, list[str]] = {
            parent: [str(v) for v in path_values(self._customers.get(parent, {}), f"{member}.id") if v]
            for parent in parent_ids
        }
        every = list(dict.fromkeys(child for children in members.values() for child in children))
        rules = [*self._where(entity, query), rule("id", "in", every)] if every else None
        found = (
            []
            if rules is None
            else await (self._past_cursor(entity, rules, query) if paged else self._filter(entity, rules))
        )
        by_id = {str(record.id): record for record, _ in found}
        return {parent: [by_id[c] for c in children if c in by_id] for parent, children in members.items()}

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        if not parent_ids:
            return {}
        entity = PARENT_PATHS[relation][0] if relation in PARENT_PATHS else Entity.CONTACT
        grouped = await self._children(relation, parent_ids, query, paged=True)
        return {parent: cut(entity, grouped.get(parent, []), query) for parent in parent_ids}

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        if not parent_ids:
            return {}
        grouped = await self._children(relation, parent_ids, query, paged=False)
        return {parent: len(grouped.get(parent, [])) for parent in parent_ids}

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        if detail in (Detail.PERMISSIONS, Detail.URLS):
            # Row rules and web addresses are seed 000's data about a contact or account, which seed 004
            # has no member for (BaseCustomer l. 12468-12485): the gateway keeps them in SQL, as it does
            # occasions and relations.
            return await self.scope.sql.details(detail, owner_ids) if self.scope.sql is not None else {}
        if detail is Detail.COMMUNICATION_REFERENCES:
            return {}
        missing = [owner for owner in dict.fromkeys(owner_ids) if owner not in self._customers]
        for entity in (Entity.CONTACT, Entity.ACCOUNT):
            if missing:
                await self.get_many(entity, missing, include_deleted=True)
                missing = [owner for owner in missing if owner not in self._customers]
        return {
            owner: customer_details(detail, owner, self._customers[owner])
            for owner in owner_ids
            if owner in self._customers
        }

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> Mapping[Detail, Mapping[UUID, list[Any]]]:
        return await details_kind_by_kind(self, wanted)

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        # GET /api/contact/phone/{phone} (seed 004 l. 5154-5164) answers "Default" with no schema: a
        # list of contacts, one contact, or null/404 for none are all read as such.
        try:
            answer = await self.api.call("GET", f"/api/contact/phone/{quote(number, safe='')}")
        except UpstreamRejected as problem:
            if problem.code == "UPSTREAM_NOT_FOUND":
                return []
            raise
        listed = answer if isinstance(answer, list) else [] if answer is None else [answer]
        items = [item for item in listed if self._ours(item)]
        found = await self._visible_contacts([(self._read(Entity.CONTACT, item), item) for item in items])
        self._customers.update((record.id, item) for record, item in found)
        contacts = sorted(
            (record for record, _ in found), key=lambda record: (record.date_created, record.id)
        )
        return [contact for contact in contacts if isinstance(contact, ContactRecord)][:100]

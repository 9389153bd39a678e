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
from uuid import UUID

from gateway.backends.access import ContactRule
from gateway.backends.base import details_kind_by_kind
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import (
    AuditedRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
)
from gateway.backends.rest.conecrm.api import ConeCrmApi
from gateway.backends.rest.conecrm.details import customer_details
from gateway.backends.rest.conecrm.mapping import FILTER_ENTITIES, PARENT_PATHS, path_values, to_record
from gateway.backends.rest.conecrm.paging import cut, keyset_rules
from gateway.backends.rest.conecrm.rules import Rule, compile_filter, group, json_value, rule, search_rules
from gateway.backends.rest.errors import UpstreamUnavailable, UpstreamUnsupported

log = logging.getLogger(__name__)
LIVE = rule("isDeleted", "=", False)


class ConeCrmReader:
    def __init__(self, api: ConeCrmApi) -> None:
        self.api = api
        self.scope = api.scope
        self.tenant = api.scope.tenant
        self.access = api.scope.access
        self.system = api.system
        self._customers: dict[UUID, dict[str, Any]] = {}  # JSON seen in this request, for details

    # -- the one read primitive ---------------------------------------------------------------------

    async def _filter(self, entity: Entity, rules: list[Rule]) -> list[tuple[AuditedRecord, dict[str, Any]]]:
        name = FILTER_ENTITIES.get(entity)
        if name is None:
            raise UpstreamUnsupported(self.system, f"{self.system} does not hold {entity.value} records")
        body = {"query": group("and", rules)}
        answer = await self.api.call("POST", f"/api/query-builder/filter/{name}", json=body)
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
            raise UpstreamUnavailable(self.system, f"{self.system} answered an unexpected shape")
        found = [(to_record(entity, item), item) for item in answer["data"] if self._ours(item)]
        if entity in (Entity.CONTACT, Entity.ACCOUNT):
            self._customers.update((record.id, item) for record, item in found)
        if entity is Entity.CONTACT:
            found = await self._visible_contacts(found)
        return found

    def _ours(self, item: Any) -> bool:
        """The upstream's own tenant stamp must be the caller's: anything else is dropped and logged."""
        tenant = (item.get("tenant") or {}).get("id") if isinstance(item, dict) else None
        if tenant != self.tenant:
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
        rules = [LIVE]
        if query.filter is not None:
            rules.append(compile_filter(entity, query.filter))
        if query.search:
            rules.append(search_rules(entity, query.search))
        return rules

    # -- the backend protocol ------------------------------------------------------------------------

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        if not ids:
            return {}
        rules = [rule("id", "in", json_value(list(dict.fromkeys(ids))))]
        if not include_deleted:
            rules.append(LIVE)
        return {record.id: record for record, _ in await self._filter(entity, rules)}

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        found = await self._filter(entity, [*self._where(entity, query), *keyset_rules(entity, query)])
        return cut(entity, [record for record, _ in found], query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        return len(await self._filter(entity, self._where(entity, query)))

    async def _children(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery, paged: bool
    ) -> dict[UUID, list[AuditedRecord]]:
        if relation not in PARENT_PATHS:
            raise UpstreamUnsupported(self.system, f"{self.system} has no {relation.value} list")
        entity, path = PARENT_PATHS[relation]
        wanted = {str(parent): parent for parent in parent_ids}
        rules = [*self._where(entity, query), rule(path, "in", list(wanted))]
        found = await self._filter(entity, [*rules, *keyset_rules(entity, query)] if paged else rules)
        grouped: dict[UUID, list[AuditedRecord]] = defaultdict(list)
        for record, item in found:
            for parent in dict.fromkeys(path_values(item, path)):
                if parent in wanted:
                    grouped[wanted[parent]].append(record)
        return grouped

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
        if detail is Detail.PERMISSIONS:
            # Row rules are the gateway's own data about the contact (seed 000), kept in SQL.
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
        # Seed: GET /api/contact/phone/{phone}.
        answer = await self.api.call("GET", f"/api/contact/phone/{number}")
        items = [item for item in answer or [] if self._ours(item) and not item.get("isDeleted")]
        found = await self._visible_contacts([(to_record(Entity.CONTACT, item), item) for item in items])
        self._customers.update((record.id, item) for record, item in found)
        contacts = sorted(
            (record for record, _ in found), key=lambda record: (record.date_created, record.id)
        )
        return [contact for contact in contacts if isinstance(contact, ContactRecord)][:100]

"""Writes ConeCRM's API offers (seed 004); every other write raises ``UpstreamUnsupported``.

Supported: accounts POST/PATCH/DELETE, leads POST and their copy, tasks POST/PATCH/DELETE, stages
POST/PATCH/DELETE. ConeCRM has no contact create/update, no lead update/delete, no restore and no
versions. Each write is one HTTP call that commits on its own: a mutation that fails after it cannot
roll it back. A POST or PATCH is sent once (the client never retries them); an expected version is
checked against the record read just before (ConeCRM has none of its own, so a concurrent change in
between is not seen).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from gateway.backends.base import EntityWriter
from gateway.backends.custom_values import as_text
from gateway.backends.errors import InvalidValue
from gateway.backends.reads_through import ReadsThrough
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.rest.conecrm.bodies import PATHS, body_for, copy_body, customer_fields
from gateway.backends.rest.conecrm.customization import ConeCrmCustomization
from gateway.backends.rest.conecrm.mapping import path_values
from gateway.backends.rest.conecrm.rules import rule
from gateway.backends.rest.errors import UpstreamRejected, UpstreamUnsupported

if TYPE_CHECKING:
    from gateway.backends.rest.conecrm import ConeCrmBackend


class ConeCrmWriter(ReadsThrough):
    def __init__(self, backend: ConeCrmBackend) -> None:
        self.backend = self.reads = backend  # reads inside a "transaction" are the backend's reads
        self.api = backend.api
        self.system = backend.system
        self._created: set[UUID] = set()

    def _unsupported(self, what: str) -> UpstreamUnsupported:
        return UpstreamUnsupported(self.system, f"{self.system} cannot {what}")

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        path = PATHS.get((entity, "POST"))
        if path is None or (entity is Entity.EVENT and values.get("kind", "TASK") != "TASK"):
            raise self._unsupported(f"create {entity.value} records")
        body = body_for(entity, values, creating=True)
        if entity is Entity.LEAD:
            if not body.get("contact"):
                raise UpstreamRejected(
                    self.system,
                    "UPSTREAM_VALIDATION_FAILED",
                    f"{self.system} needs a contact for a lead (LeadCreateRequest)",
                )
            body.update(self._lead_references(values))
            if values.get("custom_fields"):
                body["customFieldValues"] = await self._custom_field_values(values["custom_fields"])
        if entity is Entity.EVENT and not body.get("assignee"):
            raise UpstreamRejected(
                self.system,
                "UPSTREAM_VALIDATION_FAILED",
                f"{self.system} needs an assignee for a task (TaskRequest)",
            )
        return self._created_id(await self.api.call("POST", path, json=body))

    async def copy_lead(self, original_id: UUID, values: Mapping[str, Any]) -> UUID:
        """POST /api/lead/{lead}/copy (seed 004 l. 7557): ConeCRM makes the copy."""
        path = PATHS[(Entity.LEAD, "COPY")].format(id=original_id)
        return self._created_id(await self.api.call("POST", path, json=copy_body(values)))

    def _created_id(self, answer: Any) -> UUID:
        try:
            created = UUID(str(answer["id"]))
        except (TypeError, KeyError, ValueError):
            raise UpstreamRejected(
                self.system, "UPSTREAM_BAD_ANSWER", f"{self.system} did not say what it created"
            ) from None
        self._created.add(created)
        return created

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool:
        path = PATHS.get((entity, "PATCH"))
        if path is None:
            raise self._unsupported(f"update {entity.value} records")
        current = (await self.backend.get_many(entity, [id])).get(id)
        if current is None or (expected_version is not None and current.version != expected_version):
            return False
        body = body_for(entity, values, creating=False)
        if entity is Entity.EVENT:  # TaskRequest requires assignee and title on PATCH too
            whole = {
                f: getattr(current, f, None) for f in ("title", "assignee_id", "type", "note", "start", "end")
            }
            whole.update({f: getattr(current, f, None) for f in ("contact_id", "account_id", "lead_id")})
            body = body_for(entity, {**whole, **values}, creating=False)
        await self.api.call("PATCH", path.format(id=id), json=body)
        return True

    async def _custom_field_values(self, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """LeadCreateRequest ``customFieldValues`` (seed 004 l. 16302-16305): each value as text, its field
        by ConeCRM's id. The graph's values are by field name, checked against ConeCRM's own definitions
        (its customization serves the request when it is configured); one GET maps the names to ids."""
        definitions = await ConeCrmCustomization(self.api).custom_fields("lead")
        ids = {d.field_name: d.id for d in definitions if d.field_name and d.id}
        missing = sorted(name for name in values if name not in ids)
        if missing:  # a definition deleted in ConeCRM since the values were checked
            problem = f"{', '.join(missing)}: no such custom field in {self.system}"
            raise InvalidValue("custom_field_values", problem)
        return [{"field": {"id": ids[name]}, "value": as_text(value)} for name, value in values.items()]

    def _lead_references(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """LeadCreateRequest requires department, source and franchise (seed 004 l. 16280-16301): the
        lead's own when it has them as ids, else ``options.lead_defaults`` of the routing file."""
        defaults = self.api.client.config.options.get("lead_defaults") or {}
        found: dict[str, Any] = {}
        for name, own in (
            ("department", "department_id"),
            ("source", "source"),
            ("franchise", "franchise_id"),
        ):
            value = values.get(own) or defaults.get(name)
            try:
                found[name] = {"id": str(UUID(str(value)))}
            except ValueError:
                raise UpstreamUnsupported(
                    self.system,
                    f"{self.system} requires a lead's {name} as an id: set options.lead_defaults.{name}",
                ) from None
        return found

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool:
        path = PATHS.get((entity, "DELETE"))
        if path is None or not deleted:
            raise self._unsupported(f"{'delete' if deleted else 'restore'} {entity.value} records")
        if not await self._current(entity, id, expected_version):
            return False
        await self.api.call("DELETE", path.format(id=id))
        return True

    async def _current(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        record = (await self.backend.get_many(entity, [id])).get(id)
        return record is not None and (expected_version is None or record.version == expected_version)

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None:
        """An account's e-mails and phones are fields of the account itself: one PATCH sets them."""
        if detail not in (Detail.EMAILS, Detail.PHONES):
            if items:
                raise self._unsupported(f"store {detail.value} lists")
            return
        if not items and owner_id in self._created:
            return
        fields = customer_fields(detail, items)
        if fields is None:
            raise self._unsupported(f"store more {detail.value} than its customer fields hold")
        await self.api.call("PATCH", PATHS[(Entity.ACCOUNT, "PATCH")].format(id=owner_id), json=fields)

    def invalid_value(
        self, entity: Entity, values: Mapping[str, Any], details: Mapping[Detail, Sequence[Mapping[str, Any]]]
    ) -> InvalidValue | None:
        return None

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        return set(await self.backend.get_many(entity, ids))

    async def is_referenced(self, entity: Entity, id: UUID) -> bool:
        if entity is not Entity.STAGE:
            return False
        page = await self.backend._filter(Entity.LEAD, [rule("stage.id", "=", id)])
        return bool(page)

    # An account's contacts are its ``contacts`` list (Account l. 12422; ConeCRM keeps Contact.accounts,
    # l. 12742, as the other side): a link or unlink is one ``PATCH /api/account/{account}`` with the
    # whole list (AccountRequest ``contacts``, l. 2980-3050), after reading the account. The ids are
    # ConeCRM's: where the account lives elsewhere, the routed writer has translated it already.

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        account, contact = self._account_and_contact(relation, parent_id, child_id)
        members = await self._members(account)
        if contact in members:
            return False
        if not await self.backend.get_many(Entity.CONTACT, [contact]):
            raise UpstreamRejected(self.system, "UPSTREAM_NOT_FOUND", f"{self.system} has no such contact")
        await self._set_members(account, [*members, contact])
        return True

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        account, contact = self._account_and_contact(relation, parent_id, child_id)
        members = await self._members(account)
        if contact not in members:
            return False
        await self._set_members(account, [member for member in members if member != contact])
        return True

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]:
        if relation is Relation.ACCOUNT_CONTACTS:
            return set(await self._members(parent_id))
        if relation is Relation.CONTACT_ACCOUNTS:
            customer = await self._customer(Entity.CONTACT, parent_id)
            return {UUID(str(v)) for v in path_values(customer, "accounts.id") if v}
        raise self._unsupported(f"change {relation.value}")

    def _account_and_contact(self, relation: Relation, parent_id: UUID, child_id: UUID) -> tuple[UUID, UUID]:
        if relation is Relation.ACCOUNT_CONTACTS:
            return parent_id, child_id
        if relation is Relation.CONTACT_ACCOUNTS:
            return child_id, parent_id
        raise self._unsupported(f"change {relation.value}")

    async def _customer(self, entity: Entity, record_id: UUID) -> dict[str, Any]:
        """The record's JSON as ConeCRM answers it now (read again: a link may have changed it)."""
        self.backend.forget_customer(record_id)
        if not await self.backend.get_many(entity, [record_id]):
            missing = f"{self.system} has no such {entity.value}"
            raise UpstreamRejected(self.system, "UPSTREAM_NOT_FOUND", missing)
        return self.backend.customer_json(record_id)

    async def _members(self, account: UUID) -> list[UUID]:
        customer = await self._customer(Entity.ACCOUNT, account)
        return [UUID(str(v)) for v in dict.fromkeys(path_values(customer, "contacts.id")) if v]

    async def _set_members(self, account: UUID, members: list[UUID]) -> None:
        body = {"contacts": [{"id": str(member)} for member in members]}
        await self.api.call("PATCH", PATHS[(Entity.ACCOUNT, "PATCH")].format(id=account), json=body)
        self.backend.forget_customer(account)

    async def purge(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        raise self._unsupported(f"purge {entity.value} records")


@asynccontextmanager
async def transaction(writer: ConeCrmWriter) -> AsyncIterator[EntityWriter]:
    yield writer

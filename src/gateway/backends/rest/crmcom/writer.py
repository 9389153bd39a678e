"""Writes to CRM.COM (seed 001): communications/create and update, set_as_viewed, and the queue's
complete, reject and remove. Each is one POST, sent once: CRM.COM has no idempotency key, so a create
that fails in flight is reported, never resent. CRM.COM has no transactions: each call takes effect on
its own. Queue events are not recorded here: the poller sees the upstream's new states and publishes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from gateway.backends.base import QueueEvent
from gateway.backends.query import AllOf, Condition, ListQuery, Op, PageRequest
from gateway.backends.reads_through import ReadsThrough
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.rest.crmcom import contacts, relations
from gateway.backends.rest.crmcom.api import CrmcomError, is_not_found
from gateway.backends.rest.crmcom.mapping import (
    UDF_DATES,
    UDF_FLOATS,
    UDF_STRINGS,
    crm_id,
    graph_id,
    seed_date,
)
from gateway.backends.rest.crmcom.photos import CrmcomPhotoWrites
from gateway.backends.rest.errors import UpstreamError, UpstreamUnavailable, UpstreamUnsupported

if TYPE_CHECKING:
    from gateway.backends.rest.crmcom.backend import CrmcomBackend

PLAIN = (
    "direction",
    "media",
    "subject",
    "content",
    "to",
    "notes",
    "life_cycle_state",
    *UDF_STRINGS,
    *UDF_FLOATS,
)
LINKS = {
    "contact_id": "contact_information_identifier",
    "category_id": "category_identifier",
    "template_id": "template_identifier",
    "external_system_id": "communication_queue_external_system_identifier",
}
QUEUE_METHODS = {
    "COMPLETED": "communications/queue/complete",
    "REJECTED": "communications/queue/reject",
    "COMPLETED_AND_REMOVED": "communications/queue/remove",
}


# Seed 001 create/update take face to face as F2F (lines 177, 491); its list filters say FACE_TO_FACE.
MEDIA_OUT = {"FACE_TO_FACE": "F2F"}


def communication_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """The graph's columns as communications/create or update parameters: only what seed 001 defines,
    in its types (unknown columns and nulls are not sent)."""
    body: dict[str, Any] = {name: values[name] for name in PLAIN if values.get(name) is not None}
    if "media" in body:
        body["media"] = MEDIA_OUT.get(body["media"], body["media"])
    body |= {name: seed_date(values[name]) for name in UDF_DATES if values.get(name) is not None}
    for column, parameter in LINKS.items():
        if values.get(column) is not None:
            body[parameter] = {"id": crm_id(values[column])}
    return body


class _ValueRefused(Exception):
    """CRM.COM's NOT_FOUND for a value an update names (not for the contact itself)."""

    def __init__(self, error: UpstreamError) -> None:
        super().__init__(str(error))
        self.error = error


class CrmcomWriter(CrmcomPhotoWrites, ReadsThrough):
    """Reads inside a transaction are the backend's (whole records); writes CRM.COM has no method for
    are refused."""

    def __init__(self, backend: CrmcomBackend) -> None:
        self.backend = self.reads = backend.whole_records()
        self.system = backend.api.client.name

    @classmethod
    @asynccontextmanager
    async def open(cls, backend: CrmcomBackend) -> AsyncIterator[CrmcomWriter]:
        if not backend.serves_tenant:
            raise UpstreamUnsupported(
                backend.api.client.name, "this CRM.COM upstream does not serve your tenant"
            )
        yield cls(backend)

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        self.backend.forget_lists()
        if entity is Entity.COMMUNICATION_QUEUE_ENTRY:
            return await self._queued_entry(values)
        if entity is Entity.CONTACT_RELATION:
            return await self._added_relation(values)
        if entity is Entity.CONTACT:
            self._refuse_unwritten(values, updating=False)
            data = await self.backend.api.post("contact_information/create", contacts.create_body(values))
            return self._created_id(data)
        if entity is not Entity.COMMUNICATION:
            raise UpstreamUnsupported(self.system, f"CRM.COM cannot create {entity.value} records")
        data = await self.backend.api.post("communications/create", communication_body(values))
        return self._created_id(data)

    async def _added_relation(self, values: Mapping[str, Any]) -> UUID:
        """relation_set's ``add`` on the contact (seed 003 L2200-2205); the answer names the new one."""
        owner = values["contact_id"]
        current = await self.backend.contact_json(owner)
        if current is None:
            raise CrmcomError(self.system, "NOT_FOUND", "contact_information/show")
        try:
            body = relations.added(values)
        except relations.Unsendable as refused:
            raise UpstreamUnsupported(self.system, str(refused)) from None
        data = await self.backend.api.post("contact_information/update", body)
        created = relations.new_relation(current, data)
        if created is None:
            raise UpstreamUnavailable(self.system, "CRM.COM's update answered no new relation")
        self._remember_answer(owner, data)
        return created

    def _created_id(self, data: Any) -> UUID:
        created = graph_id(data.get("id")) if isinstance(data, dict) else None
        if created is None:
            raise UpstreamUnavailable(self.system, "CRM.COM's create answered no 32-hex id")
        return created

    async def _queued_entry(self, values: Mapping[str, Any]) -> UUID:
        """CRM.COM queues an outgoing communication for an external system itself when it is created:
        the graph's "enqueue" finds that entry (queue/list by the communication's media and contact)."""
        scope = (
            Condition("media", Op.EQ, values["media"]),
            Condition("contact_id", Op.EQ, values["contact_id"]),
        )
        query = ListQuery(filter=AllOf(scope), page=PageRequest(first=500))
        page = await self.backend.page(Entity.COMMUNICATION_QUEUE_ENTRY, query)
        for entry in page.rows:
            if getattr(entry, "communication_id", None) == values["communication_id"]:
                return entry.id
        raise UpstreamUnsupported(self.system, "CRM.COM did not queue the communication")

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool:
        """CRM.COM keeps no versions: ``expected_version`` cannot be checked there and is not sent."""
        self.backend.forget_lists()
        try:
            if entity is Entity.COMMUNICATION:
                await self._update_communication(id, values)
            elif entity is Entity.COMMUNICATION_QUEUE_ENTRY:
                await self._change_entry(id, values)
            elif entity is Entity.CONTACT:
                await self._update_contact(id, values)
            else:
                raise UpstreamUnsupported(self.system, f"CRM.COM cannot change {entity.value} records")
        except _ValueRefused as refused:
            raise refused.error from None
        except UpstreamError as error:
            if is_not_found(error):
                return False
            raise
        return True

    async def _update_communication(self, id: UUID, values: Mapping[str, Any]) -> None:
        identifier = {"communication_identifier": {"id": crm_id(id)}}
        if values.get("viewed"):
            viewed_on = values.get("viewed_on")
            extra = {"viewed_on": seed_date(viewed_on)} if viewed_on is not None else {}
            await self.backend.api.post("communications/set_as_viewed", identifier | extra)
            return
        body = communication_body({k: v for k, v in values.items() if k not in ("viewed", "viewed_on")})
        await self.backend.api.post("communications/update", identifier | body)

    async def _change_entry(self, id: UUID, values: Mapping[str, Any]) -> None:
        method = QUEUE_METHODS.get(str(values.get("life_cycle_state")))
        if method is None:
            raise UpstreamUnsupported(
                self.system, "CRM.COM can only complete, reject or remove queue entries"
            )
        body: dict[str, Any] = {"communication_queue_identifier": {"id": crm_id(id)}}
        if method.endswith("reject"):
            body |= {
                "error_code": values.get("error_code"),
                "error_description": values.get("error_description"),
            }
        await self.backend.api.post(method, body)

    def invalid_value(self, entity: Entity, values: Mapping[str, Any], details: Any) -> None:
        """CRM.COM checks its own values when the call is made; nothing to check ahead of it."""
        return None

    def _refuse_unwritten(self, values: Mapping[str, Any], *, updating: bool) -> None:
        names = contacts.unwritten(values, updating=updating)
        if names:
            listed = ", ".join(names)
            raise UpstreamUnsupported(self.system, f"CRM.COM's contact_information cannot take {listed}")

    async def _update_contact(self, id: UUID, values: Mapping[str, Any]) -> None:
        """Seed 003's update has no ``type`` parameter (lines 2633-3350): a contact's kind is not changed.
        A NOT_FOUND answer is the contact's only when the contact is gone: an unknown category, group,
        privacy level, country or industry is CRM.COM's refusal of that value."""
        self._refuse_unwritten(values, updating=True)
        current = await self.backend.contact_json(id)
        if current is None:
            raise CrmcomError(self.system, "NOT_FOUND", "contact_information/show")
        if values.get("kind") is not None and current.get("type") not in (None, values["kind"]):
            raise UpstreamUnsupported(self.system, "CRM.COM cannot change a contact's type")
        body = contacts.update_body(values, current)
        if not body:
            return  # nothing CRM.COM keeps changes (the sets follow as their own update)
        identifier = {"contact_information_identifier": {"id": crm_id(id)}}
        self.backend.forget_contact(id)
        try:
            answer = await self.backend.api.post("contact_information/update", identifier | body)
        except UpstreamError as error:
            raise _ValueRefused(error) if is_not_found(error) else error from None
        self._remember_answer(id, answer)

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None:
        """A contact's e-mails, phones and addresses become seed 003's set actions against its current
        sets (one show, then one update). ThirdPartyIds, row rules and communication references
        (referring_to) are not written to CRM.COM."""
        if detail not in contacts.REQUEST_SETS:
            if items:
                raise UpstreamUnsupported(
                    self.system, f"the gateway does not write {detail.value} to CRM.COM"
                )
            return
        current = await self.backend.contact_json(owner_id)
        if current is None:
            raise UpstreamUnsupported(self.system, "CRM.COM has no such contact information")
        try:
            actions = contacts.set_actions(detail, current, items)
        except contacts.Unsendable as refused:
            raise UpstreamUnsupported(self.system, str(refused)) from None
        if actions:
            self.backend.forget_lists()
            body = {
                "contact_information_identifier": {"id": crm_id(owner_id)},
                contacts.REQUEST_SETS[detail]: actions,
            }
            self.backend.forget_contact(owner_id)
            answer = await self.backend.api.post("contact_information/update", body)
            self._remember_answer(owner_id, answer)

    def _remember_answer(self, contact_id: UUID, answer: Any) -> None:
        """An update answers the whole contact as it now is (L3414-3706): what the mutation's payload,
        or the next set's actions, read, without showing the contact again."""
        if isinstance(answer, dict) and graph_id(answer.get("id")) == contact_id:
            self.backend.remember_contact(contact_id, answer)

    async def record_queue_events(self, entry_ids: Sequence[UUID], kind: str) -> None:
        """Nothing to record: the poller publishes what CRM.COM's queue shows changed."""

    @property
    def recorded_queue_events(self) -> list[QueueEvent]:
        return []

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot delete or restore {entity.value} records")

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot change {relation.value}")

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot change {relation.value}")

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot change {relation.value}")

    async def is_referenced(self, entity: Entity, id: UUID) -> bool:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot delete {entity.value} records")

    async def purge(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        raise UpstreamUnsupported(self.system, f"CRM.COM cannot purge {entity.value} records")

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        return set(await self.backend.get_many(entity, ids))

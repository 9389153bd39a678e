"""The actions an automation's nodes take, by node type: a registry, so that an action plugs in by
registering (``register``). Each action checks its node's ``data`` when the definition is saved and
runs in the transaction of the event's run, on the SQL writer: its writes record trigger events one
step deeper in the causal chain, like any other write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from gateway.automations.values import as_uuid
from gateway.backends.automations import AutomationEvent
from gateway.backends.base import RecordWriter
from gateway.backends.customization import Automation
from gateway.backends.outgoing import completion_values, enqueue_if_sent, next_number
from gateway.backends.records import CommunicationRecord, Detail, Entity, Relation
from gateway.ids import utcnow
from gateway.pubsub import communication_created_message
from gateway.tags import MAX_TAGS_PER_CALL, link_tags, tag_ids_by_key, value_key, value_problem

MAX_TEXT = 255
MAX_HOURS = 24 * 366 * 10  # a due date up to ten years ahead
# The graph type of each id a node's data names (a global ID of another type is refused).
ID_TYPES = {
    "userId": "User",
    "assigneeId": "User",
    "stageId": "Stage",
    "externalSystemId": "CommunicationQueueExternalSystem",
}


class ActionFailed(Exception):
    """An action could not be done; the run is recorded as FAILED with ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ActionContext:
    writer: RecordWriter
    automation: Automation
    event: AutomationEvent
    actor: str  # written into createdBy / modifiedBy: "automation:<id>"
    lead_id: UUID | None  # the lead of the triggering record (itself, or a task's lead)
    contact_id: UUID | None  # the contact of the triggering record
    account_id: UUID | None = None  # the organization of the triggering record
    done: list[dict[str, str | None]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)  # to publish once the run committed


Check = Callable[[dict[str, Any]], str | None]  # the problem with a node's data, or None
Run = Callable[[ActionContext, dict[str, Any]], Awaitable[UUID | None]]  # the record it wrote


@dataclass(frozen=True)
class Action:
    check: Check
    run: Run
    # The graph type of the record it wrote, when its data decides it (addTag: Contact or Account).
    record_type: Callable[[dict[str, Any]], str] | None = None


ACTIONS: dict[str, Action] = {}


def register(name: str, action: Action) -> None:
    """Make ``name`` a node type automations may use."""
    ACTIONS[name] = action


# -- checks ------------------------------------------------------------------------------------------------


def _texts(data: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT):
            return f"data.{name} is text of 1 to {MAX_TEXT} characters."
    return None


def _ids(data: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = ()) -> str | None:
    for name in (*required, *optional):
        value = data.get(name)
        if value is None:
            if name in required:
                return f"data.{name} is required: an ID."
            continue
        try:
            as_uuid(value if isinstance(value, str) else None, ID_TYPES[name])
        except ValueError:
            return f"data.{name} is not the ID of a {ID_TYPES[name]}."
    return None


def _check_task(data: dict[str, Any]) -> str | None:
    hours = data.get("dueInHours")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours <= MAX_HOURS
    ):
        return f"data.dueInHours is a number of hours, 0 to {MAX_HOURS}."
    return _texts(data, "title", "type") or _ids(data, (), ("assigneeId",))


def _check_send(data: dict[str, Any]) -> str | None:
    content = data.get("content")
    if content is not None and (not isinstance(content, str) or not content.strip()):
        return "data.content is text."
    return _texts(data, "to", "subject") or _ids(data, (), ("externalSystemId",))


TAG_OWNERS = {"contact": "Contact", "account": "Account"}  # addTag's data.on -> the graph type


def _tag_values(data: dict[str, Any]) -> list[str]:
    """addTag's ``data.tags``: one text or a list of them."""
    tags = data.get("tags")
    return [tags] if isinstance(tags, str) else tags if isinstance(tags, list) else []


def _check_tags(data: dict[str, Any]) -> str | None:
    values = _tag_values(data)
    if not values or len(values) > MAX_TAGS_PER_CALL:
        return f"data.tags is a tag (text) or a list of 1 to {MAX_TAGS_PER_CALL} tags."
    for value in values:
        if not isinstance(value, str) or not value.strip():
            return "data.tags holds tags: text that is not blank."
        problem = value_problem(value)
        if problem is not None:
            return f"data.tags: {problem}"
    if not isinstance(data.get("on", "contact"), str) or data.get("on", "contact") not in TAG_OWNERS:
        return 'data.on is "contact" (the default) or "account": whom the tags go to.'
    return None


# -- runs ---------------------------------------------------------------------------------------------------


async def _existing(context: ActionContext, entity: Entity, value: Any, name: str) -> UUID:
    record_id = as_uuid(value, ID_TYPES[name])
    if not await context.writer.existing_ids(entity, [record_id]):
        raise ActionFailed("NOT_FOUND", f"data.{name} names no {entity.value} of the tenant.")
    return record_id


def _lead(context: ActionContext) -> UUID:
    if context.lead_id is None:
        raise ActionFailed("NO_LEAD", "The triggering record has no lead to act on.")
    return context.lead_id


async def _create_task(context: ActionContext, data: dict[str, Any]) -> UUID:
    values: dict[str, Any] = {
        "kind": "TASK",
        "title": data.get("title") or context.automation.name or "Task",
        "type": data.get("type"),
        "note": data.get("note"),
        "lead_id": context.lead_id,
        "contact_id": context.contact_id,
        "from_automation": True,
    }
    if data.get("dueInHours") is not None:
        values["start"] = utcnow() + timedelta(hours=float(data["dueInHours"]))
    if data.get("assigneeId") is not None:
        values["assignee_id"] = await _existing(context, Entity.USER, data["assigneeId"], "assigneeId")
    return await context.writer.insert(Entity.EVENT, values, context.actor)


async def _assign_user(context: ActionContext, data: dict[str, Any]) -> UUID:
    lead = _lead(context)
    user = await _existing(context, Entity.USER, data["userId"], "userId")
    await context.writer.link(Relation.LEAD_ASSIGNEES, lead, user)
    return lead


async def _move_lead(context: ActionContext, data: dict[str, Any]) -> UUID:
    lead = _lead(context)
    stage = await _existing(context, Entity.STAGE, data["stageId"], "stageId")
    if not await context.writer.update(Entity.LEAD, lead, {"stage_id": stage}, context.actor, None):
        raise ActionFailed("NOT_FOUND", "The lead is gone.")
    return lead


async def _add_tags(context: ActionContext, data: dict[str, Any]) -> UUID:
    """The tags on the record's contact or organization (``data.on``), created in the catalogue when
    missing, as ``tagAssign`` does."""
    entity, owner = (
        (Entity.CONTACT, context.contact_id)
        if data.get("on", "contact") == "contact"
        else (Entity.ACCOUNT, context.account_id)
    )
    if owner is None:
        code = "NO_CONTACT" if entity is Entity.CONTACT else "NO_ACCOUNT"
        raise ActionFailed(code, f"The triggering record has no {TAG_OWNERS[data.get('on', 'contact')]}.")
    if not await context.writer.existing_ids(entity, [owner]):
        raise ActionFailed("NOT_FOUND", f"The record's {entity.value} is gone.")
    values = {value_key(value): value for value in _tag_values(data)}
    tags = await tag_ids_by_key(context.writer, values, context.actor, create=True)
    await link_tags(context.writer, entity, owner, list(tags.values()))
    return owner


def _send(media: str) -> Run:
    async def send(context: ActionContext, data: dict[str, Any]) -> UUID:
        """An outgoing COMPLETED communication to the record's contact, queued for its external system
        (as ``communicationCreate`` queues one)."""
        if context.contact_id is None:
            raise ActionFailed("NO_CONTACT", "The triggering record has no contact to write to.")
        recipient = data.get("to") or await _address(context, media)
        name = context.automation.name or media
        values: dict[str, Any] = {
            "direction": "OUTGOING",
            "media": media,
            "subject": data.get("subject") or name,
            "content": data.get("content") or name,
            "to": recipient,
            "contact_id": context.contact_id,
            **completion_values(),
        }
        if data.get("externalSystemId") is not None:
            system = await _existing(
                context,
                Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM,
                data["externalSystemId"],
                "externalSystemId",
            )
            values["external_system_id"] = system
        values["number"] = await next_number(context.writer)
        record_id = await context.writer.insert(Entity.COMMUNICATION, values, context.actor)
        created = (await context.writer.get_many(Entity.COMMUNICATION, [record_id]))[record_id]
        assert isinstance(created, CommunicationRecord)
        await enqueue_if_sent(context.writer, context.actor, created)
        context.messages.append(communication_created_message(created))
        return record_id

    return send


async def _address(context: ActionContext, media: str) -> str:
    """The contact's first e-mail address (EMAIL) or phone number (SMS)."""
    assert context.contact_id is not None
    detail = Detail.EMAILS if media == "EMAIL" else Detail.PHONES
    found = (await context.writer.details(detail, [context.contact_id])).get(context.contact_id, [])
    if not found:
        raise ActionFailed(
            "NO_RECIPIENT", f"The contact has no {'e-mail address' if media == 'EMAIL' else 'phone'}."
        )
    first = found[0]
    return str(first.email if media == "EMAIL" else first.number)


register("createTask", Action(_check_task, _create_task))
register("assignUser", Action(lambda data: _ids(data, ("userId",)), _assign_user))
register("moveLeadToStage", Action(lambda data: _ids(data, ("stageId",)), _move_lead))
register("sendEmail", Action(_check_send, _send("EMAIL")))
register("sendSms", Action(_check_send, _send("SMS")))
register("addTag", Action(_check_tags, _add_tags, lambda data: TAG_OWNERS[data.get("on", "contact")]))

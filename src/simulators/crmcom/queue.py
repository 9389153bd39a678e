"""communications/queue/show, list, get_latest, complete, reject, remove, get_pending_completed (seed 001)."""

from __future__ import annotations

from simulators.crmcom import codes
from simulators.crmcom.handlers import ApiError, Call, Json, linked_id
from simulators.crmcom.messages import MEDIA
from simulators.crmcom.store import now_text

STATES = ("PENDING", "REJECTED", "COMPLETED", "COMPLETED_AND_REMOVED")


async def show(call: Call) -> Json:
    identifier = call.identifier("communication_queue")
    assert identifier is not None
    return call.find(call.org.queue, "communication queue entry", identifier)


def _scoped(call: Call) -> list[Json]:
    """ "It is mandatory to specify one of the semi-optional parameters. Only one of those parameters is
    allowed to be specified": communication_queue_external_system_identifier or media."""
    system = call.identifier("communication_queue_external_system", mandatory=False)
    media = call.text("media", allowed=MEDIA)
    if (system is None) == (media is None):
        scope = "give one of communication_queue_external_system_identifier and media"
        raise ApiError(codes.MANDATORY_FIELD_MISSING, scope)
    contact = call.identifier("contact_information", mandatory=False)
    system_id = str(system.get("id", "")).upper() if system else None
    contact_id = str(contact.get("id", "")).upper() if contact else None
    return [
        row
        for row in call.org.queue.values()
        if system_id in (None, linked_id(row, "communication_queue_external_system"))
        and media in (None, row["media"])
        and contact_id in (None, linked_id(row, "contact_information"))
    ]


async def list_entries(call: Call) -> list[Json]:
    state = call.text("life_cycle_state", allowed=STATES)
    # seed 001 gives queue/list no paging parameters (lines 920-988)
    return [row for row in _scoped(call) if state in (None, row["life_cycle_state"])]


async def get_latest(call: Call) -> list[Json]:
    """ "The number of communications to be retrieved from the queue, starting from the latest one"."""
    number = call.number("number", mandatory=True)
    return list(reversed(_scoped(call)))[:number]


async def get_pending_completed(call: Call) -> list[Json]:
    """The latest PENDING and COMPLETED entries, newest first; ``number`` is optional here."""
    number = call.number("number", default=10)
    rows = [row for row in reversed(_scoped(call)) if row["life_cycle_state"] in ("PENDING", "COMPLETED")]
    return rows[:number]


async def complete(call: Call) -> Json:
    entry = _pending(await show(call))
    return call.store.set_queue_state(call.organisation, entry["id"], "COMPLETED", completed_on=now_text())


async def reject(call: Call) -> Json:
    entry = _pending(await show(call))
    error_code = call.text("error_code", mandatory=True)
    error_description = call.text("error_description", mandatory=True)
    return call.store.set_queue_state(
        call.organisation, entry["id"], "REJECTED", error_code=error_code, error_description=error_description
    )


async def remove(call: Call) -> Json:
    """ "set the life cycle state of a communication queue to Completed and Removed"."""
    entry = await show(call)
    if entry["life_cycle_state"] != "COMPLETED":
        raise ApiError(codes.INVALID_LIFE_CYCLE_STATE, "only a COMPLETED entry can be removed")
    return call.store.set_queue_state(call.organisation, entry["id"], "COMPLETED_AND_REMOVED")


def _pending(entry: Json) -> Json:
    if entry["life_cycle_state"] != "PENDING":
        raise ApiError(codes.INVALID_LIFE_CYCLE_STATE, "the entry is not PENDING")
    return entry


QUEUE_ROUTES = (
    ("communications/queue/show", "GET", show),
    ("communications/queue/list", "GET", list_entries),
    ("communications/queue/get_latest", "GET", get_latest),
    ("communications/queue/get_pending_completed", "GET", get_pending_completed),
    ("communications/queue/complete", "POST", complete),
    ("communications/queue/reject", "POST", reject),
    ("communications/queue/remove", "POST", remove),
)

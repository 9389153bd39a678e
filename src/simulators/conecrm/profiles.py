"""Readings of seed 004 where the seed allows more than one, chosen with ``--profile``.

Each profile is a legal reading of the same document; a connector that works against only one of them
depends on something the seed does not say:

- ``GET /api/contact/phone/{phone}`` (seed 004 l. 5154-5164) documents only a "Default" answer with no
  schema: ``lists`` answers ``[Contact]`` (empty when none), ``objects`` answers one ``Contact`` (the
  earliest match) or 404 ``{error}``.
- Query-builder entity names (l. 8581-8600: ``{entity}`` "the name of the entity", never listed):
  ``lists`` calls events ``task`` (tasks only), ``objects`` calls them ``event`` (tasks, appointments and
  follow-ups, told apart by ``dtype``); both call leads ``lead``. Stages have no query-builder entity in
  either (the seed gives them ``GET /api/stage``, l. 9307).
- Which fields are filterable (``GET /api/filters/{entity}`` l. 6453, ``/api/query-builder/config``
  l. 8440 list them; the seed fixes none): ``lists`` offers the references through lists
  (``accounts.id`` on contacts, ``contacts.id`` on accounts) and third-party ids; ``objects`` offers
  only the records' own scalar fields and single references (``contact.id`` ...).
- ``errors`` of a refused lead: the lead 400 (l. 6818-6821) says ``errors: object``, the shared
  ValidationError (l. 16124-16128) says ``errors: [string]``: ``objects`` answers the former
  (``{field: message}``), ``lists`` the latter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    phone_answer: str  # "list" | "object"
    event_entity: str  # query-builder name of events: "task" | "event"
    event_dtypes: tuple[str, ...]  # which events that entity serves
    link_fields: bool  # accounts.id / contacts.id / thirdPartyIds.* filterable
    errors_shape: str  # "list" | "object"


PROFILES = {
    "lists": Profile("lists", "list", "task", ("Task",), True, "list"),
    "objects": Profile("objects", "object", "event", ("Task", "Appointment", "FollowUp"), False, "object"),
}
DEFAULT_PROFILE = "lists"


def profile(name: str) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown ConeCRM simulator profile {name!r}: one of {', '.join(PROFILES)}")
    return PROFILES[name]

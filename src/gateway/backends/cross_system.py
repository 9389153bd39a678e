"""Relations across systems: a parent in one system, its children in another (e.g. contacts in SQL,
their communications in CRM.COM), linked through the parent's ThirdPartyIds (seed 004).

MINIMUM VERSION added on the crmcom branch; rest-platform builds the platform's own.

A parent's id in the child system is the ``thirdPartyId`` of its ThirdPartyId whose ``systemName`` is
the child system's ``system_name`` (read as a UUID: 32 hex digits or the dashed form). A parent without
one is looked up under its own id, for systems that share ids with the gateway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from gateway.backends.base import Backend
from gateway.backends.records import Detail, ThirdPartyIdRecord

T = TypeVar("T")


async def ids_in_system(parents: Backend, parent_ids: Sequence[UUID], system_name: str) -> dict[UUID, UUID]:
    """Each parent's id in the system named ``system_name`` (one details call for all parents)."""
    links = await parents.details(Detail.THIRD_PARTY_IDS, parent_ids)
    translated: dict[UUID, UUID] = {}
    for parent in parent_ids:
        translated[parent] = parent
        for link in links.get(parent, []):
            linked = _uuid(link.third_party_id) if isinstance(link, ThirdPartyIdRecord) else None
            if linked is not None and link.system_name == system_name:
                translated[parent] = linked
                break
    return translated


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def by_parent_across(
    parents: Backend,
    parent_ids: Sequence[UUID],
    system_name: str,
    load: Callable[[list[UUID]], Awaitable[Mapping[UUID, T]]],
    empty: Callable[[], T],
) -> dict[UUID, T]:
    """``load`` keyed by the child system's ids, answered by the parents' own ids."""
    translated = await ids_in_system(parents, parent_ids, system_name)
    found: Mapping[UUID, Any] = await load(list(dict.fromkeys(translated.values())))
    return {parent: found.get(translated[parent], empty()) for parent in parent_ids}

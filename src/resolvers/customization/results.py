"""Saved filters that run: ``savedFilter(id) { results(first, after) }`` pages the rows of the filter's
module that its query (seed 004 QueryBuilderQuery, the saved ``value``) matches.

The query runs as the root list of the module would run it with ``query:`` (``common/query_builder.py``):
the same backend, row rules, batching of nested levels and cursors. Reading the results needs the
module's read permission besides the saved filter's own (CRM_SEARCH_ALL). A saved filter whose module
has no list, or whose value is no query the list accepts, answers the coded error of the query builder.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry

from gateway.errors import InvalidFilter
from resolvers.common.lists import root_page, with_filter
from resolvers.common.listspec import ListSpec, list_query
from resolvers.common.permissions import READ_PERMISSIONS, require
from resolvers.common.query_builder import CATALOG_NAMES, builder_filter
from resolvers.lists import (
    ACCOUNT_LIST,
    COMMUNICATION_CATEGORY_LIST,
    COMMUNICATION_LIST,
    COMMUNICATION_QUEUE_ENTRY_LIST,
    COMMUNICATION_QUEUE_EXTERNAL_SYSTEM_LIST,
    COMMUNICATION_TEMPLATE_LIST,
    CONTACT_LIST,
    EVENT_LIST,
    LEAD_LIST,
    STAGE_LIST,
    USER_LIST,
)

_LISTS: tuple[ListSpec, ...] = (
    CONTACT_LIST,
    ACCOUNT_LIST,
    LEAD_LIST,
    EVENT_LIST,
    STAGE_LIST,
    USER_LIST,
    COMMUNICATION_LIST,
    COMMUNICATION_QUEUE_ENTRY_LIST,
    COMMUNICATION_CATEGORY_LIST,
    COMMUNICATION_TEMPLATE_LIST,
    COMMUNICATION_QUEUE_EXTERNAL_SYSTEM_LIST,
)
LISTS_BY_MODULE = {CATALOG_NAMES[spec.entity]: spec for spec in _LISTS}
SavedFilterResults = Annotated[  # type: ignore[valid-type]
    Union[tuple(spec.resolved_connection for spec in _LISTS)],  # type: ignore[misc]  # noqa: UP007
    strawberry.union(
        "SavedFilterResults",
        description="A page of the rows a saved filter matches: the connection of its module's list.",
    ),
]


async def saved_filter_results(
    info: strawberry.Info, module: str | None, value: Any, paging: dict[str, Any]
) -> Any:
    spec = LISTS_BY_MODULE.get(module or "")
    if spec is None:
        raise InvalidFilter(f"the module {str(module)[:40]!r} has no list to run a saved filter on")
    require(info, READ_PERMISSIONS[spec.entity])
    query = list_query(info, spec, paging, None, None, None)
    return await root_page(info, spec, with_filter(query, await builder_filter(info, spec.entity, value)))

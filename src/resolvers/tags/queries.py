"""Tag queries: the tenant's catalogue with usage counts."""

from __future__ import annotations

import strawberry

from resolvers.common.lists import root_list
from resolvers.lists import TAG_LIST


@strawberry.type
class TagQuery:
    tags = root_list(
        TAG_LIST, "The tenant's tags, filtered, sorted and paged; `usageCount` says how many carry each."
    )

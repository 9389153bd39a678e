"""The paging arguments every connection field takes (Relay: first/after, last/before)."""

from typing import Annotated

import strawberry

FIRST = Annotated[int | None, strawberry.argument(description="Return the first n rows (after `after`).")]
AFTER = Annotated[str | None, strawberry.argument(description="Start after the row with this cursor.")]
LAST = Annotated[int | None, strawberry.argument(description="Return the last n rows (before `before`).")]
BEFORE = Annotated[str | None, strawberry.argument(description="End before the row with this cursor.")]

"""The JSON of a planned statement, shaped into the response the resolvers would give.

The statement returns column values as the database holds them; what the resolvers compute from
them (global ids, cursors, date-times as Strawberry prints them, SQLite's 0/1 booleans) is computed
here with the resolvers' own functions, so the two answers are the same strings.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from gateway.planner import plan as planned
from resolvers.common.cursor import encode_cursor
from resolvers.common.ids import encode_global_id


def connection(plan: planned.ConnectionPlan, value: dict[str, Any]) -> dict[str, Any]:
    rows = value[planned.ROWS]
    size = plan.query.page.size
    has_next = len(rows) > size
    rows = rows[:size]
    cursors = [_cursor(plan, row) for row in rows] if plan.needs_keys else []
    node = plan.node
    out: dict[str, Any] = {}
    for key, (name, part) in plan.fields:
        if name == "__typename":
            out[key] = part.value
        elif name == "totalCount":
            out[key] = value[planned.COUNT]
        elif name == "nodes":
            assert node is not None
            out[key] = [row_object(node, row) for row in rows]
        elif name == "edges":
            out[key] = [_edge(part, node, row, cursors[i] if cursors else None) for i, row in enumerate(rows)]
        else:
            out[key] = _page_info(part, plan, has_next, cursors)
    return out


def _edge(parts: list[tuple[str, Any]], node: _Rows | None, row: Any, cursor: str | None) -> Any:
    edge: dict[str, Any] = {}
    for key, part in parts:
        if isinstance(part, planned.Constant):
            edge[key] = part.value
        elif part == "cursor":
            edge[key] = cursor
        else:
            assert node is not None
            edge[key] = row_object(node, row)
    return edge


def _page_info(
    parts: list[tuple[str, Any]], plan: planned.ConnectionPlan, has_next: bool, cursors: list[str]
) -> dict[str, Any]:
    values = {
        "hasNextPage": has_next,
        "hasPreviousPage": plan.query.page.after is not None,
        "startCursor": cursors[0] if cursors else None,
        "endCursor": cursors[-1] if cursors else None,
    }
    return {key: part.value if isinstance(part, planned.Constant) else values[part] for key, part in parts}


def root(plan: planned.ConnectionPlan | planned.ObjectRootPlan, value: dict[str, Any]) -> Any:
    """A root field's answer from its statement's JSON."""
    if isinstance(plan, planned.ObjectRootPlan):
        return root_object(plan, value)
    return connection(plan, value)


def root_object(plan: planned.ObjectRootPlan, value: dict[str, Any]) -> dict[str, Any] | None:
    """A lookup by id: its object, or null when no visible row has that id."""
    row = value[planned.VALUE]
    return row_object(plan.node, row) if row is not None else None


_Rows = planned.ObjectPlan | planned.VariantPlan


def row_object(plan: _Rows, row: dict[str, Any]) -> dict[str, Any] | None:
    """A row's object; for rows of several types, the one its kind names (null for a kind the
    lookup does not answer; a kind no type has is the resolvers' to report)."""
    if isinstance(plan, planned.ObjectPlan):
        return obj(plan, row)
    kind = row[planned.VARIANT]
    variant = plan.variants.get(kind)
    if variant is not None:
        return obj(variant, row[planned.VALUE])
    if kind in plan.nulls:
        return None
    raise LookupError(f"no type for a row of kind {kind!r}")


def obj(plan: planned.ObjectPlan, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, (key, part) in enumerate(plan.fields):
        if isinstance(part, planned.Constant):
            out[key] = part.value
            continue
        value = row[planned.slot(index)]
        if isinstance(part, planned.Leaf):
            out[key] = _leaf(part.kind, value, plan.type_name)
        elif isinstance(part, planned.Computed):
            out[key] = _computed(part, value)
        elif isinstance(part, planned.DetailPlan):
            out[key] = [obj(part.node, item) for item in value]
        elif isinstance(part, planned.LinkPlan):
            out[key] = obj(part.node, value) if value is not None else None
        else:
            out[key] = connection(part, value)
    return out


class _Row:
    """What a computed field's resolver reads: ``self.record``, holding the columns it declared."""

    __slots__ = ("record",)

    def __init__(self, record: SimpleNamespace) -> None:
        self.record = record


_RESULTS = {"str": str, "int": int, "bool": bool}


def _computed(part: planned.Computed, values: list[Any]) -> Any:
    held = {
        name: bool(value) if kind == "bool" and value is not None else value
        for name, kind, value in zip(part.columns, part.kinds, values, strict=True)
    }
    result = part.function(_Row(SimpleNamespace(**held)))
    if type(result) is not _RESULTS[part.result]:  # a value GraphQL would coerce: the resolvers answer
        raise TypeError(f"{part.function.__qualname__} returned {type(result).__name__}")
    return result


def _leaf(kind: str, value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if kind == "id":
        return encode_global_id(type_name, uuid.UUID(value))
    if kind == "datetime":
        return _datetime(value).isoformat()
    if kind == "bool":
        return bool(value)
    return value


def _datetime(value: str) -> datetime:
    if value in _INFINITE:  # asyncpg sends datetime.min and .max as PostgreSQL's infinities
        return _INFINITE[value]
    found = datetime.fromisoformat(value)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


_INFINITE = {
    "-infinity": datetime.min.replace(tzinfo=UTC),
    "infinity": datetime.max.replace(tzinfo=UTC),
}


def _cursor(plan: planned.ConnectionPlan, row: dict[str, Any]) -> str:
    keys = tuple(_key(kind, value) for kind, value in zip(plan.key_kinds, row[planned.KEYS], strict=True))
    return encode_cursor(plan.query.order, keys)


def _key(kind: str, value: Any) -> Any:
    """A sort key as ``paging.plain_key`` gives it to the resolvers' cursors."""
    if value is None:
        return None
    if kind == "datetime":
        return _datetime(value).isoformat()
    if kind == "id":
        return str(uuid.UUID(value))
    if kind == "bool":
        return bool(value)
    return value

"""Keyset pages over ConeCRM records, in exactly the SQL backend's order.

Seed 004's query builder has no sort or limit, so the connector sends the cursor as rules (only rows
past it come back: a deep page never fetches the rows before it), then sorts and cuts the page itself.
As in SQL, every order ends with the id, and a missing value sorts as its type's floor (first when
ascending): the cursor holds those coalesced values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from gateway.backends.query import ListQuery, OrderKey, Page
from gateway.backends.records import ENTITY_RECORDS, AuditedRecord, Entity
from gateway.backends.rest.conecrm.mapping import FIELD_PATHS, field_type
from gateway.backends.rest.conecrm.rules import NOTHING, Rule, group, json_value, rule
from gateway.backends.sql.paging import coerce_cursor_value
from gateway.errors import BadUserInput, InvalidCursor

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
FLOORS: dict[Any, Any] = {
    datetime: datetime(1, 1, 1, tzinfo=UTC),
    bool: False,
    int: INT32_MIN,
    UUID: UUID(int=0),
    str: "",
}


def sort_keys(order: tuple[OrderKey, ...]) -> list[tuple[str, bool]]:
    if any(key.field.startswith("customFields.") for key in order):
        # Records carry ConeCRM's values as text by field id: no order the gateway could keep a cursor in.
        raise BadUserInput("a list served by ConeCRM cannot be sorted by a custom field")
    return [*((key.field, key.descending) for key in order), ("id", order[-1].descending if order else False)]


def _floor(entity: Entity, name: str) -> Any:
    return FLOORS.get(field_type(ENTITY_RECORDS[entity], name), "")


def key_of(entity: Entity, record: AuditedRecord, keys: list[tuple[str, bool]]) -> tuple[Any, ...]:
    values = []
    for name, _ in keys:
        value = getattr(record, name)
        values.append(_floor(entity, name) if value is None else value)
    return tuple(values)


def ordered(entity: Entity, records: list[AuditedRecord], query: ListQuery) -> list[AuditedRecord]:
    """In the query's direction of travel: forward order, or reversed for a ``last`` page."""
    keys = sort_keys(query.order)
    result = list(records)
    for index in reversed(range(len(keys))):  # stable sorts, least significant key first
        descending = keys[index][1] != query.page.backwards
        result.sort(key=lambda record: key_of(entity, record, keys)[index], reverse=descending)
    return result


def cut(entity: Entity, records: list[AuditedRecord], query: ListQuery) -> Page[AuditedRecord]:
    size = query.page.size
    rows = ordered(entity, records, query)
    more = len(rows) > size
    rows = rows[:size]
    if query.page.backwards:
        rows.reverse()
    keys = sort_keys(query.order)
    return Page(
        rows=rows,
        keys=[tuple(plain_value(value) for value in key_of(entity, row, keys)) for row in rows],
        has_next=more if not query.page.backwards else query.page.before is not None,
        has_previous=more if query.page.backwards else query.page.after is not None,
    )


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def keyset_rules(entity: Entity, query: ListQuery) -> list[Rule]:
    keys = sort_keys(query.order)
    rules = []
    if query.page.after is not None:
        rules.append(_beyond(entity, keys, _coerce(entity, keys, query.page.after), forward=True))
    if query.page.before is not None:
        rules.append(_beyond(entity, keys, _coerce(entity, keys, query.page.before), forward=False))
    return rules


def past(entity: Entity, record: AuditedRecord, query: ListQuery) -> bool:
    """The keyset rules evaluated here, for when ConeCRM cannot filter on a sort key."""
    keys = sort_keys(query.order)
    for cursor, forward in ((query.page.after, True), (query.page.before, False)):
        if cursor is not None and not _later(
            key_of(entity, record, keys), _coerce(entity, keys, cursor), keys, forward
        ):
            return False
    return True


def _later(mine: tuple[Any, ...], cursor: list[Any], keys: list[tuple[str, bool]], forward: bool) -> bool:
    for (_, descending), a, b in zip(keys, mine, cursor, strict=True):
        if a == b:
            continue
        return bool(a < b) if descending == forward else bool(a > b)
    return False


def _beyond(entity: Entity, keys: list[tuple[str, bool]], values: list[Any], forward: bool) -> Rule:
    # (a, b, id) > (va, vb, vid), expanded because each key sorts in its own direction.
    alternatives = []
    for index, (name, descending) in enumerate(keys):
        equal = [_compare(entity, keys[i][0], "=", values[i]) for i in range(index)]
        later = _compare(entity, name, "<" if descending == forward else ">", values[index])
        alternatives.append(group("and", [*equal, later]))
    return group("or", alternatives)


def _compare(entity: Entity, name: str, operator: str, value: Any) -> Rule:
    """``coalesce(field, floor) <operator> value`` in query-builder terms (which never coalesce)."""
    path = FIELD_PATHS[entity][name]
    plain = rule(path, operator, json_value(value))
    if value != _floor(entity, name):
        return group("or", [rule(path, "null"), plain]) if operator == "<" else plain
    if operator == "=":
        return group("or", [rule(path, "null"), plain])
    return group("and", [rule(path, "notNull"), plain]) if operator == ">" else NOTHING


def _coerce(entity: Entity, keys: list[tuple[str, bool]], values: tuple[Any, ...]) -> list[Any]:
    if len(values) != len(keys):
        raise InvalidCursor("cursor does not match this ordering")
    try:
        return [
            coerce_cursor_value(field_type(ENTITY_RECORDS[entity], name), v)
            for (name, _), v in zip(keys, values, strict=True)
        ]
    except (TypeError, ValueError) as error:
        raise InvalidCursor("cursor does not match this ordering") from error

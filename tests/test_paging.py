"""Keyset paging of root lists: forwards, backwards, custom orders with ties and NULLs, bad cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import Client
from factories import Factory, error_code, gid

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $orderBy: [ContactOrder!]) {
  contacts(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
COUNT = 23
SIZE = 5
# 23 last names: ties ("Smith" x5, "Jones" x3, "Brown" x2) and six without a last name.
LAST_NAMES = [
    "Smith", None, "Jones", "Adams", "Smith", None, "Brown", "Young", "Smith", "Jones", None, "Clark",
    "Smith", "Brown", None, "Evans", "Jones", "Smith", None, "Moore", "Baker", None, "Hall",
]  # fmt: skip


async def _contacts(factory: Factory, **per_row: list[Any]) -> list[uuid.UUID]:
    ids = [
        factory.contact(f"P{i:02d}", **{field: values[i] for field, values in per_row.items()})
        for i in range(COUNT)
    ]
    await factory.save()
    return ids


async def _page(client: Client, **variables: Any) -> dict[str, Any]:
    return (await client.execute(PAGE, variables))["data"]["contacts"]  # type: ignore[no-any-return]


async def walk_forward(client: Client, order_by: list[dict[str, str]] | None = None) -> list[str]:
    """Follow ``endCursor`` from the first page to the last; checks every page on the way."""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _page(client, first=SIZE, after=after, orderBy=order_by)
        pages += 1
        assert page["totalCount"] == COUNT
        edges = page["edges"]
        info = page["pageInfo"]
        seen += [edge["node"]["id"] for edge in edges]
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
        if not info["hasNextPage"]:
            break
        assert len(edges) == SIZE
        after = info["endCursor"]
        assert pages < 10, "paging does not end"
    assert pages == 5
    assert len(edges) == COUNT - 4 * SIZE
    return seen


async def walk_backward(client: Client, order_by: list[dict[str, str]] | None = None) -> list[str]:
    """Follow ``startCursor`` from the last page to the first; returns the rows in list order."""
    pages_seen: list[list[str]] = []
    before = None
    while True:
        page = await _page(client, last=SIZE, before=before, orderBy=order_by)
        assert page["totalCount"] == COUNT
        edges = page["edges"]
        info = page["pageInfo"]
        pages_seen.append([edge["node"]["id"] for edge in edges])
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            break
        assert len(edges) == SIZE
        before = info["startCursor"]
        assert len(pages_seen) < 10, "paging does not end"
    assert len(pages_seen) == 5
    assert len(pages_seen[-1]) == COUNT - 4 * SIZE
    return [global_id for page in reversed(pages_seen) for global_id in page]


def _ids(ids: list[uuid.UUID]) -> list[str]:
    return [gid("Contact", record_id) for record_id in ids]


async def test_default_order_forward_and_backward(client: Client, factory: Factory) -> None:
    ids = await _contacts(factory)
    expected = _ids(ids)  # the factory creates them one second apart
    forward = await walk_forward(client)
    assert forward == expected
    assert len(set(forward)) == COUNT
    assert await walk_backward(client) == expected


def _by_last_name(ids: list[uuid.UUID], descending: bool) -> list[str]:
    # NULL sorts as the smallest value; equal names are ordered by id, in the same direction.
    rows = sorted(
        zip(ids, LAST_NAMES, strict=True), key=lambda row: (row[1] or "", row[0]), reverse=descending
    )
    return _ids([record_id for record_id, _ in rows])


async def test_last_name_desc_with_ties_and_nulls(client: Client, factory: Factory) -> None:
    ids = await _contacts(factory, last_name=LAST_NAMES)
    order = [{"field": "LAST_NAME", "direction": "DESC"}]
    expected = _by_last_name(ids, descending=True)
    assert await walk_forward(client, order) == expected
    assert await walk_backward(client, order) == expected
    # Contacts without a last name come last in DESC.
    tail = (await _page(client, last=6, orderBy=order))["edges"]
    assert {edge["node"]["id"] for edge in tail} == {
        gid("Contact", i) for i, name in zip(ids, LAST_NAMES, strict=True) if name is None
    }


async def test_last_name_asc_puts_nulls_first(client: Client, factory: Factory) -> None:
    ids = await _contacts(factory, last_name=LAST_NAMES)
    order = [{"field": "LAST_NAME", "direction": "ASC"}]
    expected = _by_last_name(ids, descending=False)
    assert await walk_forward(client, order) == expected
    assert await walk_backward(client, order) == expected
    head = (await _page(client, first=6, orderBy=order))["edges"]
    assert {edge["node"]["id"] for edge in head} == {
        gid("Contact", i) for i, name in zip(ids, LAST_NAMES, strict=True) if name is None
    }


async def test_two_keys_in_opposite_directions(client: Client, factory: Factory) -> None:
    cities = ["Montreal", "Boston", None, "Boston", "Montreal"] * 4 + ["Albany", None, "Boston"]
    ids = await _contacts(factory, last_name=LAST_NAMES, city=cities)
    order = [{"field": "CITY", "direction": "ASC"}, {"field": "LAST_NAME", "direction": "DESC"}]
    rows = list(zip(ids, cities, LAST_NAMES, strict=True))
    # CITY ascending; within a city LAST_NAME descending, then the id descending (the last key's way).
    rows.sort(key=lambda row: (row[2] or "", row[0]), reverse=True)
    rows.sort(key=lambda row: row[1] or "")
    expected = _ids([row[0] for row in rows])
    assert await walk_forward(client, order) == expected
    assert await walk_backward(client, order) == expected


async def test_nullable_datetime_order(client: Client, factory: Factory) -> None:
    start = datetime(2024, 6, 1, tzinfo=UTC)
    modified = [None if i % 3 == 0 else start + timedelta(hours=(i * 7) % 5) for i in range(COUNT)]
    ids = await _contacts(factory, date_modified=modified)
    floor = datetime(1, 1, 1, tzinfo=UTC)
    for direction in ("ASC", "DESC"):
        descending = direction == "DESC"
        rows = sorted(
            zip(ids, modified, strict=True), key=lambda row: (row[1] or floor, row[0]), reverse=descending
        )
        expected = _ids([record_id for record_id, _ in rows])
        order = [{"field": "DATE_MODIFIED", "direction": direction}]
        assert await walk_forward(client, order) == expected, direction
        assert await walk_backward(client, order) == expected, direction


async def test_total_count_does_not_depend_on_the_page(client: Client, factory: Factory) -> None:
    await _contacts(factory)
    first = await _page(client, first=2)
    later = await _page(client, first=2, after=first["pageInfo"]["endCursor"])
    from_end = await _page(client, last=1)
    assert [page["totalCount"] for page in (first, later, from_end)] == [COUNT, COUNT, COUNT]


async def test_first_zero_returns_no_edges(client: Client, factory: Factory) -> None:
    await _contacts(factory)
    page = await _page(client, first=0)
    assert page["edges"] == []
    assert page["totalCount"] == COUNT
    assert page["pageInfo"]["startCursor"] is None
    assert page["pageInfo"]["endCursor"] is None
    page = await _page(client, last=0)
    assert page["edges"] == []


async def test_default_page_size_applies_without_first_or_last(client: Client, factory: Factory) -> None:
    ids = await _contacts(factory)
    page = await _page(client)
    assert [edge["node"]["id"] for edge in page["edges"]] == _ids(ids)[:20]
    assert page["pageInfo"]["hasNextPage"] is True


async def test_after_and_before_together_bound_a_window(client: Client, factory: Factory) -> None:
    ids = await _contacts(factory)
    everything = await _page(client, first=COUNT)
    cursors = [edge["cursor"] for edge in everything["edges"]]
    window = await _page(client, first=10, after=cursors[4], before=cursors[9])
    assert [edge["node"]["id"] for edge in window["edges"]] == _ids(ids)[5:9]


async def test_a_cursor_of_another_ordering_is_rejected(client: Client, factory: Factory) -> None:
    await _contacts(factory, last_name=LAST_NAMES)
    by_name = await _page(client, first=3, orderBy=[{"field": "LAST_NAME", "direction": "ASC"}])
    cursor = by_name["pageInfo"]["endCursor"]
    for order in (
        None,  # the default order (date created)
        [{"field": "LAST_NAME", "direction": "DESC"}],
        [{"field": "FIRST_NAME", "direction": "ASC"}],
        [{"field": "LAST_NAME", "direction": "ASC"}, {"field": "CITY", "direction": "ASC"}],
    ):
        for argument in ("after", "before"):
            response = await client.post(
                PAGE, {"first" if argument == "after" else "last": 3, argument: cursor, "orderBy": order}
            )
            assert error_code(response) == "INVALID_CURSOR", (order, argument)


async def test_nullable_integer_order_with_cursors(client: Client, factory: Factory) -> None:
    # PostgreSQL binds the floor that stands in for NULL with the column's own type (int4).
    priorities = [None if i % 4 == 0 else (i * 5) % 3 for i in range(COUNT)]
    ids = [factory.lead(f"L{i:02d}", priority=priority) for i, priority in enumerate(priorities)]
    await factory.save()
    query = """query($first: Int, $after: String, $last: Int, $before: String, $orderBy: [LeadOrder!]) {
      leads(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
        edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }"""
    for direction in ("ASC", "DESC"):
        order = [{"field": "PRIORITY", "direction": direction}]
        rows = sorted(
            zip(ids, priorities, strict=True),
            key=lambda row: (-1 if row[1] is None else row[1], row[0]),
            reverse=direction == "DESC",
        )
        expected = [gid("Lead", record_id) for record_id, _ in rows]
        seen: list[str] = []
        after = None
        while True:
            variables = {"first": SIZE, "after": after, "orderBy": order}
            page = (await client.execute(query, variables))["data"]["leads"]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected, direction
        seen = []
        before = None
        while True:
            variables = {"last": SIZE, "before": before, "orderBy": order}
            page = (await client.execute(query, variables))["data"]["leads"]
            seen = [edge["node"]["id"] for edge in page["edges"]] + seen
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        assert seen == expected, direction

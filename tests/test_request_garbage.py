"""A request leaves nothing behind for the cyclic garbage collector, and the cost estimates kept per
document stay one entry per shape of variables, whatever the values.

``crm-gateway serve`` runs the cyclic collector only every 100,000 allocations (``gateway.runtime``): a
request whose objects form a cycle is freed that late, and ~750 of them at a time grew the server by
~11 MiB of Python arenas under the benchmark's leadMoveToStage (bench/findings.md).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphql import parse
from sqlalchemy.sql.elements import BindParameter

from conftest import SECRET, Client
from gateway import internals, limits
from gateway.context import RequestContext
from gateway.internals import SuggestionFreeExecution, graphql_schema, weak_async_helpers
from gateway.settings import load_settings
from resolvers.schema import schema
from test_limits import CREATE_MANY
from test_mutations_leads import MOVE, data, new_lead, new_stage


@contextmanager
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def alive(kind: type) -> int:
    """Objects of ``kind`` still tracked: alive, or unreachable garbage the collector has not freed."""
    return sum(isinstance(o, kind) for o in gc.get_objects())


async def test_a_mutation_leaves_no_cycle_holding_its_request(client: Client) -> None:
    first, second = await new_stage(client, "First"), await new_stage(client, "Second")
    lead = await new_lead(client, stageId=first)
    await data(client, MOVE, id=lead["id"], stage=second)  # the statements built once are built
    kinds = (SuggestionFreeExecution, RequestContext, BindParameter)
    with collector_off():
        before = tuple(map(alive, kinds))
        for number in range(4):
            moved = await data(client, MOVE, id=lead["id"], stage=(first, second)[number % 2])
            assert moved["leadMoveToStage"]["errors"] == []
        after = tuple(map(alive, kinds))
    # Without weak_async_helpers 4 more executors and contexts, freed only by gc.collect(); with
    # statements built per write (the reference check's id list, version + 1), 4 or 8 more BindParameters.
    assert after == before


async def test_the_weak_helpers_still_reach_a_finished_execution_s_work() -> None:
    """A resolver that outlives its execution (work it left running) still has working helpers."""

    class Gone:
        pass

    executor = Gone()
    helpers = weak_async_helpers(executor)
    del executor

    async def answer() -> int:
        return 42

    assert await helpers.gather([answer()]) == [42]
    ran: list[str] = []

    async def work() -> None:
        ran.append("work")

    async def failing() -> None:
        ran.append("failing")
        raise RuntimeError("left behind")

    settled = asyncio.get_running_loop().create_future()
    settled.set_result(None)
    helpers.track([work(), failing(), settled, 1])  # settled in the background, errors observed
    assert len(internals._ORPHANED) == 1  # kept alive until settled (a task only the loop holds may go)
    for _ in range(5):
        await asyncio.sleep(0)
    assert sorted(ran) == ["failing", "work"]
    assert not internals._ORPHANED  # let go once settled; an unobserved error would warn (error here)


BY_SHAPE = "query($n: Int!, $id: ID!) { contacts(first: $n) { nodes { id } } contact(id: $id) { id } }"


def test_kept_estimates_are_one_per_shape_of_variables_not_per_value() -> None:
    settings = load_settings(jwt_secret=SECRET)
    document, graphql = parse(BY_SHAPE), graphql_schema(schema)
    limits._ESTIMATES.clear()
    estimates = {
        limits.estimate_nodes(graphql, document, None, {"n": 10, "id": f"Contact:{number}"}, settings)
        for number in range(300)
    }
    assert estimates == {10 + 1}
    assert len(limits._ESTIMATES) == 1  # keyed by the ids' values, it held 300
    assert limits.estimate_nodes(graphql, document, None, {"n": 3, "id": "x"}, settings) == 3 + 1
    assert len(limits._ESTIMATES) == 2


def test_an_estimate_tells_a_left_out_variable_from_a_null_one() -> None:
    settings = load_settings(jwt_secret=SECRET)
    document, graphql = (
        parse("query($n: Int = 7) { contacts(first: $n) { nodes { id } } }"),
        graphql_schema(schema),
    )

    def estimate(variables: dict[str, Any]) -> int:
        return limits.estimate_nodes(graphql, document, None, variables, settings)

    assert (estimate({}), estimate({"n": None}), estimate({"n": 2}), estimate({})) == (
        7,
        settings.default_page_size,
        2,
        7,
    )
    bulk = parse(CREATE_MANY)
    rows = [{"firstName": "A"}] * 4
    assert limits.estimate_nodes(graphql, bulk, None, {"rows": rows}, settings) == 1 + 4 + 4
    assert limits.estimate_nodes(graphql, bulk, None, {"rows": rows[:2]}, settings) == 1 + 2 + 2

"""The planner's statement computes in SQL what the resolvers compute in Python: each rule written
twice (global ids, cursors, date-times, computed fields' SQL twins) is pinned equal here, on both
databases, on the inputs most likely to part them (unicode, quotes, control characters, nulls, empty
strings, long type names, microseconds, the infinities)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gateway.backends.sql.mapping import ENTITY_TABLES
from gateway.backends.sql.paging import DATETIME_FLOOR
from gateway.backends.sql.types import UtcDateTime
from gateway.planner import plan
from gateway.planner.plan import Column, FirstOf, declared_twins, in_sql, twin_columns
from gateway.planner.sql import twin_sql, values_sql
from resolvers.common.columns import declared_columns
from resolvers.common.cursor import encode_signed_cursor
from resolvers.common.ids import encode_global_id
from resolvers.contacts.types import Contact
from resolvers.users.types import User

TEXTS = [None, "", " ", "Ann", 'O\'Brien "Q" \\ /', "Zoë 日本 😀 \u2028", "tab\there\nnew\x01\x1f\x7f"]
MOMENTS = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 120_000, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    DATETIME_FLOOR,  # the floor a null date-time sort key takes
    datetime.max.replace(tzinfo=UTC),  # PostgreSQL's infinity, read by asyncpg
]


async def _json_values(engine: Any, expressions: list[Any]) -> list[Any]:
    """Each expression's value as the statement's JSON holds it, in order."""
    postgresql = engine.dialect.name == "postgresql"
    found: list[Any] = []
    async with engine.connect() as connection:
        for start in range(0, len(expressions), 40):  # PostgreSQL: at most 100 function arguments
            chunk = expressions[start : start + 40]
            array = sa.func.json_build_array(*chunk) if postgresql else sa.func.json_array(*chunk)
            text = (await connection.execute(sa.select(sa.cast(array, sa.Text)))).scalar_one()
            found += orjson.loads(text)
    return found


async def test_global_ids_are_the_resolvers(engine: Any) -> None:
    values = values_sql(engine.dialect.name)
    # GraphQL names never make base64 meet '+' or '/' (the statement then leaves the replacements out);
    # these names do, at every position of a 3-byte group, so a wrong analysis shows.
    # The statement casts an ASCII name's text to bytes as it is: a backslash (which that cast would
    # read as an escape) or a non-ASCII name takes the encoding conversion.
    odd = ["ab~", "a~", "~", "ab?", "?", "Zoë", "日本", "\x7f\x7f\x7f", "ÿÿÿ", "a\\b", "\\x41", "\\"]
    names = [
        "Contact",
        "User",
        "Stage",
        "A" * 20,
        "B" * 21,
        "ContactPermissionWithAVeryLongTypeName" * 3,
        *odd,
    ]
    ids = [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), *(uuid.uuid4() for _ in range(20))]
    cases = list(itertools.product(names, ids))
    found = await _json_values(
        engine, [values.global_id(name, sa.literal(id_, sa.Uuid)) for name, id_ in cases]
    )
    assert found == [encode_global_id(name, id_) for name, id_ in cases]


async def test_date_times_are_printed_as_strawberry_prints_them(engine: Any) -> None:
    values = values_sql(engine.dialect.name)
    found = await _json_values(
        engine, [values.datetime(sa.literal(m, UtcDateTime)) for m in [*MOMENTS, None]]
    )
    assert found == [*(m.isoformat() for m in MOMENTS), None]


@pytest.mark.parametrize(
    "signature",
    # Without a string key, an ASCII signature's cursor text is cast to bytes as it is; a backslash
    # (an escape to that cast) or a non-ASCII signature takes the encoding conversion.
    ["last_name-,first_name+", "a\\b+", "\\x41+", "zoë+"],
)
async def test_cursors_are_the_resolvers(engine: Any, signature: str) -> None:
    values = values_sql(engine.dialect.name)
    ident = uuid.uuid4()
    keys: list[list[tuple[Any, str, Any]]] = [  # (bound value, kind, the value a cursor holds)
        [(text, "str", text) for text in TEXTS[1:]] + [(ident, "id", str(ident))],
        [(None, "str", None), (-(2**31), "int", -(2**31)), (0, "int", 0), (True, "bool", True)],
        [(False, "bool", False), *((m, "datetime", m.isoformat()) for m in MOMENTS)],
        [(None, "datetime", None), (None, "int", None), (None, "id", None)],
        [(ident, "id", str(ident)), (7, "int", 7), (MOMENTS[0], "datetime", MOMENTS[0].isoformat())],
    ]
    types = {"str": sa.String, "int": sa.Integer, "bool": sa.Boolean, "datetime": UtcDateTime, "id": sa.Uuid}
    expressions = [
        values.cursor(signature, [(sa.literal(value, types[kind]), kind) for value, kind, _ in row])
        for row in keys
    ]
    found = await _json_values(engine, expressions)
    assert found == [encode_signed_cursor(signature, tuple(plain for _, _, plain in row)) for row in keys]


def _column_type(name: str) -> Any:
    for table in ENTITY_TABLES.values():
        if name in table.c:
            return table.c[name].type
    raise AssertionError(f"no table has a column {name}")


@pytest.mark.parametrize("twin_of", [Contact, User], ids=["Contact", "User"])
async def test_the_benchmark_s_computed_fields_have_sql_twins(twin_of: Any) -> None:
    resolver = twin_of.__strawberry_definition__.get_field("display_name").base_resolver.wrapped_func
    assert resolver in declared_twins()


@pytest.mark.parametrize("resolver", list(declared_twins()), ids=[f.__qualname__ for f in declared_twins()])
async def test_each_sql_twin_answers_as_its_resolver(engine: Any, resolver: Any) -> None:
    twin = declared_twins()[resolver]
    names = sorted(twin_columns(twin))
    types = {name: _column_type(name) for name in names}
    choices = [[None, True, False] if isinstance(types[n], sa.Boolean) else TEXTS for n in names]
    records = [dict(zip(names, combination, strict=True)) for combination in itertools.product(*choices)]
    values = values_sql(engine.dialect.name)
    expressions = []
    expected = []
    for record in records:
        columns = {name: sa.literal(value, types[name]) for name, value in record.items()}
        answer = resolver(SimpleNamespace(record=SimpleNamespace(**record)))
        value = twin_sql(twin, columns)
        expressions.append(values.boolean(value) if isinstance(answer, bool) else value)
        expected.append(answer)
    assert await _json_values(engine, expressions) == expected


def test_a_resolver_with_an_sql_twin_reads_the_twin_s_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``@in_sql`` names the columns once: a resolver with a twin and no ``@uses_columns`` is declared
    to read its twin's columns (a list then selects just those), and a declaration, where one is
    still given, covers its twin's."""
    monkeypatch.setattr(plan, "_TWINS", dict(plan._TWINS))  # the stand-in below is this test's alone

    @in_sql(FirstOf((Column("city"), Column("country"))))
    def place(self: Any) -> str:
        return str(self.record.city or self.record.country)

    assert declared_columns(place) == {"city", "country"}
    for resolver, twin in declared_twins().items():
        assert twin_columns(twin) <= (declared_columns(resolver) or set()), resolver


def test_every_link_target_s_primary_key_is_its_id_alone() -> None:
    """A planned single link outer-joins the target's rows on ``id`` (``TreeStatement._link``): with any
    other key a parent row could meet several target rows and be repeated in its list."""
    keyed_otherwise = {
        entity: [column.name for column in table.primary_key]
        for entity, table in ENTITY_TABLES.items()
        if [column.name for column in table.primary_key] != ["id"]
    }
    assert keyed_otherwise == {}

"""The parsed and validated document caches (``gateway.documents``) never loosen a limit or a check."""

from __future__ import annotations

import pytest

from factories import assert_clean_error
from gateway import documents
from gateway.documents import BoundedCache
from test_limits import ME, code_of, limited_app, refused


async def test_a_text_cached_under_a_high_token_limit_is_refused_under_a_lower_one(
    database_url: str, tenant: str
) -> None:
    query = "{ me { subject tenant { key } } }"  # 9 tokens
    async with limited_app(database_url, tenant, max_tokens=20) as (_, client):
        await client.execute(query)
        await client.execute(query)
    assert documents.parsed.get(query) is not None
    async with limited_app(database_url, tenant, max_tokens=6) as (app, client):
        body = await refused(app, client.post(query), 200, "MAX_TOKENS_EXCEEDED")
        assert "more than 6 tokens" in body["errors"][0]["message"]
        assert (await client.execute(ME))["data"]["me"]["subject"] == "tester"


async def test_an_invalid_document_is_refused_every_time(database_url: str, tenant: str) -> None:
    query = "{ me { subjectt } }"
    async with limited_app(database_url, tenant) as (app, client):
        for _ in range(3):
            body = await refused(app, client.post(query), 200, "GRAPHQL_VALIDATION_FAILED")
            assert "subjectt" in body["errors"][0]["message"]


async def test_a_syntax_error_is_reported_every_time(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant) as (_, client):
        for _ in range(2):
            response = await client.post("{ me { subject }")
            assert code_of(assert_clean_error(response)) == "GRAPHQL_PARSE_FAILED"
    assert documents.parsed.get("{ me { subject }") is None


def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    cache: BoundedCache[str, int] = BoundedCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_the_cache_keeps_no_more_than_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        documents, "BUDGET", documents.Budget(cache_bytes=100 * documents.BYTES_PER_CHARACTER)
    )
    cache: BoundedCache[str, int] = BoundedCache(size=1_000)
    for key in "abcd":
        cache.put(key, 1, documents.text_weight("x" * 30))
    assert [cache.get(key) for key in "abcd"] == [None, 1, 1, 1]  # 120 characters' worth did not fit
    cache.put("huge", 2, documents.text_weight("x" * 101))
    assert cache.get("huge") is None and len(cache) == 3
    assert cache.weight == documents.text_weight("x" * 90)


async def test_a_document_longer_than_the_setting_is_not_kept(database_url: str, tenant: str) -> None:
    short, long = "{ me { subject } }", "{ me { subject " + " " * 200 + "} }"
    async with limited_app(database_url, tenant, max_cached_document_bytes=100) as (_, client):
        for query in (short, long, short, long):
            assert (await client.execute(query))["data"]["me"]["subject"] == "tester"
        assert documents.parsed.get(short) is not None
        assert documents.parsed.get(long) is None


async def test_repeated_documents_still_hit_the_cache_under_a_small_budget(
    database_url: str, tenant: str
) -> None:
    query = "{ me { subject tenant { key } } }"
    async with limited_app(database_url, tenant, document_cache_bytes=100_000) as (_, client):
        await client.execute(query)
        cached = documents.parsed.get(query)
        await client.execute(query)
        assert cached is not None and documents.parsed.get(query) is cached


def test_very_long_texts_are_not_kept() -> None:
    assert documents.cacheable("{ me { subject } }")
    assert not documents.cacheable("{ " + "me { subject } " * 10_000 + "}")
    assert not documents.cacheable(None)

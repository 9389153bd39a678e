"""``CRM_GATEWAY_REDIS_URL`` naming a Sentinel-managed master or a Cluster (``gateway/redis_urls.py``).

The Sentinel tests run a real Redis server and a real Sentinel (``redis-server --sentinel``) on free
ports; a Cluster is only parsed and built here, never started.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from conftest import REQUIRE_SERVICES, SECRET
from gateway.persisted import RedisStore
from gateway.pubsub import create_pubsub
from gateway.ratelimit import RateLimiter
from gateway.redis_urls import RedisTopology, SentinelMaster, parse_topology, redis_client
from gateway.settings import SettingsError, load_settings
from servers import free_port, listening_process

REDIS_SERVER = shutil.which("redis-server")


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database() -> None:
    url = "redis+sentinel://app:s%40cret@10.0.0.1:26379,10.0.0.2,[::1]:26380/crm-master/2?sentinel_password=x"
    assert parse_topology(url) == RedisTopology(
        kind="sentinel",
        nodes=(("10.0.0.1", 26379), ("10.0.0.2", 26379), ("::1", 26380)),
        tls=False,
        username="app",
        password="s@cret",
        service_name="crm-master",
        db=2,
        sentinel_password="x",
    )


def test_a_cluster_url_names_its_startup_nodes() -> None:
    topology = parse_topology("rediss+cluster://:pw@node-a:7000,node-b")
    assert (topology.kind, topology.nodes, topology.tls) == (
        "cluster",
        (("node-a", 7000), ("node-b", 6379)),
        True,
    )
    assert (topology.username, topology.password) == (None, "pw")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("redis+sentinel://:hunter2@host:26379", "needs the service name"),
        ("redis+sentinel://:hunter2@host:26379/master/zero", "the database must be a number"),
        ("redis+sentinel://:hunter2@host:port/master", "needs host:port pairs"),
        ("redis+sentinel://:hunter2@host,,other/master", "needs host:port pairs"),
        ("redis+sentinel://:hunter2@host/master?db=1", "options this form does not take"),
        ("redis+cluster://:hunter2@host:7000/0", "a cluster has no service name"),
        ("redis+cluster://:hunter2@host:99999", "needs host:port pairs"),
        ("sentinel://:hunter2@host:26379/master", "must start with one of"),
    ],
)
def test_a_bad_topology_url_is_refused_at_start_up_without_its_password(url: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=f"CRM_GATEWAY_REDIS_URL: .*{complaint}") as raised:
        load_settings(redis_url=url, jwt_secret=SECRET)
    assert "hunter2" not in str(raised.value)


async def test_a_cluster_url_builds_a_cluster_client_without_connecting() -> None:
    client = redis_client("redis+cluster://:pw@127.0.0.1:7000,127.0.0.1:7001", socket_timeout=1)
    assert isinstance(client, RedisCluster)
    nodes = sorted((node.host, node.port) for node in client.nodes_manager.startup_nodes.values())
    assert nodes == [("127.0.0.1", 7000), ("127.0.0.1", 7001)]
    assert (client.connection_kwargs["password"], client.connection_kwargs["socket_timeout"]) == ("pw", 1)
    await client.aclose()


async def test_a_plain_url_still_builds_a_plain_client() -> None:
    client = redis_client("redis://127.0.0.1:6399/3")
    assert type(client) is Redis
    assert client.connection_pool.connection_kwargs["db"] == 3
    await client.aclose()


@pytest.fixture
def sentinel_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server and a Sentinel monitoring it as ``crm``; yields the ``redis+sentinel://`` URL."""
    if REDIS_SERVER is None:
        if REQUIRE_SERVICES:
            pytest.fail("CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    master, sentinel = free_port(), free_port()
    config = tmp_path / "sentinel.conf"  # Sentinel rewrites its configuration file, so it gets its own
    config.write_text(
        f"port {sentinel}\nbind 127.0.0.1\ndir {tmp_path}\nsentinel monitor crm 127.0.0.1 {master} 1\n"
    )
    server = [REDIS_SERVER, "--port", str(master), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with (
        listening_process(server, master, tmp_path / "redis.log"),
        listening_process([REDIS_SERVER, str(config), "--sentinel"], sentinel, tmp_path / "sentinel.log"),
    ):
        yield f"redis+sentinel://127.0.0.1:{sentinel}/crm/1"


async def test_through_sentinel_the_master_holds_what_the_gateway_stores(sentinel_url: str) -> None:
    client = redis_client(sentinel_url)
    store = RedisStore(sentinel_url, ttl_seconds=60)
    try:
        assert isinstance(client, SentinelMaster)
        await store.put("abc", "{ __typename }")
        assert await store.get("abc") == "{ __typename }"
        assert (await client.info("replication"))["role"] == "master"
        assert await client.dbsize() == 1  # in database 1, as the URL says
    finally:
        await store.client.aclose()
        await client.aclose()


async def test_through_sentinel_replicas_share_rate_limits_and_events(sentinel_url: str) -> None:
    settings = load_settings(redis_url=sentinel_url, jwt_secret=SECRET)
    limiters = [RateLimiter(rate=0.001, burst=2, redis_url=sentinel_url) for _ in range(2)]
    sender, receiver = create_pubsub(settings), create_pubsub(settings)
    try:
        decisions = [await limiter.take("caller") for limiter in (*limiters, limiters[0])]
        assert [decision.allowed for decision in decisions] == [True, True, False]  # one bucket for both
        async with receiver.subscribe("crm-gateway:events:t", buffer=10) as subscription:
            await sender.publish("crm-gateway:events:t", {"type": "queue", "sequence": 1})
            assert await asyncio.wait_for(anext(subscription), 60) == {"type": "queue", "sequence": 1}
    finally:
        for closable in (*limiters, sender, receiver):
            await closable.close()

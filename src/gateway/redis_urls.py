"""Redis clients for ``CRM_GATEWAY_REDIS_URL``: one server, a master found through Sentinel, or a Cluster.

redis-py reads ``redis://``, ``rediss://`` and ``unix://`` URLs itself (``Redis.from_url``). For
Sentinel and Cluster it has classes but no URL form, so the gateway reads two more schemes (``rediss+``
for TLS) and builds those classes:

    redis+sentinel://[[user]:password@]host:port[,host:port...]/service-name[/db]
    redis+cluster://[[user]:password@]host:port[,host:port...]

The user and password are the data nodes' (the master and its replicas, or the cluster's nodes).
Sentinels that require a password of their own get it as ``?sentinel_password=...``. Every host:port
listed is a starting point: the client learns the rest of the topology from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import Sentinel

SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
DEFAULT_PORTS = {"sentinel": 26379, "cluster": 6379}
SENTINEL_FORM = "redis+sentinel://[[user]:password@]host:port[,host:port...]/service-name[/db]"
CLUSTER_FORM = "redis+cluster://[[user]:password@]host:port[,host:port...]"


@dataclass(frozen=True)
class RedisTopology:
    """What a Sentinel or Cluster URL names. Its messages never quote the URL: it may hold a password."""

    kind: str  # "sentinel" or "cluster"
    nodes: tuple[tuple[str, int], ...]
    tls: bool
    username: str | None = None
    password: str | None = None
    service_name: str | None = None  # Sentinel: the monitored master's name
    db: int = 0
    sentinel_password: str | None = None


def is_topology_url(url: str) -> bool:
    """Whether ``url`` names a Sentinel or a Cluster rather than one server."""
    return url.startswith(tuple(f"{scheme}://" for scheme in (*SENTINEL_SCHEMES, *CLUSTER_SCHEMES)))


def parse_topology(url: str) -> RedisTopology:
    """The parts of a ``redis+sentinel://`` or ``redis+cluster://`` URL; ValueError names the form."""
    parts = urlsplit(url)
    kind = "sentinel" if parts.scheme in SENTINEL_SCHEMES else "cluster"
    form = SENTINEL_FORM if kind == "sentinel" else CLUSTER_FORM
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    nodes = tuple(_node(item, DEFAULT_PORTS[kind], form) for item in hosts.split(","))
    path = [segment for segment in parts.path.split("/") if segment]
    query = parse_qs(parts.query)
    if set(query) - {"sentinel_password"} or (kind == "cluster" and query):
        raise ValueError(f"has options this form does not take ({form})")
    if kind == "cluster" and path:
        raise ValueError(f"a cluster has no service name or database ({form})")
    if kind == "sentinel" and not 1 <= len(path) <= 2:
        raise ValueError(f"needs the service name the sentinels monitor ({form})")
    if kind == "sentinel" and len(path) == 2 and not path[1].isdigit():
        raise ValueError(f"the database must be a number ({form})")
    return RedisTopology(
        kind=kind,
        nodes=nodes,
        tls=parts.scheme.startswith("rediss"),
        username=unquote(username) or None,
        password=unquote(password) or None,
        service_name=unquote(path[0]) if path else None,
        db=int(path[1]) if len(path) == 2 else 0,
        sentinel_password=query.get("sentinel_password", [None])[0],
    )


def _node(item: str, default_port: int, form: str) -> tuple[str, int]:
    host, port = item.strip(), ""
    if ":" in host and not host.endswith("]"):  # "[::1]" is an IPv6 host without a port
        host, _, port = host.rpartition(":")
    if not host or (port and not port.isdigit()) or not 0 < int(port or default_port) < 65536:
        raise ValueError(f"needs host:port pairs separated by commas ({form})")
    return host.strip("[]"), int(port or default_port)


def redis_client(url: str, **options: Any) -> Redis:
    """A client for ``url``; ``options`` (timeouts) apply to the connections to the data nodes.

    A ``RedisCluster`` is typed as ``Redis``: it offers the commands the gateway uses (GET, SET,
    PUBLISH, scripts, pub/sub) under the same names, routing each to the node that holds its key.
    """
    if not is_topology_url(url):
        return Redis.from_url(url, **options)
    topology = parse_topology(url)
    auth: dict[str, Any] = {"username": topology.username, "password": topology.password, "ssl": topology.tls}
    if topology.kind == "cluster":
        nodes = [ClusterNode(host, port) for host, port in topology.nodes]
        return cast(Redis, RedisCluster(startup_nodes=nodes, **auth, **options))
    return _sentinel_master(topology, auth | options)


class SentinelMaster(Redis):
    """The master that Sentinel names; closing it also closes the connections to the sentinels."""

    discovery: Sentinel | None = None  # not ``sentinel``: that is the name of Redis's SENTINEL command

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        for sentinel in self.discovery.sentinels if self.discovery else ():
            await sentinel.aclose()


def _sentinel_master(topology: RedisTopology, options: dict[str, Any]) -> Redis:
    shared = ("socket_timeout", "socket_connect_timeout", "ssl")
    sentinel_options = {key: options[key] for key in shared if key in options}
    if topology.sentinel_password:
        sentinel_options["password"] = topology.sentinel_password
    sentinel = Sentinel(list(topology.nodes), sentinel_kwargs=sentinel_options, **options)
    assert topology.service_name is not None  # parse_topology requires it for Sentinel
    master = sentinel.master_for(topology.service_name, redis_class=SentinelMaster, db=topology.db)
    master.discovery = sentinel
    return master

"""Per-principal rate limiting: a token bucket in memory, or shared by all replicas through Redis.

Each request takes one token; a bucket holds at most ``burst`` tokens and refills at ``rate`` per
second. With ``CRM_GATEWAY_REDIS_URL`` the bucket lives in Redis and is updated by one Lua script, so
concurrent replicas cannot both spend the last token. If Redis cannot be reached the limiter *fails open
to the in-memory bucket*: the replica keeps limiting each caller on its own and logs a warning, so a
Redis outage costs precision, not availability (the choice Apollo Router and Envoy make by default).
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from redis.exceptions import RedisError

from gateway.redis_urls import redis_client
from gateway.settings import Settings

log = logging.getLogger("gateway.ratelimit")
KEY_PREFIX = "crm-gateway:ratelimit:"
# Idle buckets are full again after burst / rate seconds; beyond this many callers the oldest are dropped.
MAX_MEMORY_BUCKETS = 100_000
WARNING_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: float = 0.0

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, at least 1, as HTTP's ``Retry-After`` wants them."""
        return str(max(1, math.ceil(self.retry_after_seconds)))


class MemoryBuckets:
    """Token buckets of one process, least recently used dropped first past ``MAX_MEMORY_BUCKETS``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> Decision:
        now = time.monotonic()
        tokens, updated = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > MAX_MEMORY_BUCKETS:
            self._buckets.popitem(last=False)
        return Decision(allowed, 0.0 if allowed else (1 - tokens) / self.rate)


# Redis's own clock (TIME) keeps replicas with skewed clocks consistent. Floats go back as strings:
# Redis truncates Lua numbers to integers.
_TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(retry)}
"""


class RateLimiter:
    """Takes one token per request for a principal key; shared through Redis when a URL is given."""

    def __init__(self, rate: float, burst: int, redis_url: str | None = None) -> None:
        self.memory = MemoryBuckets(rate, burst)
        self.rate = rate
        self.burst = burst
        self._redis = (
            redis_client(redis_url, socket_connect_timeout=1, socket_timeout=1) if redis_url else None
        )
        self._script = self._redis.register_script(_TAKE_SCRIPT) if self._redis else None
        self._last_warning = -math.inf

    async def take(self, key: str) -> Decision:
        if self._script is None:
            return self.memory.take(key)
        try:
            allowed, retry = await self._script(keys=[KEY_PREFIX + key], args=[self.rate, self.burst])
        except (RedisError, OSError) as error:
            self._warn_unreachable(error)
            return self.memory.take(key)
        return Decision(bool(int(allowed)), float(retry))

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _warn_unreachable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            log.warning(
                "rate limiting falls back to per-replica buckets: Redis unavailable (%s)",
                type(error).__name__,
            )


def create_rate_limiter(settings: Settings) -> RateLimiter | None:
    if not settings.rate_limit_enabled:
        return None
    return RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst, settings.redis_url)

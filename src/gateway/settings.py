"""Settings read from ``CRM_GATEWAY_*`` environment variables and validated at start-up."""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio.connection import parse_url as parse_redis_url

from gateway.redis_urls import is_topology_url, parse_topology

DATA_DIR = Path("var")
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{DATA_DIR / 'crm-gateway.db'}"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
TOPOLOGY_SCHEMES = ("redis+sentinel://", "rediss+sentinel://", "redis+cluster://", "rediss+cluster://")
# Strawberry's own batch ceiling; CRM_GATEWAY_MAX_BATCH_OPERATIONS is checked first and may only be lower.
MAX_BATCH_CEILING = 100
HMAC_ALGORITHMS = ("HS256",)  # verified with CRM_GATEWAY_JWT_SECRET only
JWKS_ALGORITHMS = ("RS256", "ES256")  # verified with keys from CRM_GATEWAY_JWKS_URL only
CLAIM_NAME = r"^\S{1,200}$"
# The media types an uploaded document may have: office documents, PDF, text, images and archives.
DEFAULT_DOCUMENT_TYPES = ",".join(
    (
        "application/pdf",
        "text/plain",
        "text/csv",
        "image/*",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.*",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.oasis.opendocument.*",
        "application/rtf",
        "application/zip",
        "message/rfc822",
    )
)  # a claim name, or a dotted path into nested claims


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class DatabasePooler(StrEnum):
    """What sits between the gateway and PostgreSQL (docs/operations/scaling.md)."""

    NONE = "none"  # PostgreSQL itself, or a pooler in session mode
    TRANSACTION = "transaction"  # PgBouncer-style transaction pooling: no server state outlives a transaction


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and what is wrong."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_GATEWAY_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    database_pooler: DatabasePooler = DatabasePooler.NONE
    jwt_secret: str | None = Field(default=None, repr=False)
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=600)
    # A comma-separated string rather than a list, so the variable reads ``HS256,RS256`` and not JSON.
    jwt_algorithms: str = "HS256"
    jwks_url: str | None = None
    jwks_cache_seconds: int = Field(default=300, ge=1, le=86_400)
    jwks_min_refresh_seconds: int = Field(default=10, ge=0, le=3_600)
    jwt_audience: str | None = Field(default=None, min_length=1)
    jwt_issuer: str | None = Field(default=None, min_length=1)
    jwt_tenant_claim: str = Field(default="tenant", pattern=CLAIM_NAME)
    jwt_permissions_claim: str = Field(default="permissions", pattern=CLAIM_NAME)
    graphiql: bool | None = None
    # The token GraphiQL's Headers pane starts with; `serve --demo` sets it (development, loopback only).
    graphiql_token: str | None = Field(default=None, repr=False)
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=20, ge=1, le=10_000)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Processes ``serve`` runs on one socket; each is a replica, so more than one needs Redis.
    workers: int = Field(default=1, ge=1, le=64)
    log_level: str = "INFO"
    redis_url: str | None = Field(default=None, repr=False)
    # Serve covered queries with one JSON-building statement per root field (gateway/planner).
    planner: bool = True
    apq: bool = True
    apq_cache_size: int = Field(default=1000, ge=1, le=1_000_000)
    apq_ttl_seconds: int = Field(default=86_400, ge=1, le=365 * 86_400)
    apq_max_query_bytes: int = Field(default=100_000, ge=1, le=10_000_000)
    trusted_documents: str | None = None
    # Each cache of documents and of what is worked out from them, bounded by an estimate of its bytes
    # (docs/performance.md); texts longer than the second are parsed each time, not kept.
    document_cache_bytes: int = Field(default=64 * 1_048_576, ge=0, le=64 * 1_073_741_824)
    max_cached_document_bytes: int = Field(default=100_000, ge=0, le=10_000_000)
    # Limits (docs/operations/limits.md). The depth default fits GraphiQL's standard introspection
    # query (15 deep).
    max_depth: int = Field(default=15, ge=1, le=1_000)
    max_aliases: int = Field(default=30, ge=0, le=10_000)
    max_tokens: int = Field(default=2_000, ge=1, le=1_000_000)
    max_batch_operations: int = Field(default=10, ge=1, le=MAX_BATCH_CEILING)
    max_body_bytes: int = Field(default=1_048_576, ge=1_024, le=100 * 1_048_576)
    # Nesting of JSON from clients (body, variables, WebSocket messages): refused with JSON_TOO_DEEP.
    max_json_depth: int = Field(default=64, ge=2, le=512)
    max_estimated_nodes: int = Field(default=100_000, ge=1, le=10_000_000)
    execution_timeout_seconds: float = Field(default=10.0, gt=0, le=3_600)
    rate_limit_per_second: float = Field(default=50.0, ge=0, le=1_000_000)
    rate_limit_burst: int = Field(default=200, ge=1, le=1_000_000)
    # Subscriptions (WebSocket): events a slow subscriber may have waiting before they are dropped and
    # it reads them from the event log, seconds between server pings, and operations per connection.
    subscription_buffer: int = Field(default=1000, ge=1, le=1_000_000)
    ws_ping_seconds: float = Field(default=15.0, gt=0, le=3_600)
    max_subscriptions_per_connection: int = Field(default=20, ge=1, le=10_000)
    # Whether WebSockets may negotiate permessage-deflate. Each socket compresses each message itself
    # (its own compression context): ~25 us of the ~100 us a subscription delivery costs the process
    # (bench/subscriptions.py, docs/subscriptions.md); off, payloads go uncompressed.
    ws_compression: bool = True
    # Upstream REST backends (docs/upstreams/routing.md): the routing file, and the most upstream calls
    # one request may be estimated to make before it is refused (UPSTREAM_BUDGET_EXCEEDED).
    backends: str | None = None
    max_upstream_calls: int = Field(default=50, ge=1, le=100_000)
    # Operations (docs/operations/observability.md): log lines as text or JSON, OpenTelemetry tracing
    # (needs the ``otel`` extra), the distinct operation names /metrics keeps, and how long a SIGTERM
    # waits for requests in flight (and then for background jobs) before it cancels them.
    log_format: Literal["text", "json"] = "text"
    otel: bool = False
    metrics_max_operations: int = Field(default=200, ge=1, le=10_000)
    shutdown_timeout_seconds: float = Field(default=20.0, gt=0, le=3_600)
    # Automations (gateway.automations): how often each process looks for events left unrun, how long
    # a claim on an event lasts before another process may take it over, how deep a causal chain goes.
    automation_poll_seconds: float = Field(default=2.0, gt=0, le=3_600)
    automation_lease_seconds: float = Field(default=60.0, gt=0, le=86_400)
    automation_max_chain_depth: int = Field(default=5, ge=1, le=100)
    # How long an event is kept once it ran (its run log rows stay); older ones are pruned in the sweeps.
    automation_event_retention_seconds: float = Field(default=7 * 86_400, gt=0, le=10 * 365 * 86_400)
    # Documents (docs/documents.md): where uploaded files are kept, how large and of which types.
    documents_storage: Literal["local", "s3"] = "local"
    documents_dir: str = str(DATA_DIR / "documents")
    documents_max_bytes: int = Field(default=20 * 1_048_576, ge=1, le=2_147_483_647)  # GraphQL Int
    documents_allowed_types: str = DEFAULT_DOCUMENT_TYPES
    documents_s3_bucket: str | None = None
    documents_s3_endpoint_url: str | None = None
    documents_s3_region: str = "us-east-1"
    documents_s3_access_key_id: str | None = Field(default=None, repr=False)
    documents_s3_secret_access_key: str | None = Field(default=None, repr=False)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(SUPPORTED_DRIVERS):
            raise ValueError(f"must start with one of {', '.join(SUPPORTED_DRIVERS)}")
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("must be at least 32 characters long")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if is_topology_url(value):
            parse_topology(value)  # its messages name the form, never the URL
            return value
        if not value.startswith(REDIS_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(REDIS_SCHEMES + TOPOLOGY_SCHEMES)}")
        try:
            parse_redis_url(value)
        except ValueError:
            # Not redis's own message: it may quote parts of the URL, password included.
            raise ValueError("is not a valid Redis URL (redis://[:password@]host[:port][/db])") from None
        return value

    @field_validator("trusted_documents")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("jwt_algorithms")
    @classmethod
    def _known_algorithms(cls, value: str) -> str:
        names = [name.strip().upper() for name in value.split(",") if name.strip()]
        allowed = (*HMAC_ALGORITHMS, *JWKS_ALGORITHMS)
        if not names or any(name not in allowed for name in names):
            raise ValueError(f"must be a comma-separated list of {', '.join(allowed)}")
        return ",".join(dict.fromkeys(names))

    @field_validator("jwks_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and (
            urlparse(value).scheme not in ("http", "https") or not urlparse(value).netloc
        ):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _usable_key_source(self) -> Settings:
        uses_jwks = any(name in JWKS_ALGORITHMS for name in self.algorithms)
        if uses_jwks and not self.jwks_url:
            raise ValueError(
                "CRM_GATEWAY_JWKS_URL is required when CRM_GATEWAY_JWT_ALGORITHMS has RS256 or ES256"
            )
        if self.jwks_url and not uses_jwks:
            raise ValueError(
                "CRM_GATEWAY_JWKS_URL is set but CRM_GATEWAY_JWT_ALGORITHMS has no RS256 or ES256"
            )
        if self.env is Environment.PRODUCTION and self.jwks_url and urlparse(self.jwks_url).scheme != "https":
            raise ValueError("CRM_GATEWAY_JWKS_URL must use https when CRM_GATEWAY_ENV=production")
        if self.documents_storage == "s3" and not self.documents_s3_bucket:
            raise ValueError("CRM_GATEWAY_DOCUMENTS_STORAGE=s3 needs CRM_GATEWAY_DOCUMENTS_S3_BUCKET")
        if self.workers > 1 and not self.redis_url:
            # Each worker is a replica: without Redis a subscriber on one would miss the events
            # published by another, and each would keep its own rate-limit buckets and APQ store.
            raise ValueError("CRM_GATEWAY_WORKERS above 1 needs CRM_GATEWAY_REDIS_URL (their shared state)")
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        levels = ("DEBUG", "INFO", "WARNING", "ERROR")
        if value.upper() not in levels:
            raise ValueError(f"must be one of {', '.join(levels)}")
        return value.upper()

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.env is Environment.DEVELOPMENT

    @property
    def production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def document_types(self) -> tuple[str, ...]:
        """The allowed media types of documents, lower case; ``image/*`` allows every image type."""
        return tuple(t.strip().lower() for t in self.documents_allowed_types.split(",") if t.strip())

    @property
    def rate_limit_enabled(self) -> bool:
        return self.rate_limit_per_second > 0

    @property
    def algorithms(self) -> tuple[str, ...]:
        """The accepted JWT algorithms; a token's header may only pick among these."""
        return tuple(self.jwt_algorithms.split(","))

    @property
    def accepts_shared_secret(self) -> bool:
        return any(name in HMAC_ALGORITHMS for name in self.algorithms)

    def check_key_sources(self) -> None:
        """Fail at start-up, not at the first request, when a configured algorithm has no key."""
        if self.accepts_shared_secret:
            self.resolved_jwt_secret()

    def resolved_jwt_secret(self) -> str:
        """The configured secret; in development a generated one kept in ``var/``.

        Production refuses to start without an explicit secret, so a token minted on one
        machine can never be accepted by a gateway that silently invented its own key.
        """
        if self.jwt_secret:
            return self.jwt_secret
        if self.env is Environment.PRODUCTION:
            raise SettingsError("CRM_GATEWAY_JWT_SECRET: required when CRM_GATEWAY_ENV=production")
        return _development_secret()


def _development_secret() -> str:
    path = DATA_DIR / "dev-jwt-secret"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Created owner-only from the start: the secret signs every development token.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, turning pydantic's report into one clear line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = [_problem(item["loc"], item["msg"]) for item in error.errors()]
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems)) from None


def _problem(location: tuple[int | str, ...], message: str) -> str:
    # A check across several settings has no location; its message names the variables itself.
    if not location:
        return message.removeprefix("Value error, ")
    return f"CRM_GATEWAY_{'_'.join(str(p) for p in location).upper()}: {message}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

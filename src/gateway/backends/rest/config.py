"""The routing file (``CRM_GATEWAY_BACKENDS``): which system holds each entity, and how to reach it.

    [routes]                      # entity type -> "sql" (the default) or an upstream's name
    Contact = "conecrm"
    Communication = "crmcom"

    [upstreams.conecrm]
    kind = "conecrm"              # the connector: conecrm, crmcom or akixi
    base_url = "http://127.0.0.1:9001"
    system_name = "ConeCRM"       # the ThirdPartyId systemName that links other systems' records here
    [upstreams.conecrm.credentials]
    token = "${CONECRM_TOKEN}"    # ${VAR} reads an environment variable, so secrets stay out of the file

Everything is validated at start-up; an error names the file, the place in it and what is wrong, but
never a credential's value.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.backends.records import Entity
from gateway.settings import SettingsError

SQL = "sql"
CONNECTOR_KINDS = ("conecrm", "crmcom", "akixi")
# Names a routing file may use for an entity type: the graph's type names, plus Task for Event.
ROUTE_NAMES: dict[str, Entity] = {entity.value: entity for entity in Entity} | {"Task": Entity.EVENT}
# The gateway's own records (a lead's stage moves, the automation run log): no upstream holds them.
UNROUTABLE = frozenset({Entity.LEAD_STAGE_CHANGE, Entity.AUTOMATION_RUN})
_ENV_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timeouts(_Strict):
    connect: float = Field(default=2.0, gt=0, le=300)
    read: float = Field(default=5.0, gt=0, le=300)
    total: float = Field(default=10.0, gt=0, le=600)  # the whole call, retries and backoff included


class Retries(_Strict):
    attempts: int = Field(default=3, ge=1, le=10)  # tries in all for an idempotent request
    backoff_seconds: float = Field(default=0.1, ge=0, le=60)  # base of the jittered exponential backoff
    max_retry_after_seconds: float = Field(default=5.0, ge=0, le=600)  # a longer Retry-After fails fast


class Breaker(_Strict):
    failures: int = Field(default=5, ge=1, le=1_000)  # consecutive failures that open the circuit
    reset_seconds: float = Field(default=30.0, gt=0, le=3_600)  # open time before one trial call


class UpstreamConfig(_Strict):
    name: str
    kind: str
    base_url: str = Field(pattern=r"^https?://\S+$")
    system_name: str = Field(min_length=1, max_length=100)
    credentials: dict[str, str] = Field(default_factory=dict, repr=False)
    options: dict[str, Any] = Field(default_factory=dict)  # connector-specific, documented per connector
    timeouts: Timeouts = Field(default_factory=Timeouts)
    retries: Retries = Field(default_factory=Retries)
    breaker: Breaker = Field(default_factory=Breaker)
    max_concurrency: int = Field(default=8, ge=1, le=1_000)  # calls in flight per request and upstream

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in CONNECTOR_KINDS:
            raise ValueError(f"must be one of {', '.join(CONNECTOR_KINDS)}")
        return kind


class BackendsConfig(_Strict):
    routes: dict[Entity, str] = Field(default_factory=dict)  # entities not listed live in SQL
    upstreams: dict[str, UpstreamConfig] = Field(default_factory=dict)

    def upstream_for(self, entity: Entity) -> UpstreamConfig | None:
        name = self.routes.get(entity, SQL)
        return None if name == SQL else self.upstreams[name]


def load_backends(path: str | None, environ: Mapping[str, str] = os.environ) -> BackendsConfig:
    """Read and check the routing file; no file means every entity lives in SQL."""
    if path is None:
        return BackendsConfig()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {path} is not valid TOML: {error}") from None
    return parse_backends(raw, path, environ)


def parse_backends(raw: dict[str, Any], source: str, environ: Mapping[str, str]) -> BackendsConfig:
    unknown = set(raw) - {"routes", "upstreams"}
    if unknown:
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {source}: unknown section(s) {sorted(unknown)}")
    upstreams = {
        name: _upstream(name, section, source, environ) for name, section in _table(raw, "upstreams").items()
    }
    routes = {_entity(name, source): _target(target, upstreams, source) for name, target in _routes(raw)}
    return BackendsConfig(routes=routes, upstreams=upstreams)


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: [{key}] must be a table")
    return value


def _routes(raw: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(_table(raw, "routes").items())


def _entity(name: str, source: str) -> Entity:
    if name not in ROUTE_NAMES:
        known = ", ".join(sorted(ROUTE_NAMES))
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {source}: [routes] {name!r} is not an entity ({known})")
    if ROUTE_NAMES[name] in UNROUTABLE:
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {source}: [routes] {name!r} is the gateway's own record")
    return ROUTE_NAMES[name]


def _target(target: Any, upstreams: dict[str, UpstreamConfig], source: str) -> str:
    if target != SQL and target not in upstreams:
        raise SettingsError(
            f"CRM_GATEWAY_BACKENDS: {source}: [routes] names {target!r}, which is neither 'sql' "
            "nor an [upstreams.<name>] section"
        )
    return str(target)


def _upstream(name: str, section: Any, source: str, environ: Mapping[str, str]) -> UpstreamConfig:
    if not isinstance(section, dict):
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {source}: [upstreams.{name}] must be a table")
    credentials = {
        key: _credential(name, key, value, source, environ)
        for key, value in section.get("credentials", {}).items()
    }
    try:
        return UpstreamConfig(**{**section, "name": name, "credentials": credentials})
    except ValidationError as error:
        problems = "; ".join(_problem(problem["loc"], problem["msg"]) for problem in error.errors())
        raise SettingsError(f"CRM_GATEWAY_BACKENDS: {source}: [upstreams.{name}] {problems}") from None


def _problem(location: tuple[int | str, ...], message: str) -> str:
    # pydantic's own messages, not its input values: those may be credentials.
    return f"{'.'.join(str(part) for part in location)}: {message.removeprefix('Value error, ')}"


def _credential(name: str, key: str, value: Any, source: str, environ: Mapping[str, str]) -> str:
    where = f"CRM_GATEWAY_BACKENDS: {source}: [upstreams.{name}.credentials] {key}"
    if not isinstance(value, str):
        raise SettingsError(f"{where} must be a string")
    reference = _ENV_REFERENCE.match(value)
    if reference is None:
        return value
    if reference.group(1) not in environ:
        raise SettingsError(f"{where} names the environment variable {reference.group(1)}, which is not set")
    return environ[reference.group(1)]

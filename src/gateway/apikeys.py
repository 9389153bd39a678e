"""API keys for server-to-server callers (``x-api-key``, as in seed 002): the only access to ``api_keys``.

A key reads ``crmgw_<prefix>_<secret>``: the prefix is public (it identifies the key in lists), the
secret is 256 random bits. Only the SHA-256 of the whole key is stored: with that much entropy a fast
hash cannot be brute-forced, and a lookup by hash needs no per-row work. The key is shown once, at
creation. Lookups are not cached, so a revocation takes effect with the next request.

The table is read before the tenant is known, so it is exempt from tenant scoping and row-level
security; every query here filters by tenant itself where the caller's tenant is known.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth import AuthenticationError, Principal
from gateway.backends.sql.tables import api_keys
from gateway.ids import utcnow, uuid7
from gateway.permissions import unknown_permissions

KEY_PATTERN = re.compile(r"crmgw_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
SUBJECT_PREFIX = "apikey:"
# last_used is written at most once a minute per key, not on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiKeyError(Exception):
    """A key cannot be created as asked; ``field`` names the input at fault, ``code`` the reason."""

    def __init__(self, message: str, field: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class ApiKey:
    id: UUID
    tenant: str
    name: str
    prefix: str
    permissions: tuple[str, ...]
    created_by: str | None
    date_created: datetime
    date_revoked: datetime | None
    last_used: datetime | None

    @property
    def subject(self) -> str:
        return SUBJECT_PREFIX + self.name


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its secret, which exists nowhere else: show it once, never log it."""

    key: ApiKey
    secret: str


def hash_key(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


class ApiKeyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(
        self, tenant: str, name: str, permissions: Iterable[str], created_by: str | None
    ) -> IssuedKey:
        granted = sorted(set(permissions))
        _check_new_key(name, granted)
        prefix = secrets.token_hex(4)
        secret = f"crmgw_{prefix}_{secrets.token_urlsafe(32)}"
        row = {
            "id": uuid7(),
            "tenant": tenant,
            "name": name,
            "prefix": prefix,
            "key_hash": hash_key(secret),
            "permissions": granted,
            "created_by": created_by,
            "date_created": utcnow(),
            "date_revoked": None,
            "last_used": None,
        }
        async with self.engine.begin() as connection:
            if await connection.scalar(_active_named(tenant, name)) is not None:
                raise ApiKeyError(f"An active API key named {name!r} already exists.", "name", "CONFLICT")
            await connection.execute(api_keys.insert().values(row))
        return IssuedKey(_api_key(row), secret)

    async def list(self, tenant: str) -> list[ApiKey]:
        """Every key of the tenant, revoked ones included, oldest first."""
        query = api_keys.select().where(api_keys.c.tenant == tenant).order_by(api_keys.c.date_created)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_api_key(row) for row in rows]

    async def revoke(self, key_id: UUID, tenant: str | None = None) -> ApiKey | None:
        """Revoke a key (of ``tenant``, when given); revoking twice keeps the first date. None if unknown."""
        where = [api_keys.c.id == key_id]
        if tenant is not None:
            where.append(api_keys.c.tenant == tenant)
        async with self.engine.begin() as connection:
            await connection.execute(
                api_keys.update()
                .where(*where, api_keys.c.date_revoked.is_(None))
                .values(date_revoked=utcnow())
            )
            row = (await connection.execute(api_keys.select().where(*where))).mappings().first()
        return _api_key(row) if row is not None else None

    async def authenticate(self, presented: str) -> Principal:
        if not KEY_PATTERN.fullmatch(presented):
            raise AuthenticationError("invalid API key: not a key this gateway issued")
        query = api_keys.select().where(api_keys.c.key_hash == hash_key(presented))
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            raise AuthenticationError("invalid API key: unknown key")
        key = _api_key(row)
        if key.date_revoked is not None:
            raise AuthenticationError("invalid API key: the key has been revoked")
        await self._touch(key)
        return Principal(key.subject, key.tenant, frozenset(key.permissions))

    async def _touch(self, key: ApiKey) -> None:
        now = utcnow()
        if key.last_used is not None and now - key.last_used < LAST_USED_GRANULARITY:
            return
        async with self.engine.begin() as connection:
            await connection.execute(api_keys.update().where(api_keys.c.id == key.id).values(last_used=now))


def _check_new_key(name: str, permissions: list[str]) -> None:
    if not NAME_PATTERN.fullmatch(name):
        message = (
            "The name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
        raise ApiKeyError(message, "name")
    unknown = unknown_permissions(permissions)
    if unknown:
        raise ApiKeyError(f"Unknown permissions: {', '.join(unknown)}.", "permissions")


def _active_named(tenant: str, name: str) -> sa.Select[Any]:
    c = api_keys.c
    return sa.select(c.id).where(c.tenant == tenant, c.name == name, c.date_revoked.is_(None)).limit(1)


def _api_key(row: Any) -> ApiKey:
    return ApiKey(
        id=row["id"],
        tenant=row["tenant"],
        name=row["name"],
        prefix=row["prefix"],
        permissions=tuple(row["permissions"]),
        created_by=row["created_by"],
        date_created=row["date_created"],
        date_revoked=row["date_revoked"],
        last_used=row["last_used"],
    )

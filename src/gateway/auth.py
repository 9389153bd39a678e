"""Bearer-token authentication: HS256 JWTs carrying ``sub``, ``tenant``, ``permissions`` and ``exp``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import jwt

from gateway.ids import utcnow
from gateway.permissions import grants
from gateway.settings import Settings

ALGORITHM = "HS256"  # fixed by configuration, never taken from the token's header
TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class AuthenticationError(Exception):
    """The request carries no usable credentials. The message is safe to show the caller."""


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    permissions: frozenset[str] = field(default_factory=frozenset)

    def has(self, permission: str) -> bool:
        """Whether the caller holds ``permission``, directly or through ``CRM_ALL`` / ``CUST_ALL``."""
        return grants(self.permissions, permission)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("missing Authorization header with a Bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization header must be 'Bearer <token>'")
    return token.strip()


def authenticate(token: str, settings: Settings) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.resolved_jwt_secret(),
            algorithms=[ALGORITHM],
            leeway=settings.jwt_leeway_seconds,
            options={"require": ["sub", "tenant", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("token has expired") from None
    except jwt.InvalidTokenError as error:
        raise AuthenticationError(f"invalid token: {_reason(error)}") from None
    return _principal(claims)


def _reason(error: jwt.InvalidTokenError) -> str:
    # PyJWT's messages name claims and algorithms, never the secret or the token itself.
    return str(error) or type(error).__name__


def _principal(claims: dict[str, object]) -> Principal:
    subject, tenant, permissions = claims.get("sub"), claims.get("tenant"), claims.get("permissions", [])
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("invalid token: 'sub' must be a non-empty string")
    if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
        raise AuthenticationError("invalid token: 'tenant' must be a tenant name (letters, digits, . _ -)")
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise AuthenticationError("invalid token: 'permissions' must be a list of strings")
    return Principal(subject, tenant, frozenset(permissions))


def mint_token(
    settings: Settings, subject: str, tenant: str, permissions: list[str], lifetime: timedelta
) -> str:
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError("tenant must be letters, digits, '.', '_' or '-' (at most 64)")
    now = utcnow()
    claims = {
        "sub": subject,
        "tenant": tenant,
        "permissions": permissions,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, settings.resolved_jwt_secret(), algorithm=ALGORITHM)

"""Bearer-token authentication: JWTs signed with the shared secret (HS256) or by an IdP (RS256, ES256).

The accepted algorithms come from ``CRM_GATEWAY_JWT_ALGORITHMS``, never from the token. An HS256 token
is only ever verified with ``CRM_GATEWAY_JWT_SECRET``, an RS256/ES256 token only with a public key
from ``CRM_GATEWAY_JWKS_URL``: so ``alg: none`` and "HMAC keyed with the public key" both fail.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt

from gateway.ids import utcnow
from gateway.jwks import JwksKeys, JwksUnavailable
from gateway.permissions import grants
from gateway.settings import HMAC_ALGORITHMS, Settings

TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
REQUIRED_CLAIMS = ["sub", "exp", "iat"]  # plus the tenant claim, whose name is configurable
SCOPE_CLAIM = "scope"  # OAuth's space-separated string; every other permissions claim is a list
MAX_TOKEN_LENGTH = 16_384
MAX_SUBJECT_LENGTH = 255  # the columns that store it (created_by, owner, actor ...) hold 255
# Characters no database column takes or no log line should carry: C0/C1 controls (PostgreSQL refuses
# NUL) and lone surrogates (not encodable as UTF-8), which JSON's \u escapes can put in a claim.
UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
SUBJECT_RULE = f"at most {MAX_SUBJECT_LENGTH} characters, none of them control characters"


def storable_subject(subject: str) -> bool:
    """Whether a token's subject fits where it is stored (``SUBJECT_RULE``)."""
    return len(subject) <= MAX_SUBJECT_LENGTH and UNSTORABLE.search(subject) is None


# Verified tokens are remembered (signature and claims checked once), each until it expires but at
# most this long, so that a key the identity provider withdraws stops working within this window,
# as with its JWKS cache. Bounded: the cache is emptied when it holds this many tokens.
VERIFIED_TOKEN_SECONDS = 300
VERIFIED_TOKEN_LIMIT = 4096

__all__ = ["AuthenticationError", "Authenticator", "JwksUnavailable", "Principal", "mint_token"]


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


class Authenticator:
    """Verifies tokens for one gateway process; holds the JWKS cache shared by its requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jwks = (
            JwksKeys(settings.jwks_url, settings.jwks_cache_seconds, settings.jwks_min_refresh_seconds)
            if settings.jwks_url
            else None
        )
        # token -> (verified until, principal). A client sends the same token with every request,
        # and verifying it (base64, JSON, HMAC, claims) costs ~0.1 ms of CPU each time.
        self._verified: dict[str, tuple[float, Principal]] = {}

    async def authenticate(self, token: str) -> Principal:
        """The caller a token names; ``AuthenticationError`` or ``JwksUnavailable`` when it cannot."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError("invalid token: too long")
        remembered = self._verified.get(token)
        now = time.time()
        if remembered is not None and now < remembered[0]:
            return remembered[1]
        claims = await self._verify(token)
        principal = self._principal(claims)
        if len(self._verified) >= VERIFIED_TOKEN_LIMIT:
            self._verified.clear()
        # ``exp`` is a required claim and PyJWT has checked that it is a number.
        until = min(float(claims["exp"]) + self.settings.jwt_leeway_seconds, now + VERIFIED_TOKEN_SECONDS)
        self._verified[token] = (until, principal)
        return principal

    async def _verify(self, token: str) -> dict[str, Any]:
        """The token's claims once its signature, algorithm, expiry, audience and issuer check out."""
        try:
            header = jwt.get_unverified_header(token)
            algorithm = self._algorithm(header)
            key = await self._key(header, algorithm)
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                leeway=self.settings.jwt_leeway_seconds,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": REQUIRED_CLAIMS, "verify_aud": self.settings.jwt_audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("token has expired") from None
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(f"invalid token: {_reason(error)}") from None
        return claims

    def _algorithm(self, header: dict[str, Any]) -> str:
        algorithm = header.get("alg")
        if algorithm not in self.settings.algorithms:
            accepted = ", ".join(self.settings.algorithms)
            raise AuthenticationError(f"invalid token: its algorithm is not accepted (accepted: {accepted})")
        return str(algorithm)

    async def _key(self, header: dict[str, Any], algorithm: str) -> str | jwt.PyJWK:
        if algorithm in HMAC_ALGORITHMS:
            return self.settings.resolved_jwt_secret()
        assert self.jwks is not None  # settings refuse RS256/ES256 without a JWKS URL
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("invalid token: its header names no key ('kid')")
        key = await self.jwks.key(kid)
        if key is None:
            raise AuthenticationError(
                "invalid token: signed with a key the identity provider does not publish"
            )
        return key

    def _principal(self, claims: dict[str, Any]) -> Principal:
        tenant_claim = self.settings.jwt_tenant_claim
        permissions_claim = self.settings.jwt_permissions_claim
        subject, tenant = claims["sub"], _claim(claims, tenant_claim)
        if not isinstance(subject, str) or not subject:
            raise AuthenticationError("invalid token: 'sub' must be a non-empty string")
        if not storable_subject(subject):
            # Stored as who created, changed or owns a record: refused here, not cut (two long subjects
            # sharing a prefix would become one owner) nor failing the first write as an internal error.
            raise AuthenticationError(f"invalid token: 'sub' must be {SUBJECT_RULE}")
        if tenant is None:
            raise AuthenticationError(f'invalid token: Token is missing the "{tenant_claim}" claim')
        if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
            message = f"invalid token: '{tenant_claim}' must be a tenant name (letters, digits, . _ -)"
            raise AuthenticationError(message)
        return Principal(subject, tenant, _permissions(_claim(claims, permissions_claim), permissions_claim))


def _claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name, or by dotted path into nested objects (``realm_access.roles``).

    The whole name is tried first, because some IdPs use URLs with dots as claim names.
    """
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _permissions(value: Any, name: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if name == SCOPE_CLAIM and isinstance(value, str):
        return frozenset(value.split())
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise AuthenticationError(f"invalid token: '{name}' must be a list of strings")
    return frozenset(value)


NOT_A_JWT = "the bearer token is not a valid JWT (three base64url parts separated by dots)"


def _reason(error: jwt.InvalidTokenError) -> str:
    # PyJWT's decoding messages ("Invalid header padding", "Not enough segments") describe its parser,
    # not the caller's mistake; its other messages name claims and algorithms, never the secret or token.
    if isinstance(error, jwt.DecodeError) and not isinstance(error, jwt.InvalidSignatureError):
        return NOT_A_JWT
    return str(error) or type(error).__name__


async def authenticate(token: str, settings: Settings) -> Principal:
    """One-off verification (CLI, tests); the HTTP view keeps one ``Authenticator`` for its JWKS cache."""
    return await Authenticator(settings).authenticate(token)


def mint_token(
    settings: Settings, subject: str, tenant: str, permissions: list[str], lifetime: timedelta
) -> str:
    """A development token signed with the shared secret, with the configured claim names."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError("tenant must be letters, digits, '.', '_' or '-' (at most 64)")
    if not storable_subject(subject):
        raise ValueError(f"subject must be {SUBJECT_RULE}")
    if not settings.accepts_shared_secret:
        raise ValueError("tokens can only be minted when CRM_GATEWAY_JWT_ALGORITHMS includes HS256")
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    _set_claim(claims, settings.jwt_tenant_claim, tenant)
    scope = settings.jwt_permissions_claim == SCOPE_CLAIM
    _set_claim(claims, settings.jwt_permissions_claim, " ".join(permissions) if scope else permissions)
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.resolved_jwt_secret(), algorithm="HS256")


def _set_claim(claims: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    for part in parents:
        claims = claims.setdefault(part, {})
    claims[last] = value

"""JWT verification against a real JWKS endpoint on 127.0.0.1 serving RSA and EC keys, with rotation.

The gateway accepts HS256 (shared secret) beside RS256 and ES256 (JWKS) here, so that the algorithm
confusion case shows the HS256 path never uses a published public key.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from conftest import SECRET
from gateway.app import create_app
from gateway.auth import authenticate, mint_token
from gateway.settings import Settings, SettingsError, load_settings
from servers import free_port, threaded_server

AUDIENCE = "crm-gateway"
ISSUER = "https://idp.example.test/"
ME = "{ me { subject permissions tenant { key } } }"


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: Any

    def jwk(self) -> dict[str, Any]:
        to_jwk = RSAAlgorithm.to_jwk if self.algorithm == "RS256" else ECAlgorithm.to_jwk
        public = to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header})


def rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


@dataclass
class Idp:
    """The identity provider's JWKS endpoint: which keys it publishes, and how often it was asked."""

    published: list[SigningKey]
    fetches: int = 0
    failing: bool = False
    url: str = ""
    extra: list[dict[str, Any]] = field(default_factory=list)

    async def jwks(self, _: Request) -> Response:
        self.fetches += 1
        if self.failing:
            return JSONResponse({"error": "down"}, status_code=500)
        return JSONResponse({"keys": [key.jwk() for key in self.published] + self.extra})


async def login_page(_: Request) -> Response:
    """What a misconfigured JWKS URL often returns: a 200 page that is not JSON."""
    return HTMLResponse("<html><body>Sign in</body></html>")


RSA_1, EC_1 = rsa_key("rsa-1"), ec_key("ec-1")


@pytest.fixture(scope="module")
def idp() -> Iterator[Idp]:
    provider = Idp(published=[RSA_1, EC_1])
    routes = [Route("/.well-known/jwks.json", provider.jwks), Route("/login", login_page)]
    app = Starlette(routes=routes)
    with threaded_server(app) as base:
        provider.url = f"{base}/.well-known/jwks.json"
        yield provider


@pytest.fixture(autouse=True)
def reset_idp(idp: Idp) -> None:
    idp.published, idp.failing, idp.extra = [RSA_1, EC_1], False, []


def idp_settings(sqlite_url: str, idp: Idp, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": sqlite_url,
        "jwt_secret": SECRET,
        "jwt_algorithms": "HS256,RS256,ES256",
        "jwks_url": idp.url,
        "jwks_min_refresh_seconds": 0,
        "jwt_audience": AUDIENCE,
        "jwt_issuer": ISSUER,
        "jwt_leeway_seconds": 5,
    }
    return load_settings(**(values | overrides))


@asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh app, so each test starts with an empty JWKS cache."""
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield http
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def http(sqlite_url: str, idp: Idp) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway(idp_settings(sqlite_url, idp)) as client:
        yield client


def claims(*without: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "sub": "alice",
        "tenant": "acme",
        "permissions": ["CUST_READ"],
        "iat": now,
        "exp": now + 600,
        "aud": AUDIENCE,
        "iss": ISSUER,
    }
    return {k: v for k, v in (values | changes).items() if k not in without}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(signature)}"


def hs256_with_public_key(key: SigningKey, payload: dict[str, Any]) -> str:
    """The classic confusion attack: HMAC keyed with the RSA public key that the JWKS publishes."""
    pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": key.kid}, payload).rsplit(".", 1)[0]
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def ask(http: httpx.AsyncClient, token: str, query: str = ME) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})


def assert_refused(response: httpx.Response, token: str, status: int = 401) -> str:
    body = response.json()
    assert response.status_code == status, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == ("UNAUTHENTICATED" if status == 401 else "SERVICE_UNAVAILABLE")
    assert token not in response.text
    return str(error["message"])


async def test_an_rs256_token_from_the_idp_is_accepted(http: httpx.AsyncClient) -> None:
    response = await ask(http, RSA_1.sign(claims()))
    assert response.status_code == 200, response.text
    me = response.json()["data"]["me"]
    assert me == {"subject": "alice", "permissions": ["CUST_READ"], "tenant": {"key": "acme"}}


async def test_a_token_accepted_before_is_refused_once_it_expires(sqlite_url: str, idp: Idp) -> None:
    # The gateway remembers verified tokens; the memory must not outlive the token's expiry.
    async with gateway(idp_settings(sqlite_url, idp, jwt_leeway_seconds=0)) as http:
        token = RSA_1.sign(claims(exp=int(time.time()) + 2))
        for _ in range(2):
            response = await ask(http, token)
            assert response.status_code == 200, response.text
        await asyncio.sleep(
            max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"] - time.time()) + 0.2
        )
        assert "expired" in assert_refused(await ask(http, token), token)


async def test_an_es256_token_from_the_idp_is_accepted(http: httpx.AsyncClient) -> None:
    response = await ask(http, EC_1.sign(claims(sub="bob")))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["subject"] == "bob"


async def test_an_hs256_token_with_the_shared_secret_is_still_accepted(http: httpx.AsyncClient) -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    response = await ask(http, token)
    assert response.status_code == 200, response.text


OTHER_RSA = rsa_key("rsa-1")  # same kid as the published key, different key material
NOW = int(time.time())
BAD_TOKENS = {
    "expired": lambda: RSA_1.sign(claims(iat=NOW - 7200, exp=NOW - 3600)),
    "not yet valid (nbf)": lambda: RSA_1.sign(claims(nbf=int(time.time()) + 3600)),
    "issued in the future (iat)": lambda: RSA_1.sign(claims(iat=int(time.time()) + 3600)),
    "wrong signature": lambda: OTHER_RSA.sign(claims()),
    "wrong audience": lambda: RSA_1.sign(claims(aud="someone-else")),
    "no audience": lambda: RSA_1.sign(claims("aud")),
    "wrong issuer": lambda: RSA_1.sign(claims(iss="https://evil.example.test/")),
    "alg none": lambda: unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims()),
    "alg None with a signature": lambda: unsigned({"alg": "None", "kid": "rsa-1"}, claims(), b"sig"),
    "HS256 keyed with the RSA public key": lambda: hs256_with_public_key(RSA_1, claims()),
    "RS512 is not configured": lambda: jwt.encode(
        claims(), RSA_1.private, algorithm="RS512", headers={"kid": "rsa-1"}
    ),
    "RS256 header on the EC key": lambda: unsigned({"alg": "RS256", "kid": "ec-1"}, claims(), b"x" * 64),
    "no kid": lambda: jwt.encode(claims(), RSA_1.private, algorithm="RS256"),
    "missing sub": lambda: RSA_1.sign(claims("sub")),
    "missing tenant": lambda: RSA_1.sign(claims("tenant")),
    "missing exp": lambda: RSA_1.sign(claims("exp")),
    "missing iat": lambda: RSA_1.sign(claims("iat")),
    "tenant with a space": lambda: RSA_1.sign(claims(tenant="acme corp")),
    "tenant is a number": lambda: RSA_1.sign(claims(tenant=42)),
    "permissions is a string": lambda: RSA_1.sign(claims(permissions="CRM_ALL")),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_tokens_are_refused_with_401(http: httpx.AsyncClient, case: str) -> None:
    token = BAD_TOKENS[case]()
    assert_refused(await ask(http, token), token)


@pytest.mark.parametrize(
    ("case", "mentions"),
    [
        ("expired", "expired"),
        ("not yet valid (nbf)", "nbf"),
        ("issued in the future (iat)", "iat"),
        ("wrong signature", "Signature"),
        ("wrong audience", "audience"),
        ("wrong issuer", "issuer"),
        ("alg none", "algorithm"),
        ("HS256 keyed with the RSA public key", "Signature"),
        ("RS256 header on the EC key", "algorithm"),
        ("no kid", "kid"),
        ("no audience", "aud"),
        ("missing sub", "sub"),
        ("missing exp", "exp"),
        ("missing iat", "iat"),
        ("missing tenant", "tenant"),
    ],
)
async def test_refusals_say_why(http: httpx.AsyncClient, case: str, mentions: str) -> None:
    token = BAD_TOKENS[case]()
    assert mentions.lower() in assert_refused(await ask(http, token), token).lower()


@pytest.mark.parametrize("garbage", ["not.a.jwt", "abc", "a.b", "eyJhbGciOiJIUzI1NiJ9.e30", "a.b.c"])
async def test_a_token_that_is_no_jwt_is_refused_in_our_words(http: httpx.AsyncClient, garbage: str) -> None:
    # PyJWT's own wording ("Invalid header padding", "Not enough segments") describes its parser.
    message = assert_refused(await ask(http, garbage), garbage)
    assert (
        message
        == "invalid token: the bearer token is not a valid JWT (three base64url parts separated by dots)"
    )


async def test_algorithm_confusion_is_refused_when_only_rs256_is_configured(
    sqlite_url: str, idp: Idp
) -> None:
    token = hs256_with_public_key(RSA_1, claims())
    async with gateway(idp_settings(sqlite_url, idp, jwt_algorithms="RS256")) as http:
        message = assert_refused(await ask(http, token), token)
    assert "algorithm" in message


async def test_an_unknown_kid_refreshes_once_then_a_rotated_in_key_is_accepted(
    http: httpx.AsyncClient, idp: Idp
) -> None:
    rotated = rsa_key("rsa-2")
    assert (await ask(http, RSA_1.sign(claims()))).status_code == 200
    before = idp.fetches
    token = rotated.sign(claims())
    assert_refused(await ask(http, token), token)  # not published yet
    assert idp.fetches == before + 1  # one refresh for the unknown kid, no retry loop

    idp.published = [rotated, EC_1]  # the IdP rotates: rsa-1 out, rsa-2 in
    response = await ask(http, token)
    assert response.status_code == 200, response.text
    assert idp.fetches == before + 2

    never = rsa_key("rsa-never")
    token = never.sign(claims())
    assert "key" in assert_refused(await ask(http, token), token)
    assert idp.fetches == before + 3


async def test_refreshes_for_unknown_kids_are_rate_limited(sqlite_url: str, idp: Idp) -> None:
    async with gateway(idp_settings(sqlite_url, idp, jwks_min_refresh_seconds=3600)) as http:
        assert (await ask(http, RSA_1.sign(claims()))).status_code == 200
        before = idp.fetches
        for number in range(5):
            token = rsa_key(f"random-{number}").sign(claims())
            assert_refused(await ask(http, token), token)
        assert idp.fetches == before  # made-up kids cannot make the gateway hammer the IdP
        assert (await ask(http, EC_1.sign(claims()))).status_code == 200


async def test_a_symmetric_key_in_the_jwks_verifies_nothing(http: httpx.AsyncClient, idp: Idp) -> None:
    secret = b"published-symmetric-secret-" + b"k" * 16
    idp.extra = [{"kty": "oct", "kid": "sym", "k": b64(secret), "alg": "HS256"}]
    token = jwt.encode(claims(), secret, algorithm="HS256", headers={"kid": "sym"})
    assert_refused(await ask(http, token), token)


@pytest.mark.parametrize("where", ["closed port", "not JSON"])
async def test_an_unusable_jwks_endpoint_is_503_not_500(sqlite_url: str, idp: Idp, where: str) -> None:
    url = (
        f"http://127.0.0.1:{free_port()}/jwks.json"
        if where == "closed port"
        else idp.url.replace("/.well-known/jwks.json", "/login")
    )
    token = RSA_1.sign(claims())
    async with gateway(idp_settings(sqlite_url, idp, jwks_url=url)) as http:
        response = await ask(http, token)
    message = assert_refused(response, token, status=503)
    assert "unreachable" in message
    assert response.headers["retry-after"]


async def test_known_keys_keep_working_while_the_jwks_endpoint_fails(sqlite_url: str, idp: Idp) -> None:
    async with gateway(idp_settings(sqlite_url, idp, jwks_cache_seconds=1)) as http:
        assert (await ask(http, RSA_1.sign(claims()))).status_code == 200
        idp.failing = True
        before = idp.fetches
        time.sleep(1.1)  # let the cached set expire, so the next request tries to refresh it
        response = await ask(http, RSA_1.sign(claims()))
        assert response.status_code == 200, response.text
        assert idp.fetches == before + 1


async def test_claim_names_are_configurable(sqlite_url: str, idp: Idp) -> None:
    settings = idp_settings(
        sqlite_url, idp, jwt_tenant_claim="org_id", jwt_permissions_claim="realm_access.roles"
    )
    keycloak = claims("tenant", "permissions", org_id="globex", realm_access={"roles": ["CRM_TASK_VIEW"]})
    async with gateway(settings) as http:
        response = await ask(http, RSA_1.sign(keycloak))
        assert response.status_code == 200, response.text
        me = response.json()["data"]["me"]
        assert (me["tenant"]["key"], me["permissions"]) == ("globex", ["CRM_TASK_VIEW"])
        token = RSA_1.sign(claims())  # "tenant" is not the configured claim
        assert "org_id" in assert_refused(await ask(http, token), token)


async def test_an_oauth_scope_string_grants_its_permissions(sqlite_url: str, idp: Idp) -> None:
    settings = idp_settings(sqlite_url, idp, jwt_permissions_claim="scope")
    async with gateway(settings) as http:
        response = await ask(http, RSA_1.sign(claims("permissions", scope="CUST_READ CRM_TASK_VIEW")))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["permissions"] == ["CRM_TASK_VIEW", "CUST_READ"]


@pytest.mark.parametrize(
    ("overrides", "mentions"),
    [
        ({"jwt_algorithms": "RS256"}, "CRM_GATEWAY_JWKS_URL is required"),
        ({"jwt_algorithms": "HS256,none"}, "CRM_GATEWAY_JWT_ALGORITHMS"),
        ({"jwt_algorithms": "HS512"}, "CRM_GATEWAY_JWT_ALGORITHMS"),
        ({"jwks_url": "http://127.0.0.1/jwks.json"}, "has no RS256 or ES256"),
        ({"jwt_algorithms": "RS256", "jwks_url": "file:///etc/passwd"}, "CRM_GATEWAY_JWKS_URL"),
        (
            {"env": "production", "jwt_algorithms": "RS256", "jwks_url": "http://idp.example.test/jwks"},
            "must use https",
        ),
        ({"jwt_tenant_claim": "org id"}, "CRM_GATEWAY_JWT_TENANT_CLAIM"),
        ({"jwks_cache_seconds": 0}, "CRM_GATEWAY_JWKS_CACHE_SECONDS"),
        ({"jwt_audience": ""}, "CRM_GATEWAY_JWT_AUDIENCE"),
    ],
)
def test_unusable_auth_settings_are_refused(overrides: dict[str, Any], mentions: str) -> None:
    with pytest.raises(SettingsError, match=mentions):
        load_settings(**overrides)


def test_development_tokens_need_hs256_among_the_algorithms(idp: Idp) -> None:
    settings = load_settings(jwt_secret=SECRET, jwt_algorithms="RS256", jwks_url=idp.url)
    with pytest.raises(ValueError, match="HS256"):
        mint_token(settings, "u", "acme", [], timedelta(hours=1))


def test_development_tokens_use_the_configured_claim_names() -> None:
    settings = load_settings(
        jwt_secret=SECRET,
        jwt_tenant_claim="org_id",
        jwt_permissions_claim="realm_access.roles",
        jwt_audience=AUDIENCE,
        jwt_issuer=ISSUER,
    )
    token = mint_token(settings, "u", "acme", ["CUST_READ"], timedelta(hours=1))
    principal = asyncio.run(authenticate(token, settings))
    assert (principal.tenant, principal.permissions) == ("acme", frozenset({"CUST_READ"}))
    decoded = jwt.decode(token, options={"verify_signature": False})
    assert (decoded["org_id"], decoded["realm_access"], decoded["aud"]) == (
        "acme",
        {"roles": ["CUST_READ"]},
        AUDIENCE,
    )

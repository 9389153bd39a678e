"""The ``/graphql`` endpoint: authenticate, build the request context, run Strawberry's view."""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.unset import UNSET, UnsetType

from gateway.apikeys import ApiKeyStore
from gateway.auth import AuthenticationError, Authenticator, JwksUnavailable, Principal, bearer_token
from gateway.backends.sql.store import SqlBackend
from gateway.context import RequestContext
from gateway.cost import Cost
from gateway.settings import Settings
from loaders import Loaders
from resolvers.schema import schema

log = logging.getLogger("gateway.http")
ANONYMOUS = Principal(subject="anonymous", tenant="-")


class Metrics:
    """Counters in the Prometheus text format; enough to see traffic and batching at a glance."""

    def __init__(self) -> None:
        self.responses: Counter[int] = Counter()
        self.sql_statements = 0

    def render(self) -> str:
        lines = ["# TYPE crm_gateway_responses_total counter"]
        lines += [
            f'crm_gateway_responses_total{{status="{code}"}} {n}'
            for code, n in sorted(self.responses.items())
        ]
        lines += [
            "# TYPE crm_gateway_sql_statements_total counter",
            f"crm_gateway_sql_statements_total {self.sql_statements}",
        ]
        return "\n".join(lines) + "\n"


class Credentials:
    """Who a request is: a Bearer token or an API key, never both (which one would win is unclear)."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.tokens = Authenticator(settings)
        self.api_keys = ApiKeyStore(engine)

    async def principal(self, authorization: str | None, api_key: str | None) -> Principal:
        if authorization is not None and api_key is not None:
            raise AuthenticationError("send either an Authorization header or an x-api-key header, not both")
        if api_key is not None:
            return await self.api_keys.authenticate(api_key)
        return await self.tokens.authenticate(bearer_token(authorization))


@dataclass
class WebSocketContext(RequestContext):
    """The context of one WebSocket: anonymous until ``connection_init`` names the caller."""

    connection_params: dict[str, Any] = field(default_factory=dict)


class _TransportWsHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        # A socket's context lives as long as the socket: each operation must read current data.
        self.context.loaders.clear()
        await super().run_operation(operation)


class StrawberryView(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = _TransportWsHandler

    def __init__(self, settings: Settings, engine: AsyncEngine, credentials: Credentials) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            keep_alive=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.engine = engine
        self.credentials = credentials

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        if isinstance(request, WebSocket):
            # Browsers cannot set headers on a WebSocket: the caller is known at connection_init.
            return self._context(WebSocketContext, ANONYMOUS, Cost(), uuid.uuid4().hex[:16])
        scope = request.scope
        return self._context(
            RequestContext, scope["gateway.principal"], scope["gateway.cost"], scope["gateway.request_id"]
        )

    def _context(
        self, kind: type[RequestContext], principal: Principal, cost: Cost, request_id: str
    ) -> RequestContext:
        backend = SqlBackend(self.engine, principal.tenant, cost)
        return kind(
            principal=principal,
            backend=backend,
            loaders=Loaders(backend),
            settings=self.settings,
            request_id=request_id,
            cost=cost,
            api_keys=self.credentials.api_keys,
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Authenticate from the connection_init payload; a refusal closes the socket with 4403."""
        assert isinstance(context, WebSocketContext)
        try:
            principal = await self.credentials.principal(*_payload_credentials(context.connection_params))
        except (AuthenticationError, JwksUnavailable) as error:
            log.info("WebSocket %s refused: %s", context.request_id, error)
            raise ConnectionRejectionError from None
        context.principal = principal
        context.backend = SqlBackend(self.engine, principal.tenant, context.cost)
        context.loaders = Loaders(context.backend)
        return UNSET


def _payload_credentials(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    """``Authorization`` and ``x-api-key`` from a connection_init payload, whatever their case."""
    found: dict[str, str | None] = {"authorization": None, "x-api-key": None}
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() in found:
            if not isinstance(value, str):
                raise AuthenticationError(f"'{key}' in the connection_init payload must be a string")
            found[key.lower()] = value
    return found["authorization"], found["x-api-key"]


class GraphQLView:
    def __init__(self, settings: Settings, engine: AsyncEngine, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.credentials = Credentials(settings, engine)
        self.strawberry = StrawberryView(settings, engine, self.credentials)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = uuid.uuid4().hex[:16]
        cost = Cost()
        body = await request.body()
        principal = await self._principal(request, body, request_id)
        if isinstance(principal, Response):
            self.metrics.responses[principal.status_code] += 1
            await principal(scope, receive, send)
            return
        scope.update({"gateway.principal": principal, "gateway.cost": cost, "gateway.request_id": request_id})
        status = await self._run(scope, body, send, request_id)
        self.metrics.responses[status] += 1
        self.metrics.sql_statements += cost.sql_statements

    async def _run(self, scope: Scope, body: bytes, send: Send, request_id: str) -> int:
        sent_body = False
        response = _ResponseRewriter(send, request_id)

        async def replay() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.strawberry(scope, replay, response.send)
        return response.status

    async def _principal(self, request: Request, body: bytes, request_id: str) -> Principal | Response:
        """The caller, or the error response to send instead."""
        headers = request.headers
        try:
            return await self.credentials.principal(headers.get("authorization"), headers.get("x-api-key"))
        except AuthenticationError as error:
            if self._may_skip_auth(request, body):
                return ANONYMOUS
            return _unauthenticated(str(error), request_id)
        except JwksUnavailable as error:
            log.warning("request %s: %s", request_id, error)
            return _unavailable(str(error), request_id, self.settings.jwks_min_refresh_seconds)

    def _may_skip_auth(self, request: Request, body: bytes) -> bool:
        """GraphiQL's page and its schema introspection work before a token is pasted (not in production)."""
        if not self.settings.graphiql_enabled:
            return False
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return True
        return _is_introspection_only(_query_text(request, body))


class _ResponseRewriter:
    """Adds the request id, and turns Strawberry's plain-text request errors into GraphQL JSON errors."""

    def __init__(self, send: Send, request_id: str) -> None:
        self._send = send
        self.request_id = request_id
        self.status = 500
        self._held: Message | None = None
        self._text = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = [*message.get("headers", []), (b"x-request-id", self.request_id.encode())]
            message = {**message, "headers": headers}
            if self.status >= 400 and _is_plain_text(headers):
                self._held = message
                return
        elif self._held is not None:
            self._text += message.get("body", b"")
            if not message.get("more_body", False):
                await self._send_json_error()
            return
        await self._send(message)

    async def _send_json_error(self) -> None:
        text = self._text.decode(errors="replace").strip() or "Bad request"
        body = json.dumps(
            {
                "errors": [
                    {"message": text, "extensions": {"code": "BAD_REQUEST", "requestId": self.request_id}}
                ]
            }
        ).encode()
        assert self._held is not None
        headers = [
            (name, value)
            for name, value in self._held["headers"]
            if name.lower() not in (b"content-type", b"content-length")
        ]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await self._send({**self._held, "headers": headers})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})


def _is_plain_text(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() == b"content-type" and value.startswith(b"text/plain") for name, value in headers)


def _query_text(request: Request, body: bytes) -> str | None:
    if request.method == "GET":
        return request.query_params.get("query")
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload.get("query") if isinstance(payload, dict) else None


def _is_introspection_only(query: Any) -> bool:
    if not isinstance(query, str) or len(query) > 20_000:
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(
        getattr(selection, "name", None) is not None and selection.name.value.startswith("__")  # type: ignore[attr-defined]
        for operation in operations
        for selection in operation.selection_set.selections
    )


def _unauthenticated(message: str, request_id: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="crm-gateway"', "x-request-id": request_id}
    return _refusal(401, "UNAUTHENTICATED", message, request_id, headers)


def _unavailable(message: str, request_id: str, retry_after: int) -> Response:
    """The IdP's keys cannot be fetched: the token may be fine, so 503 (retry), not 401 (log in again)."""
    headers = {"Retry-After": str(max(retry_after, 1)), "x-request-id": request_id}
    return _refusal(503, "SERVICE_UNAVAILABLE", message, request_id, headers)


def _refusal(status: int, code: str, message: str, request_id: str, headers: dict[str, str]) -> Response:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code}}],
        "extensions": {"cost": Cost().as_extension(), "requestId": request_id},
    }
    return JSONResponse(body, status_code=status, headers=headers)

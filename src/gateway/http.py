"""The ``/graphql`` endpoint: authenticate, build the request context, run Strawberry's view."""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from gateway.auth import AuthenticationError, Principal, authenticate, bearer_token
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


class StrawberryView(GraphQL[RequestContext, None]):
    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        super().__init__(
            schema, graphql_ide="graphiql" if settings.graphiql_enabled else None, allow_queries_via_get=True
        )
        self.settings = settings
        self.engine = engine

    def parse_json(self, data: str | bytes) -> Any:
        """Strawberry reads ``.get`` of whatever JSON the body holds: ``null`` or ``5`` was an HTTP 500,
        and so was a body that is not UTF-8."""
        try:
            parsed = super().parse_json(data)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body is not UTF-8") from error
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body and `variables` must be JSON objects")
        return parsed

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        principal: Principal = request.scope["gateway.principal"]
        cost: Cost = request.scope["gateway.cost"]
        backend = SqlBackend(self.engine, principal.tenant, cost)
        return RequestContext(
            principal=principal,
            backend=backend,
            loaders=Loaders(backend),
            settings=self.settings,
            request_id=request.scope["gateway.request_id"],
            cost=cost,
        )


class GraphQLView:
    def __init__(self, settings: Settings, engine: AsyncEngine, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.strawberry = StrawberryView(settings, engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = uuid.uuid4().hex[:16]
        cost = Cost()
        body = await request.body()
        principal = self._principal(request, body)
        if isinstance(principal, AuthenticationError):
            response = _unauthenticated(str(principal), request_id)
            self.metrics.responses[response.status_code] += 1
            await response(scope, receive, send)
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

    def _principal(self, request: Request, body: bytes) -> Principal | AuthenticationError:
        try:
            return authenticate(bearer_token(request.headers.get("authorization")), self.settings)
        except AuthenticationError as error:
            if self._may_skip_auth(request, body):
                return ANONYMOUS
            return error

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
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
        "extensions": {"cost": Cost().as_extension(), "requestId": request_id},
    }
    headers = {"WWW-Authenticate": 'Bearer realm="crm-gateway"', "x-request-id": request_id}
    return JSONResponse(body, status_code=401, headers=headers)

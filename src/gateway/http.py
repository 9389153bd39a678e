"""The ``/graphql`` endpoint: authenticate, build the request context, run Strawberry's view."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any

from cross_web import FormData, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError, OperationDefinitionNode, parse
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from gateway import internals, jsontext, safejson
from gateway.apikeys import ApiKeyStore
from gateway.auth import AuthenticationError, Authenticator, JwksUnavailable, Principal, bearer_token
from gateway.automations.runner import AutomationRunner
from gateway.backends.access import RowAccess
from gateway.backends.base import Backend
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.upstreams import Upstreams
from gateway.backends.sql.store import SqlBackend
from gateway.context import RequestContext
from gateway.cost import Cost
from gateway.errors import ExecutionTimeout
from gateway.graphiql import graphiql_page
from gateway.media import mark_request_error, negotiate_into, shape_result, typed_send
from gateway.multiplex import Frames, LiveDelivery, Multiplexer
from gateway.observability.middleware import websocket_operation_finished
from gateway.observability.pubsub import ObservedPubSub
from gateway.observability.request import Observation, current
from gateway.outages import RETRY_AFTER_SECONDS, is_retryable, outage_error
from gateway.persisted import PersistedQueries, Refusal
from gateway.pubsub import PubSub, create_pubsub
from gateway.ratelimit import RateLimiter, create_rate_limiter
from gateway.settings import Settings
from gateway.storage import BlobStorage
from gateway.ws_refusals import ExplainedRefusals
from loaders import Loaders
from resolvers.schema import schema

log = logging.getLogger("gateway.http")
ANONYMOUS = Principal(subject="anonymous", tenant="-")
NULL_PAYLOAD = "null}"  # how an encoded ``next`` message without a payload ends


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

    # repr=False: both hold the caller's credentials, which a logged context must not show.
    connection_params: dict[str, Any] = field(default_factory=dict, repr=False)
    # The payload's Authorization, read once at connection_init: what the socket's loads forward to
    # upstreams and what its subscription groups are keyed by.
    authorization: str | None = field(default=None, repr=False)
    refusal: str | None = None  # why connection_init was refused: the reason of the 4403 close


class _TransportWsHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    _pinger: asyncio.Task[None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.websocket = ExplainedRefusals(self.websocket, lambda: getattr(self.context, "refusal", None))

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        """Strawberry's ``run_operation``, with a context of the operation's own.

        The socket's context lives as long as the socket; each operation gets fresh loaders and cost
        (same caller and rules), so it reads current data and ``extensions.cost`` counts its own work.
        """
        assert isinstance(self.view, StrawberryView) and isinstance(self.context, WebSocketContext)
        context = self.view.operation_context(self.context)
        observation = Observation(request_id=context.request_id, websocket=True)
        current.set(observation)  # this operation's task has a context of its own
        started = time.perf_counter()
        try:
            await self._run_operation(operation, context)
        finally:
            websocket_operation_finished(observation, time.perf_counter() - started)

    async def _run_operation(
        self, operation: Operation[RequestContext, None], context: RequestContext
    ) -> None:
        live = context.live = self._live(operation)
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
        finally:
            live.leave()

    def _live(self, operation: Operation[RequestContext, None]) -> LiveDelivery:
        """How a subscription's events reach this socket: its group's payloads (gateway.multiplex)."""
        assert isinstance(self.view, StrawberryView) and isinstance(self.context, WebSocketContext)
        socket, view = self.context, self.view

        async def send(payload: Any) -> None:
            await operation.send_operation_message({"id": operation.id, "type": "next", "payload": payload})

        # With upstream routing, a group's loads forward the caller's token: only members holding the
        # same one share them.
        forwarded = None if view.upstreams is None else socket.authorization
        return view.multiplexer.delivery(
            socket.principal,
            (operation.query, operation.operation_name, operation.variables),
            send,
            lambda: view.operation_context(socket),
            _read_session,
            forwarded,
            self._frames(operation),
        )

    def _frames(self, operation: Operation[RequestContext, None]) -> Frames | None:
        """How a group's driver writes this operation's ``next`` messages: the bytes ``send`` above
        writes (Strawberry's message, encoded by ``encode_json``), straight to the socket."""
        write = internals.websocket_text_sender(self.websocket)
        if write is None or not isinstance(self.view, StrawberryView):
            return None
        empty = self.view.encode_json({"id": operation.id, "type": "next", "payload": None})
        if not empty.endswith(NULL_PAYLOAD):
            return None
        handler = self

        def is_open() -> bool:  # what Operation.send_operation_message and cleanup_operation decide
            return not operation.completed and handler.operations.get(operation.id) is operation

        return Frames(empty.removesuffix(NULL_PAYLOAD), write, is_open)

    async def handle_subscribe(self, message: Any) -> None:
        """Over the cap, this operation gets an ``error`` with a code; the running ones go on."""
        limit = self.context.settings.max_subscriptions_per_connection
        full = len(self.operations) >= limit and message["id"] not in self.operations
        if self.connection_acknowledged and full:
            error = GraphQLError(
                f"This connection already runs {limit} operations, the limit; complete one first.",
                extensions={"code": "SUBSCRIPTION_LIMIT", "limit": limit},
            )
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping_regularly())

    async def _ping_regularly(self) -> None:
        """Protocol pings keep idle connections alive through proxies and mobile networks."""
        interval = self.context.settings.ws_ping_seconds
        try:
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})
        except Exception:  # the socket is gone; the handler's shutdown follows
            return

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        await super().shutdown()


class _ParsedFormAdapter(StarletteRequestAdapter):
    """Hands Strawberry the multipart form ``GraphQLView`` parsed already, under its own limits."""

    async def get_form_data(self) -> FormData:
        form = self._request.scope.get(FORM_SCOPE_KEY)
        if form is None:
            raise HTTPException(400, "Unable to parse the multipart body")
        return FormData(files=form, form=form)


class StrawberryView(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = _TransportWsHandler
    request_adapter_class = _ParsedFormAdapter

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        credentials: Credentials,
        pubsub: PubSub,
        upstreams: Upstreams | None = None,
        storage: BlobStorage | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=None,  # _TransportWsHandler caps them, with a code
            # The GraphQL multipart request spec (documentUpload); GraphQLView parses the form first.
            multipart_uploads_enabled=True,
        )
        self.storage = storage
        self.settings = settings
        self.engine = engine
        self.credentials = credentials
        self.pubsub = pubsub
        self.upstreams = upstreams  # None without a routing file
        self.automations = AutomationRunner(engine, settings, pubsub)  # its loop: create_app's lifespan
        # During a pub/sub outage members keep their own subscriptions (gateway.pubsub reads the log).
        self.multiplexer = Multiplexer(schema, self.encode_json, lambda: pubsub.connected)

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

    def decode_json(self, data: str | bytes) -> object:
        """Without recursion, refused past the depth limit: bodies, GET parameters, WebSocket messages."""
        return safejson.loads(data, self.settings.max_json_depth)

    def encode_json(self, data: object) -> str:
        """orjson: ~5x faster than ``json.dumps`` on a page of 50 contacts with their relations; a
        planned root field's JSON text is spliced in as it is (``gateway.jsontext``).

        A str, not bytes: Strawberry sends bytes over a WebSocket as binary frames, which
        graphql-transport-ws clients do not accept.
        """
        return jsontext.dumps(data).decode()

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        if isinstance(request, WebSocket):
            # Browsers cannot set headers on a WebSocket: the caller is known at connection_init.
            return self._context(WebSocketContext, ANONYMOUS, Cost(), uuid.uuid4().hex[:16])
        scope = request.scope
        context = self._context(
            RequestContext,
            scope["gateway.principal"],
            scope["gateway.cost"],
            scope["gateway.request_id"],
            request.headers.get("authorization"),
        )
        context.selection_hints = not scope.get("gateway.batch", True)
        context.json_text_results = True  # encode_json splices them
        return context

    def operation_context(self, socket: WebSocketContext) -> WebSocketContext:
        """A context for one operation on a socket: the socket's caller, fresh loaders and cost."""
        context = self._context(
            WebSocketContext, socket.principal, Cost(), socket.request_id, socket.authorization
        )
        assert isinstance(context, WebSocketContext)
        context.selection_hints = True  # one operation per context
        context.connection_params = socket.connection_params
        context.authorization = socket.authorization
        return context

    def _context(
        self,
        kind: type[RequestContext],
        principal: Principal,
        cost: Cost,
        request_id: str,
        authorization: str | None = None,
    ) -> RequestContext:
        backend, apis = self.backend(principal, cost, authorization)
        return kind(
            principal=principal,
            backend=backend,
            loaders=Loaders(backend),
            settings=self.settings,
            request_id=request_id,
            cost=cost,
            api_keys=self.credentials.api_keys,
            pubsub=self.pubsub,
            upstream_apis=apis,
            upstream_routes=self.upstreams.routes if self.upstreams is not None else {},
            automations=self.automations,
            storage=self.storage,
        )

    def backend(
        self, principal: Principal, cost: Cost, authorization: str | None
    ) -> tuple[Backend, dict[str, Any]]:
        """The SQL backend, routed per entity to the upstreams when a routing file is configured."""
        access = RowAccess.for_principal(principal)
        sql = SqlBackend(self.engine, principal.tenant, access, cost)
        if self.upstreams is None:
            return sql, {}
        scope = RequestScope(principal.tenant, access, cost, _caller_token(authorization), sql=sql)
        return self.upstreams.for_request(sql, scope)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Runs one operation under the execution timeout (each operation of a batch has its own).

        Cancelling the task cancels the database call in flight and rolls its transaction back, so a
        mutation that times out leaves nothing behind. The answer is 504 with a TIMEOUT error.
        """
        timeout = self.settings.execution_timeout_seconds
        context: RequestContext = kwargs["context"]
        after_response: AsyncExitStack | None = kwargs["request"].scope.get(AFTER_RESPONSE_KEY)
        try:
            async with asyncio.timeout(timeout) as deadline:
                if after_response is None:
                    async with _read_session(context.backend):
                        result = await super().execute_single(*args, **kwargs)
                else:  # the request's one operation: its session ends once the answer is sent
                    await after_response.enter_async_context(_read_session(context.backend))
                    result = await super().execute_single(*args, **kwargs)
                    _raise_if_past(deadline)
            mark_request_error(kwargs["request"].scope, result, kwargs["sub_response"])  # 400 if asked
            if is_retryable(result.errors):  # an outage: 503, so that clients and balancers retry
                kwargs["sub_response"].status_code = 503
                kwargs["sub_response"].headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return result
        except TimeoutError:
            if after_response is not None:  # ended now, as it would have been: stragglers run alone
                await after_response.aclose()
            kwargs["sub_response"].status_code = 504
            log.warning("request %s timed out after %s s", context.request_id, timeout)
            error = ExecutionTimeout(
                f"The operation did not finish within {timeout:g} s and was cancelled.",
                timeoutSeconds=timeout,
            )
            return ExecutionResult(
                data=None, errors=[error], extensions={"cost": context.cost.as_extension()}
            )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request, self.settings)  # the bundled GraphiQL, not Strawberry's CDN page

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        return shape_result(request.scope, await super().process_result(request, result))

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Authenticate from the connection_init payload; a refusal closes the socket with 4403."""
        assert isinstance(context, WebSocketContext)
        try:
            authorization, api_key = _payload_credentials(context.connection_params)
            principal = await self.credentials.principal(authorization, api_key)
        except (AuthenticationError, JwksUnavailable) as error:
            log.info("WebSocket %s refused: %s", context.request_id, error)
            context.refusal = str(error)
            raise ConnectionRejectionError from None
        context.principal, context.authorization = principal, authorization
        context.backend, context.upstream_apis = self.backend(principal, context.cost, authorization)
        context.loaders = Loaders(context.backend)
        return UNSET


async def _end_after_response(after_response: AsyncExitStack, request_id: str) -> None:
    """End what waited for the answer (the read session). The answer is sent by now: a failure here
    (a connection that could not be closed) is logged, not raised into uvicorn as an ASGI error."""
    try:
        await after_response.aclose()
    except Exception:
        log.warning("request %s: its read session did not end cleanly", request_id, exc_info=True)


def _raise_if_past(deadline: asyncio.Timeout) -> None:
    """``TimeoutError`` if the deadline has passed: an operation that blocked the event loop past it
    (a stalled driver) finished without an ``await`` at which the timeout could cancel it. The end of
    its read session, awaited inside the timeout before it moved after the answer, was that point."""
    when = deadline.when()
    if when is not None and asyncio.get_running_loop().time() >= when:
        raise TimeoutError


def _caller_token(authorization: str | None) -> str | None:
    """The caller's JWT, for upstreams that forward it; None for API-key (or anonymous) callers."""
    try:
        return bearer_token(authorization)
    except AuthenticationError:
        return None


# The request's exit stack for what may end after its answer is sent: the read session of a request
# that runs one operation (see ``GraphQLView._run``).
AFTER_RESPONSE_KEY = "gateway.after_response"


def _read_session(backend: Any) -> AbstractAsyncContextManager[Any]:
    """One database connection for the operation's reads, where the backend offers it (SQL does)."""
    session = getattr(backend, "session", None)
    return session() if session is not None else nullcontext()


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
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        upstreams: Upstreams | None = None,
        storage: BlobStorage | None = None,
    ) -> None:
        self.settings = settings
        self.credentials = Credentials(settings, engine)
        self.pubsub = ObservedPubSub(create_pubsub(settings))
        self.strawberry = StrawberryView(settings, engine, self.credentials, self.pubsub, upstreams, storage)
        self.persisted = PersistedQueries(settings)
        self.rate_limiter: RateLimiter | None = create_rate_limiter(settings)

    async def close(self) -> None:
        await self.pubsub.close()
        await self.persisted.close()
        if self.rate_limiter is not None:
            await self.rate_limiter.close()
        if self.strawberry.upstreams is not None:
            await self.strawberry.upstreams.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = scope.get("gateway.request_id") or uuid.uuid4().hex[:16]  # set by ObservedEndpoint
        cost = Cost()
        negotiate_into(scope, request.headers)  # application/json or application/graphql-response+json
        send = typed_send(scope, send)
        try:
            # Cheapest refusals first; all of them before any GraphQL is parsed or run.
            check_method(request)
            if is_multipart(request):
                await self._multipart(request, send, request_id)
                return
            body = await read_body(request, self.settings.max_body_bytes)
            check_json(request, body, self.settings.max_json_depth)
            principal = await self._principal(request, body, request_id)
            if isinstance(principal, Response):
                await self._respond(principal, scope, receive, send)
                return
            await self._check_rate(request, principal)
            check_batch_size(body, self.settings.max_batch_operations)
            # After authentication, so that an unauthenticated request never registers or runs a stored query.
            prepared = await self.persisted.prepare(request, body, may_register=principal is not ANONYMOUS)
            if isinstance(prepared, Refusal):
                await self._respond(prepared.response(request_id), scope, receive, send)
                return
            scope["query_string"], body = prepared.query_string, prepared.body
            check_batch_items(body)  # once persisted queries have filled in the texts they stand for
        except Refused as refusal:
            await self._respond(refusal.response(request_id), scope, receive, send)
            return
        except Exception as error:  # e.g. an API key's lookup while the database is down
            if (outage := outage_error(error)) is None:
                raise
            await self._respond(_refused_for(outage).response(request_id), scope, receive, send)
            return
        scope.update({"gateway.principal": principal, "gateway.cost": cost, "gateway.request_id": request_id})
        scope["gateway.batch"] = body.lstrip().startswith(b"[")  # its operations share one context
        await self._run(scope, body, send, request_id)

    async def _multipart(self, request: Request, send: Send, request_id: str) -> None:
        """A GraphQL multipart request (file uploads): authenticated from its headers before any of the
        body is read, then the form parsed under the upload limits (file parts spool to an anonymous
        temporary file past 1 MiB, never whole into memory) and run like any operation."""
        scope = request.scope
        principal = await self._principal(request, b"", request_id)
        if isinstance(principal, Response):
            await self._respond(principal, scope, request.receive, send)
            return
        await self._check_rate(request, principal)
        if self.settings.trusted_documents:
            raise Refused(400, "BAD_REQUEST", "Uploads cannot be sent where only trusted documents run.")
        form = await read_upload_form(request, self.settings)
        if form is None:  # the client went away mid-body: nothing ran, nothing is kept
            log.info("request %s: the client disconnected during an upload", request_id)
            return
        scope.update(
            {"gateway.principal": principal, "gateway.cost": Cost(), "gateway.request_id": request_id}
        )
        scope.update({"gateway.batch": False, FORM_SCOPE_KEY: form})
        try:
            operations = form.get("operations")
            if isinstance(operations, str) and operations.lstrip().startswith("["):
                raise Refused(400, "BAD_REQUEST", "An upload request carries one operation, not a batch.")
            await self._run(scope, b"", send, request_id)
        finally:
            await form.close()

    async def _run(self, scope: Scope, body: bytes, send: Send, request_id: str) -> int:
        """Strawberry's view on the (possibly rewritten) body; the status it answered.

        A request of one operation ends its read session after the answer is sent, not before: the
        session's end is a ``ROLLBACK``, a round trip whose answer the response does not need (the
        transaction only read), so the client no longer waits for it. Its connection is still back
        in the pool before the request's task ends (server shutdown waits for it).
        """
        sent_body = False
        response = _ResponseRewriter(send, request_id)

        async def replay() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        if scope["gateway.batch"]:  # each operation ends its session when it finishes (see execute_single)
            await self.strawberry(scope, replay, response.send)
            return response.status
        after_response = AsyncExitStack()
        scope[AFTER_RESPONSE_KEY] = after_response
        try:
            await self.strawberry(scope, replay, response.send)
        finally:
            await _end_after_response(after_response, request_id)
        return response.status

    async def _respond(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        await response(scope, receive, send)

    async def _check_rate(self, request: Request, principal: Principal) -> None:
        if self.rate_limiter is None:
            return
        decision = await self.rate_limiter.take(_rate_key(request, principal))
        if not decision.allowed:
            raise Refused(
                429,
                "RATE_LIMITED",
                f"Too many requests; retry in {decision.retry_after_header} s.",
                headers={"Retry-After": decision.retry_after_header},
            )

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
    payload = safejson.loads_or_none(body)
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


@dataclass
class Refused(Exception):
    """A request refused before any GraphQL runs; answered as a GraphQL JSON error with this status."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def response(self, request_id: str) -> Response:
        body = {
            "errors": [{"message": self.message, "extensions": {"code": self.code, "requestId": request_id}}],
            "extensions": {"cost": Cost().as_extension(), "requestId": request_id},
        }
        headers = {**self.headers, "x-request-id": request_id}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _refused_for(outage: GraphQLError) -> Refused:
    code = (outage.extensions or {}).get("code", "SERVICE_UNAVAILABLE")
    return Refused(503, code, outage.message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 once it passes ``limit`` bytes: never buffered past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


FORM_SCOPE_KEY = "gateway.form"
MAX_UPLOAD_FIELDS = 2  # the spec's ``operations`` and ``map``


class _BodyTooLarge(Exception):
    pass


def is_multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return request.method == "POST" and content_type.lower().startswith("multipart/form-data")


async def read_upload_form(request: Request, settings: Settings) -> Any:
    """The parsed multipart form of an upload (one file), None if the client disconnected; refused with
    413 past the document size limit plus the body limit (for ``operations`` and ``map``)."""
    limit = settings.documents_max_bytes + settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = 0
    receive = request.receive

    async def capped() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _BodyTooLarge
        return message

    reader = Request(request.scope, capped)
    try:
        return await reader.form(
            max_files=1, max_fields=MAX_UPLOAD_FIELDS, max_part_size=settings.max_body_bytes
        )
    except _BodyTooLarge:
        raise _too_large(limit) from None
    except ClientDisconnect:
        return None
    except (StarletteHTTPException, MultiPartException) as error:
        detail = getattr(error, "detail", None) or getattr(error, "message", "")
        raise Refused(400, "BAD_REQUEST", f"The multipart body cannot be read: {detail}") from None


def check_method(request: Request) -> None:
    if request.method not in ("GET", "POST"):
        message = f"{request.method} is not allowed here; send GraphQL with GET or POST."
        raise Refused(405, "METHOD_NOT_ALLOWED", message, headers={"Allow": "GET, POST"})


def check_json(request: Request, body: bytes, max_depth: int) -> None:
    """The JSON Strawberry will parse (a JSON body, a GET's ``variables`` and ``extensions``),
    refused here with a code when it is not JSON or nests deeper than ``max_depth``."""
    texts: list[str | bytes | None]
    if request.method == "GET":
        texts = [request.query_params.get("variables"), request.query_params.get("extensions")]
    else:
        texts = [body] if "application/json" in request.headers.get("content-type", "") else []
    for text in texts:
        if not text:
            continue
        try:
            safejson.loads(text, max_depth)
        except safejson.JsonTooDeep as error:
            raise Refused(400, "JSON_TOO_DEEP", f"The request holds {error.msg}.") from None
        except ValueError as error:
            raise Refused(400, "BAD_REQUEST", f"The request holds JSON that is not valid: {error}") from None


def _too_large(limit: int) -> Refused:
    return Refused(413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes, the limit.")


def _batch(body: bytes) -> list[Any] | None:
    """The operations of a batch (a JSON array), or None when the body is not one."""
    if not body.lstrip().startswith(b"["):
        return None
    operations = safejson.loads_or_none(body)
    return operations if isinstance(operations, list) else None


def check_batch_size(body: bytes, limit: int) -> None:
    """A batch is refused whole when empty or longer than ``limit``."""
    operations = _batch(body)
    if operations is None:
        return
    if not operations:
        raise Refused(400, "BAD_REQUEST", "An empty batch: send at least one operation.")
    if len(operations) > limit:
        raise Refused(
            400, "BATCH_TOO_LARGE", f"The batch has {len(operations)} operations; the limit is {limit}."
        )


def check_batch_items(body: bytes) -> None:
    for index, operation in enumerate(_batch(body) or []):
        if problem := _batch_item_problem(operation):
            raise Refused(400, "BAD_REQUEST", f"Operation {index} of the batch: {problem}.")


def _batch_item_problem(operation: Any) -> str | None:
    """What Strawberry checks for a single request but not for the items of a batch."""
    if not isinstance(operation, dict):
        return "must be a JSON object"
    if not isinstance(operation.get("query"), str):
        return "`query` must be a string"
    for key, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
        if not isinstance(operation.get(key), (kind, type(None))):
            return f"`{key}` must be {'an object' if kind is dict else 'a string'} or null"
    return None


def _rate_key(request: Request, principal: Principal) -> str:
    """One bucket per tenant and subject; anonymous callers (development only) by client address."""
    if principal is ANONYMOUS:
        return f"ip:{request.client.host if request.client else '-'}"
    return f"{principal.tenant}:{principal.subject}"


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

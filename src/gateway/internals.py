"""Every use of a Strawberry, graphql-core, SQLAlchemy or uvicorn internal, in one place, with its reason.

The rest of the gateway uses documented surfaces only. What follows has no public equivalent today;
``pyproject.toml`` bounds strawberry-graphql (<0.342), graphql-core (<3.4) and uvicorn (<0.56) for it,
and SQLAlchemy is 2.x. When one of these moves, this module is the one to change (tests that fail first:
tests/test_production_mode.py, tests/test_read_session.py, tests/test_database_outage.py,
tests/test_one_write_per_answer.py, tests/test_request_garbage.py for the executor's helpers,
tests/test_http_server.py for uvicorn's protocol and tests/test_subscription_fanout.py for its
WebSocket send).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

import strawberry
from graphql import GraphQLResolveInfoHelpers, GraphQLSchema
from graphql.pyutils import gather_with_cancel
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.websockets import WebSocket
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway import suggestions  # which reads graphql_schema: a module, not a name


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (``Schema._schema``).

    Validation without suggestions, the cost estimate, the upstream budget, the selection hints and
    the planner run graphql-core's public functions on it; Strawberry documents no accessor (no
    upstream issue asks for one; strawberry.Info.schema reads ``_strawberry_schema`` the other way)."""
    return schema._schema


class SuggestionFreeExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, leaving "Did you mean ...?" out of coercion errors in production.

    graphql-core's ``ExecutionContext.build`` takes ``hide_suggestions`` (public), but Strawberry
    neither passes it nor exports the context class it builds on (``strawberry.schema.schema``), and
    its own context must stay: it hands resolvers the coerced variables as a plain dict. Passed as the
    schema's ``execution_context_class`` (a public parameter)."""

    @classmethod
    def build(
        cls,
        schema: Any,
        document: Any,
        root_value: Any = None,
        context_value: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if suggestions.hides_suggestions(context_value):
            kwargs["hide_suggestions"] = True
        return super().build(schema, document, root_value, context_value, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_async_helpers(self)


# Awaitables a resolver handed to ``info.async_helpers.track`` after its execution had ended.
_ORPHANED: set[asyncio.Future[Any]] = set()


def weak_async_helpers(executor: Any) -> GraphQLResolveInfoHelpers:
    """``GraphQLResolveInfoHelpers`` that reach ``executor`` through a weak reference.

    graphql-core 3.3's ``Executor.__init__`` builds them from its own bound methods
    (``self.async_helpers = GraphQLResolveInfoHelpers(gather=self.gather_async_work, ...)``), so every
    execution is a reference cycle, and with it all the executor holds (the request's context, its
    loaders and records, the coerced variables): ~130 objects per mutation that only the cyclic
    collector frees. ``crm-gateway serve`` runs that collector every 100,000 allocations
    (``gateway.runtime``), so ~750 executions' worth piled up between runs: 8 leadMoveToStage at a
    time grew the process by ~11 MiB of Python arenas. The planner's queries build no executor; every
    mutation does. While the execution runs its frames hold the executor, so the weak reference is
    alive whenever a resolver calls a helper; only a resolver that outlives it (work it left running)
    meets a dead one, and gets what graphql-core would do without an executor. ``async_helpers`` is a
    public attribute of ``GraphQLResolveInfo``; the executor's is not documented."""
    reference = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        live = reference()
        return live.gather_async_work(values) if live is not None else gather_with_cancel(*values)

    def track(values: Sequence[Any]) -> None:
        live = reference()
        if live is not None:
            live.track_async_work(values)
            return
        awaitables = [value for value in values if inspect.isawaitable(value)]
        if awaitables:  # settled and their errors observed, as the executor would have
            future = asyncio.gather(*awaitables, return_exceptions=True)
            _ORPHANED.add(future)
            future.add_done_callback(_ORPHANED.discard)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def raise_as_sqlalchemy_would(
    connection: AsyncConnection, adapted: Any, error: Exception, sql: str, arguments: list[Any]
) -> NoReturn:
    """The error SQLAlchemy raises for a statement sent straight to asyncpg: asyncpg's exception
    becomes the DBAPI error of SQLAlchemy's adapter (``_handle_exception``), then a
    ``sqlalchemy.exc.DBAPIError`` (``Connection._handle_dbapi_exception``), and a dropped connection is
    invalidated rather than given back to the pool.

    Only a read session's ``BEGIN; SELECT set_config(...)`` goes to the driver this way: a simple query
    holding two statements, which SQLAlchemy's asyncpg dialect (prepared statements) cannot send, and
    one round trip less per request (backends/sql/session.py). SQLAlchemy has no public way to wrap
    a driver error it did not raise itself."""
    sync = connection.sync_connection
    assert sync is not None
    try:
        adapted._handle_exception(error)  # raises the translated error
    except Exception as dbapi_error:
        sync._handle_dbapi_exception(dbapi_error, sql, tuple(arguments), None, None)  # type: ignore[arg-type]
    raise error  # not reached: both calls above raise


def raise_as_cursor_would(
    connection: Connection, error: Exception, sql: str, arguments: tuple[Any, ...], cursor: Any
) -> None:
    """SQLAlchemy's handling of a DBAPI error raised by a cursor it did not run the statement on
    (``Connection._handle_dbapi_exception``): wrapped as ``DBAPIError``, a dropped connection invalidated.

    The tenant's ``set_config`` runs in the engine's ``begin`` listener on the raw cursor, so that it is
    neither counted as a statement nor seen by statement listeners (backends/sql/engine.py)."""
    connection._handle_dbapi_exception(error, sql, arguments, cursor, None)  # type: ignore[arg-type]


# A write this long is a body's chunk, not a head: sent at once rather than copied and held.
HELD_WRITE_LIMIT = 64 * 1024


class _OneWritePerAnswer:
    """A transport that hands the socket a write together with the next one: a response's head and
    its body go out in one ``send``, not two.

    uvicorn writes the status line and headers when the app sends ``http.response.start`` and the body
    on ``http.response.body``: two system calls, and two wake-ups of the client, per answer (Node's
    server, PostGraphile's, sends a small answer in one). A write waits for the next one at most until
    the event loop's current step ends; anything else the connection does (close, pausing reads, an
    upgraded WebSocket's frames) first sends what waits, so bytes leave in the order written.
    """

    def __init__(self, transport: Any, loop: Any) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: Any) -> None:
        if self._held is None:
            if len(data) >= HELD_WRITE_LIMIT:  # a body's big chunk: no head to join, and no copy of it
                self._transport.write(data)
                return
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            held, self._held = self._held, None
            self._transport.write(held + data)

    def flush(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def writelines(self, chunks: Any) -> None:
        self.flush()
        self._transport.writelines(chunks)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._transport, name)


@functools.cache
def one_write_per_answer_protocol() -> type:
    """uvicorn's httptools protocol (the one it picks itself where httptools is installed), writing
    through ``_OneWritePerAnswer``. Passed as uvicorn's ``http`` option (public: a protocol class),
    but the class it extends is not documented API (``uvicorn.protocols.http.httptools_impl``);
    uvicorn offers no other way to join the two writes. A WebSocket upgrade hands the same wrapped
    transport to the WebSocket protocol, which is fine: every write goes through in order.

    Built on first use: only ``serve`` needs uvicorn's protocol, not the migrations or the CLI's
    other commands, which import this module through the SQL backend."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class OneWritePerAnswerProtocol(HttpToolsProtocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            wrapped: Any = _OneWritePerAnswer(transport, self.loop)  # a Transport by duck typing
            super().connection_made(wrapped)

    return OneWritePerAnswerProtocol


def websocket_text_sender(adapter: Any) -> Callable[[str], Awaitable[None]] | None:
    """The Starlette ``WebSocket.send_text`` behind Strawberry's socket adapter (``ASGIWebSocketAdapter
    .ws``, wrapped by ``gateway.ws_refusals.ExplainedRefusals``), None when it is not there.

    A subscription group's driver writes parked members' ``next`` frames, encoded once around the
    shared payload, with it (gateway.multiplex): Strawberry's public ``send_json`` takes a mapping and
    encodes each message again. Strawberry's adapter catches ``WebSocketDisconnect`` on the way; the
    driver treats any failed write as a lost socket. None: the member stays on its own stream (the
    plain path, which tests/test_subscription_groups.py also runs)."""
    inner = getattr(adapter, "inner", adapter)
    socket = getattr(inner, "ws", None)
    if not isinstance(socket, WebSocket):
        return None
    return socket.send_text


# uvicorn's WebSocket protocol the gateway runs (``serve`` passes it as uvicorn's public ``ws`` option;
# uvicorn 0.55's "auto" picks it too where ``websockets`` is installed): ``write_if_ready`` relies on
# how its send waits.
WEBSOCKET_PROTOCOL = "websockets-sansio"


async def write_if_ready(write: Callable[[str], Awaitable[None]], text: str) -> bool:
    """Write one text frame if the socket takes it without waiting: False when it would have waited,
    and then nothing was written and the socket is as it was.

    ``asyncio.timeout(0)`` (public) lets a write that does not suspend complete and cancels one that
    does at its first suspension. That nothing is written then is uvicorn's, not documented: its
    sans-I/O protocol's ``send`` (``uvicorn.protocols.websockets.websockets_sansio_impl``,
    ``WEBSOCKET_PROTOCOL``) first awaits ``self.writable`` (cleared while the transport is paused,
    its buffer over the high-water mark; set again when it drains or the connection is lost) and
    then frames and writes the message without another await; Starlette's ``send_text`` and the
    middleware on the way await nothing else. uvicorn's legacy ``websockets`` protocol writes first
    and then drains, so a write cancelled there would have gone out (a duplicate when the member
    resumes from its last position): the gateway runs the sans-I/O one (``server_options``).
    tests/test_subscription_fanout.py checks both halves against the installed uvicorn: cancelled
    while the transport is paused, nothing is written and a later send goes out whole."""
    try:
        async with asyncio.timeout(0):
            await write(text)
    except TimeoutError:
        return False
    return True

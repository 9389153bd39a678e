"""GraphQL errors with ``extensions.code``, and masking of everything unexpected."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("gateway")
# graphql-core's suggestions: " Did you mean 'x', 'y' or 'z'?", not always at the end of the message.
# Production asks graphql-core for none (gateway.suggestions); this catches any that come anyway.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class GatewayError(GraphQLError):
    """An error the caller may see as is, with a stable code."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class InvalidCursor(BadUserInput):
    """A cursor that is garbled or does not fit the list's ordering; the caller sent it, so is told."""

    code = "INVALID_CURSOR"


class InvalidFilter(BadUserInput):
    code = "INVALID_FILTER"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class LimitExceeded(GatewayError):
    """A request over one of the configured limits (docs/operations/limits.md); refused before it runs."""

    code = "LIMIT_EXCEEDED"


class MaxDepthExceeded(LimitExceeded):
    code = "MAX_DEPTH_EXCEEDED"


class MaxAliasesExceeded(LimitExceeded):
    code = "MAX_ALIASES_EXCEEDED"


class MaxTokensExceeded(LimitExceeded):
    code = "MAX_TOKENS_EXCEEDED"


class CostLimitExceeded(LimitExceeded):
    code = "COST_LIMIT_EXCEEDED"


class IntrospectionDisabled(GatewayError):
    code = "INTROSPECTION_DISABLED"


class ExecutionTimeout(GatewayError):
    code = "TIMEOUT"


class UnknownReferenceType(GatewayError):
    """A stored reference names a type the graph does not know (a row written outside the gateway)."""

    code = "UNKNOWN_REFERENCE_TYPE"


class MaskUnexpectedErrors(SchemaExtension):
    """Replaces unexpected exceptions by "Internal error" and a request id that is also in the log.

    In production it also drops graphql-core's "Did you mean ...?" suggestions, which would otherwise
    reveal field, argument and enum names of a schema whose introspection is off.
    Also gives graphql-core's own errors (syntax, validation, variable coercion), which come without
    one, a code: clients branch on ``extensions.code``, so every error has one.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        result.errors = [self._masked(error, request_id) for error in result.errors]
        settings = getattr(context, "settings", None)
        if settings is not None and settings.production:
            for error in result.errors:
                error.message = _without_suggestions(error.message)

    @staticmethod
    def _masked(error: GraphQLError, request_id: str) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        if (outage := _outage(error)) is not None:
            return outage
        if error.path is None:
            return _request_error(error)
        # Past parsing and validation, only an exception or graphql-core's complaint about what a
        # resolver returned (a null for a non-null field, a value a scalar cannot serialize) lacks a code.
        original = error.original_error
        log.error("unexpected error in request %s at %s", request_id, error.path, exc_info=original)
        return GraphQLError(
            "Internal error",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def _outage(error: GraphQLError) -> GraphQLError | None:
    """DATABASE_UNAVAILABLE or PUBSUB_UNAVAILABLE for an exception that means an outage, else None."""
    from gateway.outages import outage_error  # it builds on GatewayError, defined here

    original = error.original_error
    found = outage_error(original) if original is not None else None
    if found is None:
        return None
    log.warning("%s at %s: %s", found.code, error.path, type(original).__name__)
    return GraphQLError(found.message, nodes=error.nodes, path=error.path, extensions=found.extensions)


def _without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def _request_error(error: GraphQLError) -> GraphQLError:
    """A syntax, validation or variable error: the request is at fault, and the message says how."""
    code = "GRAPHQL_PARSE_FAILED" if isinstance(error, GraphQLSyntaxError) else "GRAPHQL_VALIDATION_FAILED"
    error.extensions = {**(error.extensions or {}), "code": code}
    return error

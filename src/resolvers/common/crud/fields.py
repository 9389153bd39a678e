"""Mutation fields and payload types built at run time for the CRUD factory.

Strawberry reads a resolver's arguments from its signature; ``inspect.signature`` honours a function's
``__signature__``, so one generic resolver can declare each mutation's argument names, types,
descriptions and order exactly as a hand-written method would. Payloads are plain classes made by
``type()`` and decorated with ``strawberry.type``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from resolvers.common.errors import UserError

_INFO = inspect.Parameter("info", inspect.Parameter.KEYWORD_ONLY, annotation=strawberry.Info)


def argument(name: str, type_: Any, description: str) -> inspect.Parameter:
    """A required argument with its description."""
    annotation = Annotated[type_, strawberry.argument(description=description)]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


def optional_argument(name: str, annotation: Any) -> inspect.Parameter:
    """An argument that defaults to null (``annotation`` carries its description)."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None)


def mutation_field(
    run: Callable[..., Awaitable[Any]],
    arguments: Sequence[inspect.Parameter],
    payload: type,
    description: str,
    extensions: list[FieldExtension],
) -> StrawberryField:
    """A mutation calling ``run(info, **arguments)`` and answering ``payload`` (nullable, like every
    permission-gated field)."""

    # Strawberry passes only the arguments a request gives; the others take their declared default.
    defaults = {p.name: p.default for p in arguments if p.default is not inspect.Parameter.empty}

    async def resolve(info: strawberry.Info, **values: Any) -> Any:
        return await run(info, **{**defaults, **values})

    signature = inspect.Signature([_INFO, *arguments], return_annotation=payload | None)
    resolve.__signature__ = signature  # type: ignore[attr-defined]
    return strawberry.mutation(resolver=resolve, description=description, extensions=extensions)


def payload_type(name: str, description: str, result: tuple[str, Any, str], errors: str) -> type:
    """``{ <result>, errors: [UserError!]! }``: the record (or what stands for it) and why it is null."""
    result_name, result_type, result_description = result
    namespace = {
        "__annotations__": {result_name: result_type, "errors": list[UserError]},
        result_name: strawberry.field(description=result_description),
        "errors": strawberry.field(description=errors),
    }
    return strawberry.type(type(name, (), namespace), description=description)

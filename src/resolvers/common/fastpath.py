"""Direct graphql-core resolvers for the hottest fields, installed on the built schema.

Strawberry calls every field with a resolver through a generic chain (argument conversion, the field
extensions folded with ``functools.partial``, an ``async`` wrapper for async resolvers): ~3 µs for a
plain resolver and ~10 µs more for an async one, per object. A page of 50 contacts with their
relations resolves ~2,300 fields, ~1,000 of them ``id`` and ~500 links such as ``Lead.stage``.
For three kinds of field whose behaviour is simple to state, this module sets ``GraphQLField.resolve``
to a function doing the same thing directly:

- plain attributes (no resolver, no extension): ``getattr(source, python_name)``, as Strawberry's
  default resolver does;
- ungated resolvers without arguments (``Contact.displayName``, ``emails``): called directly;
- ``Node.id`` on each object type: the global ID of the object's record;
- resolvers gated by one ``RequirePermission`` (links such as ``Lead.stage``, root and nested lists):
  the permission is checked first, exactly as the extension does (FORBIDDEN and null), then the
  arguments are converted by Strawberry's own ``convert_arguments`` and the resolver runs.

Every other field keeps Strawberry's resolver. The Strawberry fields are not changed: the schema,
its descriptions and ``declared_permission`` stay as they are.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry.types.arguments import StrawberryArgument, convert_arguments
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

from resolvers.common.ids import encode_global_id
from resolvers.common.node import Node
from resolvers.common.permissions import RequirePermission, forbidden

DEFINITION = "strawberry-definition"  # where Strawberry keeps a GraphQLField's StrawberryField
# Where a gated field keeps (its permission, its argument converter), for the prefetch (prefetch.py)
# to compute a nested list's query exactly as its resolver will.
ARGUMENTS = "crm-gateway-arguments"
# Where a plain attribute's direct resolver names the attribute it reads, so that the compiled
# completion (compiled.py) can read it without calling the resolver.
ATTRIBUTE = "attribute"
# Where a resolver that wraps graphql-core's info for Strawberry keeps its specializer: given the info
# and arguments of one field of one operation, a callable of the source alone that does the wrapping,
# the permission check and the argument conversion once, not once per row (compiled.py), or None when
# it cannot (the permission is missing, the arguments do not convert: the resolver reports those).
SPECIALIZE = "specialize"
_NODE_ID = Node.__strawberry_definition__.get_field("id")  # type: ignore[attr-defined]


def install(schema: strawberry.Schema) -> int:
    """Set the direct resolvers on ``schema``; returns how many fields got one."""
    installed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            resolve = _direct_resolver(schema, graphql_type.name, field)
            if resolve is not None:
                field.resolve = resolve
                installed += 1
                gate = getattr(resolve, "gate", None)
                if gate is not None:
                    field.extensions = {**(field.extensions or {}), ARGUMENTS: gate}
    return installed


def _direct_resolver(
    schema: strawberry.Schema, type_name: str, field: GraphQLField
) -> Callable[..., Any] | None:
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField) or field.subscribe is not None:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return _attribute(definition.python_name) if not definition.extensions else None
    if _NODE_ID is not None and resolver.wrapped_func is _NODE_ID.base_resolver.wrapped_func:
        return _global_id(type_name)
    if not definition.extensions:
        return _method(definition)
    return _gated(schema, definition)


def _method(definition: StrawberryField) -> Callable[..., Any] | None:
    """For an ungated resolver taking ``(self)`` or ``(self, info)``, else None."""
    assert definition.base_resolver is not None
    function: Callable[..., Any] = definition.base_resolver.wrapped_func  # type: ignore[assignment]
    parameters = list(inspect.signature(function).parameters)
    if parameters == ["self"]:
        return lambda source, _info: function(source)
    if parameters == ["self", "info"]:

        def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
            return function(source, strawberry.Info(_raw_info=info, _field=definition))

        def specialize(info: GraphQLResolveInfo, _given: dict[str, Any]) -> Callable[[Any], Any]:
            wrapped = strawberry.Info(_raw_info=info, _field=definition)
            return lambda source: function(source, wrapped)

        setattr(resolve, SPECIALIZE, specialize)
        return resolve
    return None


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: GraphQLResolveInfo) -> Any:
        return getattr(source, name)

    setattr(resolve, ATTRIBUTE, name)
    return resolve


def _global_id(type_name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: GraphQLResolveInfo) -> str:
        return encode_global_id(type_name, source.record.id)

    return resolve


def _gated(schema: strawberry.Schema, definition: StrawberryField) -> Callable[..., Any] | None:
    """For a resolver gated by exactly one RequirePermission and taking ``(self|root, info, **arguments)``
    or ``(info, **arguments)``, else None."""
    resolver = definition.base_resolver
    assert resolver is not None
    extensions = definition.extensions
    if len(extensions) != 1 or type(extensions[0]) is not RequirePermission:
        return None
    function: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]
    parameters = list(inspect.signature(function).parameters)
    has_source = parameters[:1] in (["self"], ["root"])
    arguments = definition.arguments
    names = {argument.python_name for argument in arguments}
    if (
        parameters[has_source:] != ["info", *parameters[has_source + 1 :]]
        or set(parameters[has_source + 1 :]) != names
    ):
        return None
    if any(isinstance(argument.type, StrawberryMaybe) for argument in arguments):
        return None  # absent and null differ for these: they keep Strawberry's resolver
    permission = extensions[0].permission
    convert = _argument_converter(schema, arguments)

    def resolve(source: Any, info: GraphQLResolveInfo, **given: Any) -> Any:
        if not info.context.principal.has(permission):
            raise forbidden(permission)
        strawberry_info = strawberry.Info(_raw_info=info, _field=definition)
        kwargs = convert(given, strawberry_info) if given else {}
        if has_source:
            return function(source, strawberry_info, **kwargs)
        return function(strawberry_info, **kwargs)

    def specialize(info: GraphQLResolveInfo, given: dict[str, Any]) -> Callable[[Any], Any] | None:
        if not info.context.principal.has(permission):
            return None
        wrapped = strawberry.Info(_raw_info=info, _field=definition)
        try:
            kwargs = convert(given, wrapped) if given else {}
        except Exception:
            return None
        if has_source:
            return lambda source: function(source, wrapped, **kwargs)
        return lambda _source: function(wrapped, **kwargs)

    resolve.gate = (permission, convert)  # type: ignore[attr-defined]
    setattr(resolve, SPECIALIZE, specialize)
    return resolve


def _argument_converter(
    schema: strawberry.Schema, arguments: list[StrawberryArgument]
) -> Callable[[dict[str, Any], strawberry.Info], dict[str, Any]]:
    """Strawberry's conversion of the given arguments, skipping nulls whose Python default is None
    (graphql-core passes every argument with a default; converting six nulls per nested list adds up)
    and passing plain scalars (``first``, ``after``) through: Strawberry would return them unchanged."""
    config = schema.config
    graphql_name = config.name_converter.from_argument
    defaults_none = {graphql_name(a) for a in arguments if a.default is None}
    plain = {graphql_name(a): a.python_name for a in arguments if _is_plain_scalar(a.type)}
    converted = [a for a in arguments if graphql_name(a) not in plain]
    registry = schema.schema_converter.scalar_registry

    def convert(given: dict[str, Any], info: strawberry.Info) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for name, value in given.items():
            if value is None and name in defaults_none:
                continue
            if name in plain:
                kwargs[plain[name]] = value
            else:
                rest[name] = value
        if rest:
            kwargs.update(convert_arguments(rest, converted, registry, config, info))
        return kwargs

    return convert


def _is_plain_scalar(annotation: Any) -> bool:
    if isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation in (int, str, bool, float)

"""No "Did you mean ...?" in production: suggestions name fields, arguments, enum values, input fields
and types of a schema whose introspection is off.

graphql-core (3.3) leaves every suggestion out when asked (``hide_suggestions``) in validation, in the
coercion of variables and arguments, and in enum parsing. Strawberry does not ask, so validation runs
here first in production, and ``internals.SuggestionFreeExecution`` asks for execution. Editing the messages
afterwards missed some: a suggestion is not always at the end ("... Did you mean 'x'? Found: ...").
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway import internals  # its execution context reads hides_suggestions: a module, not a name

# Strawberry adds these to the rules of every validation (strawberry.schema.schema.validate_document).
_STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


def hides_suggestions(context: object) -> bool:
    """Whether errors for the request of this context must leave suggestions out (production)."""
    settings = getattr(context, "settings", None)
    return bool(getattr(settings, "production", False))


class HideSuggestions(SchemaExtension):
    """Validates the document without suggestions in production, so Strawberry does not validate it.

    Listed after ``OperationLimits``: a document whose validation is cached skips this too.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        needed = context.pre_execution_errors is None and context.validation_rules and document is not None
        if needed and hides_suggestions(context.context):
            assert document is not None
            rules = (*context.validation_rules, *_STRAWBERRY_RULES)
            context.pre_execution_errors = validate(
                internals.graphql_schema(context.schema), document, rules, hide_suggestions=True
            )
        yield

"""Inputs of the customization mutations (seed 004 bodies); fields left null are not sent."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from resolvers.common.fields import optional_field as _f


@strawberry.enum(description="A custom field's type (sent lowercase, as seed 004's filter types).")
class CustomFieldType(Enum):
    STRING = strawberry.enum_value("string", description="Text.")
    NUMBER = strawberry.enum_value("number", description="A number.")
    BOOLEAN = strawberry.enum_value("boolean", description="True or false.")
    DATE = strawberry.enum_value("date", description="A calendar date.")
    DATETIME = strawberry.enum_value("datetime", description="A date and time.")
    ENUM = strawberry.enum_value("enum", description="One of the values listed in its options.")


@strawberry.input(description="A custom field (seed 004 CustomField); all required to create one.")
class CustomFieldInput:
    entity: str | None = _f('The entity it belongs to, e.g. "contact".')
    field_name: str | None = _f("The name: a letter, then up to 63 letters, digits or '_'.")
    field_type: CustomFieldType | None = _f("The type.")
    options: JSON | None = _f('Options as a JSON object, e.g. {"min": 1, "max": 10} (sent json encoded).')


@strawberry.input(description="A custom label set (seed 004 CustomLabel body).")
class CustomLabelInput:
    value: JSON = strawberry.field(
        description='The labels: a non-empty JSON object, e.g. {"label1": "Region"}.'
    )


@strawberry.input(
    description="A saved filter (seed 004 body); name, module and value required to create one."
)
class SavedFilterInput:
    name: str | None = _f("The name (up to 255 characters).")
    module: str | None = _f('The module (entity) it filters, e.g. "contact".')
    value: JSON | None = _f(
        "The filter configuration, a JSON object such as a QueryBuilderQuery (sent json encoded)."
    )
    private: bool | None = _f("Whether only you see it; ConeCRM's default when left out.")


@strawberry.input(
    description="An automation (seed 004 Automation3); name and trigger required to create one."
)
class AutomationInput:
    name: str | None = _f("The name (up to 255 characters).")
    automation_trigger: str | None = _f("The trigger type: one of `automationBuilderData.triggers`.")
    nodes: JSON | None = _f("The workflow's nodes: a list of JSON objects.")
    edges: JSON | None = _f("The workflow's edges: a list of JSON objects.")
    franchise_id: str | None = _f("ConeCRM's id (a UUID) of the franchise it belongs to.")
    delayed_automations_count: int | None = _f("delayedAutomationsCount (0 when creating without it).")
    enabled: bool | None = _f(
        "Whether it runs (true when creating without it); the gateway's own automations only: ConeCRM's "
        "have no such flag."
    )

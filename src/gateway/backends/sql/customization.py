"""``SqlCustomization``: seed 004's customization in the gateway's own database (``Customization``).

Custom fields are definitions per entity of the filter catalogue: a type of ``FIELD_TYPES``, options
as a JSON object (an enum lists its ``values``; a number may bound ``min`` <= ``max``; ``required``
true makes the field required), and a name unique per entity. Custom labels are soft deleted, as
BaseRecords. Saved filters and automations: see ``sql/saved_filters.py`` and ``sql/automations.py``.
Ids are UUIDs; an id that is not one, or names nothing of the tenant, is NOT_FOUND.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from gateway.backends import filter_catalog
from gateway.backends.customization import (
    CustomField,
    CustomFieldChange,
    Customization,
    CustomLabel,
    EntityFilters,
    QueryBuilderConfig,
)
from gateway.backends.errors import Rejected
from gateway.backends.sql import tables as t
from gateway.backends.sql.automation_dispatch import AutomationRunSteps
from gateway.backends.sql.automations import AutomationSteps
from gateway.backends.sql.custom_fields import presence_expression, sqlite_index
from gateway.backends.sql.customization_rows import (
    as_id,
    catalogued_entity,
    invalid,
    iso,
    not_found,
    soft_deleted,
)
from gateway.backends.sql.saved_filters import SavedFilterSteps
from gateway.ids import utcnow, uuid7

FIELDS, LABELS = t.custom_fields, t.custom_labels
VALUE_TABLES = {"contact": t.contacts, "account": t.accounts, "lead": t.leads}  # tables with values


class SqlCustomization(SavedFilterSteps, AutomationSteps, AutomationRunSteps):
    def customization(self) -> Customization:
        return self

    # -- custom fields ---------------------------------------------------------------------------------

    async def custom_fields(self, entity: str | None = None) -> list[CustomField]:
        conditions = [FIELDS.c.tenant == self.tenant]
        if entity is not None:
            conditions.append(FIELDS.c.entity == catalogued_entity(entity, "entity"))
        statement = sa.select(FIELDS).where(*conditions).order_by(FIELDS.c.date_created, FIELDS.c.id)
        return [_custom_field(row) for row in (await self.read(statement)).mappings()]

    async def create_custom_field(self, change: CustomFieldChange) -> CustomField:
        row = {"id": uuid7(), "tenant": self.tenant, "date_created": utcnow(), "created_by": self.actor}
        row |= _definition(change.entity, change.field_name, change.field_type, change.options)
        await self._unique_field(sa.insert(FIELDS).values(row), row)
        return _custom_field(row)

    async def update_custom_field(self, field_id: str, change: CustomFieldChange) -> CustomField:
        current = (await self.read(sa.select(FIELDS).where(*self._field(field_id)))).mappings().first()
        if current is None:
            raise not_found("custom field")
        options = change.options if change.options is not None else _options(current["options"])
        values = _definition(
            change.entity or current["entity"],
            change.field_name or current["field_name"],
            change.field_type or current["field_type"],
            options,
        )
        await self._refuse_reshaping_used(current, values)
        values |= {"date_modified": utcnow(), "modified_by": self.actor}
        await self._unique_field(sa.update(FIELDS).where(*self._field(field_id)).values(values), values)
        return _custom_field({**current, **values})

    async def delete_custom_field(self, field_id: str) -> None:
        async with self.transaction() as connection:
            if (await self.run(connection, sa.delete(FIELDS).where(*self._field(field_id)))).rowcount == 0:
                raise not_found("custom field")

    async def _refuse_reshaping_used(self, current: Any, values: dict[str, Any]) -> None:
        """A field whose records hold values keeps its entity, name and type: the values are stored under
        its name and typed as it (renaming or retyping them would lose them or make them unreadable)."""
        table = VALUE_TABLES.get(current["entity"])
        kept = all(values[key] == current[key] for key in ("entity", "field_name", "field_type"))
        if table is None or kept:
            return
        used = sa.exists().where(
            table.c.tenant == self.tenant,
            presence_expression(table, current["field_name"]).is_not(None),
        )
        if (await self.read(sa.select(used))).scalar():
            message = "Records hold values of this custom field: its entity, name and type cannot change."
            raise invalid("fieldName", message)

    def _field(self, field_id: str) -> list[Any]:
        return [FIELDS.c.tenant == self.tenant, FIELDS.c.id == as_id(field_id, "custom field")]

    async def _unique_field(self, statement: sa.Executable, definition: dict[str, Any]) -> None:
        """The definition's write and, on SQLite, its values' index (``custom_fields.sqlite_index``: an
        index per name and type, shared by the tenants that define it; PostgreSQL's GIN index serves
        every field), in one transaction."""
        table = VALUE_TABLES.get(definition["entity"])
        index = None
        if table is not None and self.engine.dialect.name == "sqlite":
            index = sqlite_index(table.name, definition["field_name"], definition["field_type"])
        try:
            async with self.transaction() as connection:
                await self.run(connection, statement)
                if index is not None:
                    await self.run(connection, sa.text(index))
        except sa.exc.IntegrityError:
            message = "A custom field with this name already exists for the entity."
            raise invalid("fieldName", message) from None

    # -- custom labels ---------------------------------------------------------------------------------

    async def custom_labels(self) -> list[CustomLabel]:
        statement = (
            sa.select(LABELS)
            .where(LABELS.c.tenant == self.tenant, LABELS.c.is_deleted.is_(False))
            .order_by(LABELS.c.date_created, LABELS.c.id)
        )
        return [self._label(row) for row in (await self.read(statement)).mappings()]

    async def create_custom_label(self, value: dict[str, Any]) -> CustomLabel:
        row = {"id": uuid7(), "tenant": self.tenant, "date_created": utcnow(), "created_by": self.actor}
        row |= {"value": json.dumps(value), "date_modified": None}
        async with self.transaction() as connection:
            await self.run(connection, sa.insert(LABELS).values(row))
        return self._label(row)

    async def update_custom_label(self, label_id: str, value: dict[str, Any]) -> CustomLabel:
        changes = {"value": json.dumps(value), "date_modified": utcnow(), "modified_by": self.actor}
        statement = (
            sa.update(LABELS)
            .where(*self._live_label(label_id))
            .values({**changes, "version": LABELS.c.version + 1})
            .returning(*LABELS.c)
        )
        async with self.transaction() as connection:
            row = (await self.run(connection, statement)).mappings().first()
        if row is None:
            raise not_found("custom label")
        return self._label(row)

    async def delete_custom_label(self, label_id: str) -> None:
        statement = sa.update(LABELS).where(*self._live_label(label_id)).values(soft_deleted(self.actor))
        async with self.transaction() as connection:
            if (await self.run(connection, statement)).rowcount == 0:
                raise not_found("custom label")

    def _live_label(self, label_id: str) -> list[Any]:
        label = as_id(label_id, "custom label")
        return [LABELS.c.tenant == self.tenant, LABELS.c.id == label, LABELS.c.is_deleted.is_(False)]

    def _label(self, row: Any) -> CustomLabel:
        value = json.loads(row["value"])
        return CustomLabel(
            str(row["id"]), value, iso(row["date_created"]), iso(row["date_modified"]), self.tenant
        )

    # -- filter metadata and query-builder config ----------------------------------------------------------

    async def filters(self) -> list[EntityFilters]:
        custom = await self._custom_types()
        entities = filter_catalog.ENTITIES
        return [filter_catalog.entity_filters(entity, custom.get(entity, {})) for entity in entities]

    async def entity_filters(self, entity: str) -> EntityFilters:
        known = _known_entity(entity)
        return filter_catalog.entity_filters(known, (await self._custom_types()).get(known, {}))

    async def query_builder_config(self, entity: str) -> QueryBuilderConfig:
        known = _known_entity(entity)
        return filter_catalog.query_builder_config(known, (await self._custom_types()).get(known, {}))

    async def _custom_types(self) -> dict[str, dict[str, tuple[str, Any]]]:
        """entity -> fieldName -> (fieldType, options) of the tenant's custom fields, in definition order."""
        found: dict[str, dict[str, tuple[str, Any]]] = {}
        for field in await self.custom_fields():
            entry = (str(field.field_type), field.options)
            found.setdefault(str(field.entity), {})[str(field.field_name)] = entry
        return found


def _known_entity(entity: str) -> str:
    if entity not in filter_catalog.ENTITIES:
        raise Rejected("NOT_FOUND", "Entity not found or no filters available.", field="entity")
    return entity


def _definition(
    entity: str | None, name: str | None, field_type: str | None, options: dict[str, Any] | None
) -> dict[str, Any]:
    """The columns of a definition, checked: a type of FIELD_TYPES, options that fit it."""
    if entity is None or name is None or field_type is None:
        raise invalid("input", "entity, fieldName and fieldType are required.")
    _check_options(field_type, options or {})
    required = bool((options or {}).get("required", False))
    encoded = None if options is None else json.dumps(options)
    return {
        "entity": catalogued_entity(entity, "entity"),
        "field_name": name,
        "field_type": field_type,
        "options": encoded,
        "required": required,
    }


def _check_options(field_type: str, options: dict[str, Any]) -> None:
    if "required" in options and not isinstance(options["required"], bool):
        raise invalid("options", "options.required must be true or false.")
    if field_type == "enum":
        values = options.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise invalid("options", 'An enum lists its values: {"values": ["S", "M", ...]}.')
        if len(set(values)) != len(values):
            raise invalid("options", "An enum's values must differ.")
    if field_type == "number":
        bounds = [options.get(name) for name in ("min", "max")]
        if any(b is not None and (isinstance(b, bool) or not isinstance(b, int | float)) for b in bounds):
            raise invalid("options", "options.min and options.max must be numbers.")
        if None not in bounds and bounds[0] > bounds[1]:  # type: ignore[operator]
            raise invalid("options", "options.min must not exceed options.max.")


def _options(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)  # type: ignore[no-any-return]


def _custom_field(row: Any) -> CustomField:
    options = _options(row["options"])
    return CustomField(str(row["id"]), row["entity"], row["field_name"], row["field_type"], options)

"""``ConeCrmCustomization``: seed 004's custom fields, custom labels, saved filters, filter metadata,
query-builder config and automations, for one request (``ConeCrmBackend.customization()``).

Every method is one HTTP call through ``ConeCrmApi.call`` (bearer token, the seed's error envelopes
mapped to ``UpstreamRejected`` codes); a POST or PATCH is never retried. Path segments are quoted, so
an id can never change which operation is called. Custom labels carry their tenant: one of another
tenant is dropped (lists) or refused (single answers).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from gateway.backends.customization import AutomationChange, CustomFieldChange, SavedFilterChange
from gateway.backends.errors import Rejected
from gateway.backends.rest.conecrm import customization_records as records
from gateway.backends.rest.conecrm.api import ConeCrmApi
from gateway.backends.rest.errors import UpstreamRejected

log = logging.getLogger(__name__)
T = TypeVar("T")
BAD_ANSWER = "UPSTREAM_BAD_ANSWER"
# ConeCRM's refusals (codes of gateway.backends.rest.conecrm.api) the caller can act on, as reasons.
REASONS = {
    "UPSTREAM_BAD_REQUEST": ("INVALID", "input"),
    "UPSTREAM_VALIDATION_FAILED": ("INVALID", "input"),
    "UPSTREAM_NOT_FOUND": ("NOT_FOUND", "id"),
}


def segment(value: str) -> str:
    return quote(value, safe="")


class ConeCrmCustomization:
    """``gateway.backends.customization.Customization`` over ConeCRM."""

    def __init__(self, api: ConeCrmApi) -> None:
        self.api = api
        self.system = api.system
        self.tenant = api.scope.tenant

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One ConeCRM call; the refusals the caller can act on become ``Rejected``."""
        try:
            return await self.api.call(method, path, **kwargs)
        except UpstreamRejected as rejected:
            if rejected.code not in REASONS:
                raise
            reason, field = REASONS[rejected.code]
            extensions = {k: v for k, v in (rejected.extensions or {}).items() if k != "code"}
            raise Rejected(reason, rejected.message, field=field, code=rejected.code, **extensions) from None

    def _read(self, reader: Callable[[Any], T], answer: Any) -> T:
        try:
            return reader(answer)
        except records.InvalidAnswer as problem:
            raise UpstreamRejected(
                self.system, BAD_ANSWER, f"{self.system} answered an unexpected shape: {problem}"
            ) from None

    # -- custom fields ---------------------------------------------------------------------------------

    async def custom_fields(self, entity: str | None = None) -> list[records.CustomField]:
        path = "/api/custom-field" if entity is None else f"/api/custom-field/{segment(entity)}"
        answer = await self.call("GET", path)
        return self._read(lambda items: records.listed(items or [], records.custom_field), answer)

    async def create_custom_field(self, change: CustomFieldChange) -> records.CustomField:
        answer = await self.call("POST", "/api/custom-field", json=_custom_field_body(change))
        return self._read(records.custom_field, answer)

    async def update_custom_field(self, field_id: str, change: CustomFieldChange) -> records.CustomField:
        path = f"/api/custom-field/{segment(field_id)}"
        return self._read(
            records.custom_field, await self.call("PATCH", path, json=_custom_field_body(change))
        )

    async def delete_custom_field(self, field_id: str) -> None:
        await self.call("DELETE", f"/api/custom-field/{segment(field_id)}")

    # -- custom labels ---------------------------------------------------------------------------------

    async def custom_labels(self) -> list[records.CustomLabel]:
        answer = await self.call("GET", "/api/custom-labels")
        labels = self._read(lambda items: records.listed(items or [], records.custom_label), answer)
        return [label for label in labels if self._ours(label)]

    async def create_custom_label(self, value: dict[str, Any]) -> records.CustomLabel:
        return self._label(await self.call("POST", "/api/custom-labels", json={"value": value}))

    async def update_custom_label(self, label_id: str, value: dict[str, Any]) -> records.CustomLabel:
        answer = await self.call("PATCH", f"/api/custom-labels/{segment(label_id)}", json={"value": value})
        return self._label(answer)

    async def delete_custom_label(self, label_id: str) -> None:
        await self.call("DELETE", f"/api/custom-labels/{segment(label_id)}")

    def _ours(self, label: records.CustomLabel) -> bool:
        if label.tenant_id is not None and label.tenant_id != self.tenant:
            log.warning("upstream %s returned a custom label of another tenant; dropped", self.system)
            return False
        return True

    def _label(self, answer: Any) -> records.CustomLabel:
        label = self._read(records.custom_label, answer)
        if not self._ours(label):
            raise UpstreamRejected(self.system, BAD_ANSWER, f"{self.system} answered another tenant's label")
        return label

    # -- saved filters ---------------------------------------------------------------------------------

    async def saved_filters(self) -> list[records.SavedFilter]:
        answer = await self.call("GET", "/api/saved-filter")
        return self._read(lambda items: records.listed(items or [], records.saved_filter), answer)

    async def saved_filter(self, filter_id: str) -> records.SavedFilter:
        answer = await self.call("GET", f"/api/saved-filter/{segment(filter_id)}")
        return self._read(records.saved_filter, answer)

    async def create_saved_filter(self, change: SavedFilterChange) -> records.SavedFilter:
        answer = await self.call("POST", "/api/saved-filter", json=_saved_filter_body(change))
        return self._read(records.saved_filter, answer)

    async def update_saved_filter(self, filter_id: str, change: SavedFilterChange) -> records.SavedFilter:
        path = f"/api/saved-filter/{segment(filter_id)}"
        return self._read(
            records.saved_filter, await self.call("PATCH", path, json=_saved_filter_body(change))
        )

    async def delete_saved_filter(self, filter_id: str) -> None:
        await self.call("DELETE", f"/api/saved-filter/{segment(filter_id)}")

    # -- filter metadata and query-builder config ----------------------------------------------------------

    async def filters(self) -> list[records.EntityFilters]:
        answer = await self.call("GET", "/api/filters")  # {data: [EntityFilters]}
        data = answer.get("data") if isinstance(answer, dict) else None
        return self._read(lambda items: records.listed(items, records.entity_filters), data)

    async def entity_filters(self, entity: str) -> records.EntityFilters:
        answer = await self.call("GET", f"/api/filters/{segment(entity)}")  # [Filter]
        fields = self._read(lambda items: records.listed(items, records.filter_field), answer)
        return records.EntityFilters(entity, tuple(fields))

    async def query_builder_config(self, entity: str) -> records.QueryBuilderConfig:
        answer = await self.call("GET", f"/api/query-builder/config/{segment(entity)}")
        return self._read(lambda item: records.query_builder_config(entity, item), answer)

    # -- automations -----------------------------------------------------------------------------------

    async def automations(self) -> list[records.Automation]:
        answer = await self.call("GET", "/api/automation")
        return self._read(lambda items: records.listed(items or [], records.automation), answer)

    async def automation(self, automation_id: str) -> records.Automation:
        answer = await self.call("GET", f"/api/automation/{segment(automation_id)}")
        return self._read(records.automation, answer)

    async def create_automation(self, change: AutomationChange) -> records.Automation:
        answer = await self.call("POST", "/api/automation", json=_automation_body(change))
        return self._read(records.automation, answer)

    async def update_automation(self, automation_id: str, change: AutomationChange) -> records.Automation:
        path = f"/api/automation/{segment(automation_id)}"
        return self._read(records.automation, await self.call("PATCH", path, json=_automation_body(change)))

    async def delete_automation(self, automation_id: str) -> None:
        await self.call("DELETE", f"/api/automation/{segment(automation_id)}")

    async def duplicate_automation(self, automation_id: str) -> records.Automation:
        answer = await self.call("POST", f"/api/automation/{segment(automation_id)}/duplicate")
        return self._read(records.automation, answer)

    async def automation_builder_data(self) -> records.AutomationBuilderData:
        return self._read(records.builder_data, await self.call("GET", "/api/automation/builder/data"))


def _present(body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if value is not None}


def _custom_field_body(change: CustomFieldChange) -> dict[str, Any]:
    options = None if change.options is None else json.dumps(change.options)
    return _present(
        {
            "entity": change.entity,
            "fieldName": change.field_name,
            "fieldType": change.field_type,
            "options": options,
        }
    )


def _saved_filter_body(change: SavedFilterChange) -> dict[str, Any]:
    value = None if change.value is None else json.dumps(change.value)
    return _present({"name": change.name, "module": change.module, "value": value, "private": change.private})


def _automation_body(change: AutomationChange) -> dict[str, Any]:
    if change.enabled is not None:
        raise Rejected("INVALID", "ConeCRM's automations have no enabled flag.", field="enabled")
    franchise = None if change.franchise_id is None else {"id": change.franchise_id}
    return _present(
        {
            "name": change.name,
            "automationTrigger": change.trigger,
            "nodes": change.nodes,
            "edges": change.edges,
            "franchise": franchise,
            "delayedAutomationsCount": change.delayed_automations_count,
        }
    )

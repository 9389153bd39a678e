"""The graph's list queries as CRM.COM calls: which method, which parameters, what stays client-side.

CRM.COM filters only on what its methods take (seed 001): communications/list on contact, category,
direction and media (and needs a contact or a category); queue/list on external system or media
(exactly one), contact and life cycle state. Any other filter is refused with INVALID_FILTER naming the
field, rather than fetching everything to filter it here. By-id (and by-number) lookups go through
``show``; their other conditions are checked on the fetched records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, ListQuery, NoneOf, Op, OrderKey
from gateway.backends.records import Entity
from gateway.backends.rest.crmcom.mapping import crm_id
from gateway.errors import InvalidFilter

# graph field -> CRM.COM list parameter; identifier parameters take ``id=<hex>`` in a query string.
COMMUNICATION_PARAMS = {
    "contact_id": "contact_information_identifier",
    "category_id": "category_identifier",
    "direction": "direction",
    "media": "media",
}
QUEUE_PARAMS = {
    "external_system_id": "communication_queue_external_system_identifier",
    "media": "media",
    "contact_id": "contact_information_identifier",
    "life_cycle_state": "life_cycle_state",
}
# seed 003's semi-optional list parameters (L452-500): any of them, several together
CONTACT_PARAMS = {
    "email": "email_address",
    "phone": "phone_number",
    "id_number": "id_number",
    "passport_number": "passport_number",
    "social_security_number": "social_security_number",
    "vat_registration_number": "vat_registration_number",
}
PARAMS = {
    Entity.COMMUNICATION: COMMUNICATION_PARAMS,
    Entity.COMMUNICATION_QUEUE_ENTRY: QUEUE_PARAMS,
    Entity.CONTACT: CONTACT_PARAMS,
}
WHAT = {
    Entity.COMMUNICATION: "communications",
    Entity.COMMUNICATION_QUEUE_ENTRY: "communication queue entries",
    Entity.CONTACT: "contact information",
}
OLDEST_FIRST = ((), (OrderKey("date_created"),))
NEWEST_FIRST = (OrderKey("date_created", descending=True),)
PENDING_COMPLETED = frozenset({"PENDING", "COMPLETED"})


@dataclass
class Plan:
    """``ids``/``number``: fetch those with show; else list with ``params``. ``conditions``: all of them,
    for checking fetched records; ``latest``: a newest-first method (get_latest / get_pending_completed)."""

    params: dict[str, str] = field(default_factory=dict)
    ids: tuple[UUID, ...] | None = None
    number: str | None = None
    conditions: list[Condition] = field(default_factory=list)
    latest: str | None = None
    client_side: list[Condition] = field(default_factory=list)  # checked on the rows a list returns


def flat(expression: FilterExpr | None) -> Iterator[Condition]:
    """The conditions of an AND of conditions; OR and NOT cannot be sent to CRM.COM."""
    if expression is None:
        return
    if isinstance(expression, Condition):
        yield expression
    elif isinstance(expression, AllOf):
        for item in expression.items:
            yield from flat(item)
    elif isinstance(expression, AnyOf | NoneOf):
        raise InvalidFilter("CRM.COM cannot combine filters with or/not")


def _single(condition: Condition) -> Any:
    """The one value of an ``eq`` (or an ``in`` with one value); None when it has another form."""
    if condition.op is Op.EQ:
        return condition.value
    if condition.op is Op.IN and isinstance(condition.value, tuple) and len(condition.value) == 1:
        return condition.value[0]
    return None


def _param_value(value: Any) -> str:
    return f"id={crm_id(value)}" if isinstance(value, UUID) else str(value)


def _lookup(plan: Plan, condition: Condition) -> bool:
    """An id (or number) condition: fetched with show."""
    if condition.field == "id" and condition.op in (Op.EQ, Op.IN):
        plan.ids = condition.value if condition.op is Op.IN else (condition.value,)
        return True
    if condition.field == "number" and condition.op is Op.EQ:
        plan.number = str(condition.value)
        return True
    return False


def plan_list(entity: Entity, query: ListQuery) -> Plan:
    names, what = PARAMS[entity], WHAT[entity]
    plan = Plan(conditions=list(flat(query.filter)))
    unsent: list[Condition] = []
    for condition in plan.conditions:
        value = _single(condition)
        if _lookup(plan, condition):
            continue
        if condition.field in names and value is not None:
            plan.params[names[condition.field]] = _param_value(value)
        elif entity is Entity.COMMUNICATION_QUEUE_ENTRY and condition.field == "communication_id":
            plan.client_side.append(condition)  # a communication's entries: the page is cut here
        elif entity is Entity.COMMUNICATION_QUEUE_ENTRY and _pending_completed(condition):
            plan.latest = "communications/queue/get_pending_completed"
        else:
            unsent.append(condition)
    if query.search:
        raise InvalidFilter(f"CRM.COM cannot search {what}")
    if plan.ids is not None or plan.number is not None:
        return plan  # every condition is checked on the fetched records
    if unsent:
        field_name, op = unsent[0].field, unsent[0].op.value
        raise InvalidFilter(f"CRM.COM cannot filter {what} on {field_name} ({op})")
    _check_scope(entity, plan)
    _check_order(entity, query, plan)
    return plan


def _pending_completed(condition: Condition) -> bool:
    return (
        condition.field == "life_cycle_state"
        and condition.op is Op.IN
        and frozenset(condition.value) == PENDING_COMPLETED
    )


def _check_scope(entity: Entity, plan: Plan) -> None:
    """Seed 001's semi-optional parameters of each list method."""
    if entity is Entity.COMMUNICATION and not {"contact_information_identifier", "category_identifier"} & set(
        plan.params
    ):
        raise InvalidFilter("CRM.COM lists communications only by contact or category: filter on one of them")
    if entity is Entity.CONTACT and not plan.params:
        raise InvalidFilter(
            "CRM.COM lists contact information only by e-mail address, phone, id number, passport, "
            "social security or VAT registration number (eq): filter on one"
        )
    if entity is Entity.COMMUNICATION_QUEUE_ENTRY:
        scopes = {"communication_queue_external_system_identifier", "media"} & set(plan.params)
        if len(scopes) != 1:
            raise InvalidFilter("CRM.COM lists queue entries by exactly one of external system and media")


def _check_order(entity: Entity, query: ListQuery, plan: Plan) -> None:
    """CRM.COM's lists come oldest first; the queue's latest-entries methods newest first, one page."""
    if query.order in OLDEST_FIRST and plan.latest is None:
        return
    newest = entity is Entity.COMMUNICATION_QUEUE_ENTRY and query.order == NEWEST_FIRST
    if newest and query.page.after is None and not query.page.backwards:
        if plan.latest is None and "life_cycle_state" not in plan.params:
            plan.latest = "communications/queue/get_latest"
        if plan.latest is not None:
            return
    raise InvalidFilter("CRM.COM returns these in creation order only; it cannot sort or page them otherwise")


def matches(record: Any, conditions: list[Condition]) -> bool:
    """Whether a fetched record meets conditions (the few forms a by-id read may carry)."""
    return all(_holds(getattr(record, c.field, None), c) for c in conditions)


def _holds(actual: Any, condition: Condition) -> bool:
    value = condition.value
    if condition.op is Op.EQ:
        return bool(actual == value)
    if condition.op is Op.NE:
        return bool(actual != value)
    if condition.op is Op.IN:
        return actual in value
    if condition.op is Op.NOT_IN:
        return actual not in value
    if condition.op is Op.IS_NULL:
        return (actual is None) == bool(value)
    raise InvalidFilter(f"CRM.COM cannot filter on {condition.field} ({condition.op.value})")

"""Per-item actions on a contact's e-mails, phones and addresses (seed 003 L3378-3402).

CRM.COM changes a set item by item: ``action`` add, update or remove, naming the item with an
``<item>_identifier``. The graph does the same with ``emailItems``/``phoneItems``/``addressItems``
beside the whole-list ``emails``/``phones``/``addresses``: items keep their ``itemId`` while they are
kept, updated in place or other items change around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry import UNSET

from gateway.backends.base import RecordWriter
from gateway.backends.records import Detail
from resolvers.common.details import (
    AddressInput,
    EmailInput,
    PhoneInput,
    address_rows,
    email_rows,
    phone_rows,
)
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error


@strawberry.enum(description="What to do with one item of a set (seed 003 `action`).")
class SetItemAction(Enum):
    ADD = strawberry.enum_value("ADD", description="Add the item (give the item, no itemId).")
    UPDATE = strawberry.enum_value(
        "UPDATE", description="Replace the item named by itemId with the item given."
    )
    REMOVE = strawberry.enum_value("REMOVE", description="Remove the item named by itemId.")


@strawberry.input(description="One change to a contact's e-mail addresses.")
class EmailItemChange:
    action: SetItemAction = strawberry.field(description="Add, update or remove.")
    item_id: strawberry.ID | None = strawberry.field(default=None, description="The item (update, remove).")
    email: EmailInput | None = strawberry.field(
        default=None, description="The item as it is to be (add, update)."
    )


@strawberry.input(description="One change to a contact's phone numbers.")
class PhoneItemChange:
    action: SetItemAction = strawberry.field(description="Add, update or remove.")
    item_id: strawberry.ID | None = strawberry.field(default=None, description="The item (update, remove).")
    phone: PhoneInput | None = strawberry.field(
        default=None, description="The item as it is to be (add, update)."
    )


@strawberry.input(description="One change to a contact's postal addresses.")
class AddressItemChange:
    action: SetItemAction = strawberry.field(description="Add, update or remove.")
    item_id: strawberry.ID | None = strawberry.field(default=None, description="The item (update, remove).")
    address: AddressInput | None = strawberry.field(
        default=None, description="The item as it is to be (add, update)."
    )


@dataclass(frozen=True)
class ItemChange:
    """A checked change: the item's id (update, remove) and its row (add, update)."""

    action: SetItemAction
    item_id: UUID | None
    row: dict[str, Any] | None


# input member -> (detail, whole-list member, item member)
ITEM_INPUTS = (
    ("email_items", Detail.EMAILS, "emails", "email"),
    ("phone_items", Detail.PHONES, "phones", "phone"),
    ("address_items", Detail.ADDRESSES, "addresses", "address"),
)
_STORED = ("owner_id", "position")


def item_changes(input: Any, path: Sequence[str]) -> tuple[dict[Detail, list[ItemChange]], list[UserError]]:
    """The input's per-item changes, checked as far as possible without the stored items."""
    changes: dict[Detail, list[ItemChange]] = {}
    problems: list[UserError] = []
    for member, detail, whole, item_member in ITEM_INPUTS:
        given = getattr(input, member, UNSET)
        if given is UNSET or given is None:
            continue
        field = [*path, _camel(member)]
        if getattr(input, whole, UNSET) not in (UNSET, None):
            problems.append(
                error(field, f"Give {_camel(whole)} or {_camel(member)}, not both.", UserErrorCode.INVALID)
            )
            continue
        changes[detail] = []
        for index, change in enumerate(given):
            checked, found = _checked(detail, change, getattr(change, item_member), [*field, str(index)])
            problems += found
            if checked is not None:
                changes[detail].append(checked)
    return changes, problems


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _checked(
    detail: Detail, change: Any, item: Any, path: list[str]
) -> tuple[ItemChange | None, list[UserError]]:
    action: SetItemAction = change.action
    needs_id = action is not SetItemAction.ADD
    needs_item = action is not SetItemAction.REMOVE
    if needs_id != (change.item_id is not None) or needs_item != (item is not None):
        message = {
            SetItemAction.ADD: "ADD takes the item and no itemId.",
            SetItemAction.UPDATE: "UPDATE takes an itemId and the item.",
            SetItemAction.REMOVE: "REMOVE takes an itemId only.",
        }[action]
        return None, [error(path, message, UserErrorCode.INVALID)]
    item_id = None
    if change.item_id is not None:
        try:
            item_id = UUID(str(change.item_id))
        except ValueError:
            return None, [
                error([*path, "itemId"], "itemId is not an item of this contact.", UserErrorCode.NOT_FOUND)
            ]
    if item is None:
        return ItemChange(action, item_id, None), []
    rows, problems = _rows(detail, [item], path)
    return ItemChange(action, item_id, rows[0] if rows else None), problems


def _rows(detail: Detail, items: list[Any], path: list[str]) -> tuple[list[dict[str, Any]], list[UserError]]:
    if detail is Detail.ADDRESSES:
        return address_rows(items), []
    check = email_rows if detail is Detail.EMAILS else phone_rows
    rows, problems = check(items, path[:-1])
    for problem in problems:  # the validators index the one-item list: the item is the change's
        if problem.field is not None:
            problem.field[len(path) - 1] = path[-1]
            problem.field.insert(len(path), "email" if detail is Detail.EMAILS else "phone")
    return rows, problems


async def applied_items(
    writer: RecordWriter, owner_id: UUID, changes: Mapping[Detail, list[ItemChange]], path: Sequence[str]
) -> dict[Detail, list[dict[str, Any]]]:
    """Each set as the changes leave it, its kept items with their ids; NOT_FOUND for an unknown item."""
    result: dict[Detail, list[dict[str, Any]]] = {}
    for detail, detail_changes in changes.items():
        stored = (await writer.details(detail, [owner_id])).get(owner_id, [])
        rows = [_row(record) for record in stored]
        for index, change in enumerate(detail_changes):
            if change.action is SetItemAction.ADD:
                rows.append(dict(change.row or {}))  # no id: the store gives it one
                continue
            position = next((i for i, row in enumerate(rows) if row.get("id") == change.item_id), None)
            if position is None:
                raise UserErrors([_unknown_item(detail, index, path)])
            if change.action is SetItemAction.REMOVE:
                del rows[position]
            else:
                rows[position] = {**(change.row or {}), "id": change.item_id}
        result[detail] = rows
    return result


def _unknown_item(detail: Detail, index: int, path: Sequence[str]) -> UserError:
    member = next(name for name, known, _, _ in ITEM_INPUTS if known is detail)
    field = [*path, _camel(member), str(index), "itemId"]
    return error(field, "itemId is not an item of this contact.", UserErrorCode.NOT_FOUND)


def _row(record: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(record).items() if name not in _STORED}

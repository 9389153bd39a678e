"""One declarative factory for an area's create, update, delete and restore mutations.

In the spirit of Saleor's ModelMutation: an area states its node type, inputs, permissions per
operation and the hooks where it differs; the factory builds the payload types (the record, or
``deletedId``, and ``errors``) and the mutation fields. Every mutation runs in one transaction
(``in_transaction``: a ``UserErrors`` rolls it back, events in the outbox are published only after
commit); creates take an idempotency key, changes an expected version; deletes are soft and restorable.

The steps of a create: ``write_plan`` of the input (columns, references, the required text), the
area's ``clean_create`` hook, then, in the transaction, ``insert`` (default ``insert_planned``) and
``after_write``. An update: ``write_plan``, ``clean_update``, then ``before_update`` (checks against
the stored record), ``update`` (default ``update_planned``) and ``after_write``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from resolvers.common.crud_fields import argument, mutation_field, optional_argument, payload_type
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    WritePlan,
    create_once,
    in_transaction,
    insert_planned,
    set_deleted_in_transaction,
    update_planned,
    write_plan,
)
from resolvers.common.naming import to_camel, to_snake
from resolvers.common.permissions import requires
from resolvers.common.references import RefField
from resolvers.common.validation import required_if_given


class Operation(Enum):
    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"
    RESTORE = "Restore"


CREATE, UPDATE, DELETE, RESTORE = Operation
CRUD = (CREATE, UPDATE, DELETE, RESTORE)


def permissions(create: str, update: str, delete: str) -> dict[Operation, str]:
    """The catalog has no restore permission: restoring undoes a delete, so it needs what deleting needs."""
    return {CREATE: create, UPDATE: update, DELETE: delete, RESTORE: delete}


@dataclass(frozen=True)
class Texts:
    """An operation's descriptions where they differ from the factory's wording (None: the default)."""

    mutation: str | None = None
    payload: str | None = None
    result: str | None = None  # the payload's record field (``deletedId`` of a delete)
    errors: str | None = None


@dataclass(frozen=True)
class Change:
    """What the update hooks work on: the open transaction, the record to change and the checked plan."""

    info: strawberry.Info
    writer: RecordWriter
    record_id: UUID
    plan: WritePlan
    expected_version: int | None

    @property
    def actor(self) -> str:
        return self.info.context.actor  # type: ignore[no-any-return]


CleanHook = Callable[[strawberry.Info, Any, WritePlan], None]  # adds values or problems to the plan
InsertHook = Callable[[strawberry.Info, RecordWriter, WritePlan], Awaitable[UUID]]
UpdateHook = Callable[[Change], Awaitable[UUID]]
CheckHook = Callable[[Change], Awaitable[None]]
AfterWriteHook = Callable[[RecordWriter, UUID, WritePlan], Awaitable[None]]
VetoHook = Callable[[RecordWriter, UUID], Awaitable[None]]  # raises UserErrors to roll back


@dataclass(frozen=True)
class CrudMutations:
    """The declaration of an area's CRUD mutations; ``field`` and ``mutation_type`` build them."""

    node: type  # the area's node type (e.g. Contact): the payloads' record, the IDs' type name
    entity: Entity
    noun: str  # in the descriptions: "Create a contact", "The contact's ID."
    create_input: type
    update_input: type
    permissions: Mapping[Operation, str]  # the catalog permission each operation requires
    not_found: Callable[[], UserError]
    columns: Sequence[str] = ()
    refs: Sequence[RefField] = ()
    required: tuple[str, str] | None = None  # (column, seed code): a text that may not be null or blank
    article: str = "a"
    operations: tuple[Operation, ...] = CRUD
    texts: Mapping[Operation, Texts] = field(default_factory=dict)
    payloads: Mapping[Operation, type] = field(default_factory=dict)  # the area's own, shared ones
    clean_create: CleanHook | None = None
    clean_update: CleanHook | None = None
    insert: InsertHook | None = None
    before_update: CheckHook | None = None
    update: UpdateHook | None = None
    after_write: AfterWriteHook | None = None
    veto_delete: VetoHook | None = None
    veto_restore: VetoHook | None = None

    @cached_property
    def type_name(self) -> str:
        return get_object_definition(self.node, strict=True).name

    @cached_property
    def result_field(self) -> str:
        return to_snake(self.type_name)

    def name(self, operation: Operation) -> str:
        """The mutation's GraphQL name, also the operation an idempotency key is remembered under."""
        return to_camel(f"{self.result_field}_{operation.value.lower()}")

    def field(self, operation: Operation) -> StrawberryField:
        """The mutation field of one operation, to place among an area's own mutations."""
        run: dict[Operation, Callable[..., Awaitable[Any]]] = {
            CREATE: self._create,
            UPDATE: self._update,
            DELETE: self._delete,
            RESTORE: self._restore,
        }
        return mutation_field(
            run[operation],
            self._arguments(operation),
            self.payload(operation),
            self.describe(operation).mutation or "",
            requires(self.permissions[operation]),
        )

    def mutation_type(self) -> type:
        """A type with the declared operations' fields, in CRUD order; an area's mutation type extends it."""
        fields = {to_snake(self.name(op)): self.field(op) for op in self.operations}
        return strawberry.type(type(f"{self.type_name}CrudMutation", (), fields))

    def _arguments(self, operation: Operation) -> list[inspect.Parameter]:
        id_argument = argument("id", strawberry.ID, f"The {self.noun}'s ID.")
        version = optional_argument("expected_version", ExpectedVersion)
        if operation is CREATE:
            new = argument("input", self.create_input, f"The new {self.noun}.")
            return [new, optional_argument("idempotency_key", IdempotencyKey)]
        if operation is UPDATE:
            return [id_argument, argument("input", self.update_input, "The fields to change."), version]
        return [id_argument, version]

    def payload(self, operation: Operation) -> type:
        return self._payloads[operation]

    @cached_property
    def _payloads(self) -> dict[Operation, type]:
        return {op: self.payloads.get(op) or self._payload_type(op) for op in self.operations}

    def _payload_type(self, operation: Operation) -> type:
        texts = self.describe(operation)
        if operation is DELETE:
            result: tuple[str, Any] = ("deleted_id", strawberry.ID | None)
        else:
            result = (self.result_field, self.node | None)
        name = f"{self.type_name}{operation.value}Payload"
        return payload_type(name, texts.payload or "", (*result, texts.result or ""), texts.errors or "")

    def describe(self, operation: Operation) -> Texts:
        """The declared texts, the factory's wording where none is declared."""
        own, default = self.texts.get(operation, Texts()), self._default_texts(operation)
        return Texts(
            mutation=own.mutation or default.mutation,
            payload=own.payload or f"Result of `{self.name(operation)}`.",
            result=own.result or default.result,
            errors=own.errors or default.errors,
        )

    def _default_texts(self, operation: Operation) -> Texts:
        noun, a_noun = self.noun, f"{self.article} {self.noun}"
        return {
            CREATE: Texts(
                f"Create {a_noun}. Retrying with the same idempotency key creates nothing new.",
                result=f"The new {noun}; null when errors occurred.",
                errors=f"Why the {noun} was not created.",
            ),
            UPDATE: Texts(
                f"Change {a_noun}. Pass `expectedVersion` to refuse lost updates.",
                result=f"The {noun} after the change.",
                errors="Why nothing changed.",
            ),
            DELETE: Texts(
                f"Soft-delete {a_noun}; `{self.name(RESTORE)}` brings it back.",
                result=f"ID of the soft-deleted {noun}.",
                errors="Why nothing was deleted.",
            ),
            RESTORE: Texts(
                f"Restore a soft-deleted {noun}.",
                result=f"The restored {noun}.",
                errors="Why nothing was restored.",
            ),
        }[operation]

    # --- The operations ----------------------------------------------------------------------------

    def plan(self, info: strawberry.Info, input: Any, clean: CleanHook | None) -> WritePlan:
        """The input's values and references checked before the transaction, then the area's hook."""
        plan = write_plan(input, self.columns, self.refs)
        if self.required is not None:
            name, seed_code = self.required
            blank = required_if_given(plan.values, name, ["input", to_camel(name)], seed_code)
            plan.problems = blank + plan.problems
        if clean is not None:
            clean(info, input, plan)
        return plan

    async def _create(self, info: strawberry.Info, input: Any, idempotency_key: str | None = None) -> Any:
        plan = self.plan(info, input, self.clean_create)
        if plan.problems:
            return self._answer(CREATE, None, plan.problems)

        async def create(writer: RecordWriter) -> UUID:
            insert = self.insert or self._insert_planned
            record_id = await insert(info, writer, plan)
            if self.after_write is not None:
                await self.after_write(writer, record_id, plan)
            return record_id

        record_id, errors = await create_once(info, self.name(CREATE), idempotency_key, input, create)
        return self._answer(CREATE, await load_node(info, self.entity, record_id), errors)

    async def _insert_planned(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        return await insert_planned(writer, self.entity, plan, info.context.actor)

    async def _update(
        self, info: strawberry.Info, id: strawberry.ID, input: Any, expected_version: int | None = None
    ) -> Any:
        record_id = decode_id_of(id, self.type_name)
        plan = self.plan(info, input, self.clean_update)
        if plan.problems:
            return self._answer(UPDATE, None, plan.problems)

        async def change(writer: RecordWriter) -> UUID:
            step = Change(info, writer, record_id, plan, expected_version)
            if self.before_update is not None:
                await self.before_update(step)
            done = await (self.update or self._update_planned)(step)
            if self.after_write is not None:
                await self.after_write(writer, done, plan)
            return done

        done, errors = await in_transaction(info, change)
        return self._answer(UPDATE, await load_node(info, self.entity, done), errors)

    async def _update_planned(self, change: Change) -> UUID:
        return await update_planned(
            change.writer,
            self.entity,
            change.record_id,
            change.plan,
            change.actor,
            change.expected_version,
            self.not_found(),
        )

    async def _delete(
        self, info: strawberry.Info, id: strawberry.ID, expected_version: int | None = None
    ) -> Any:
        _, errors = await self._set_deleted(info, id, True, expected_version, self.veto_delete)
        return self._answer(DELETE, None if errors else strawberry.ID(id), errors)

    async def _restore(
        self, info: strawberry.Info, id: strawberry.ID, expected_version: int | None = None
    ) -> Any:
        done, errors = await self._set_deleted(info, id, False, expected_version, self.veto_restore)
        return self._answer(RESTORE, await load_node(info, self.entity, done), errors)

    async def _set_deleted(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        deleted: bool,
        expected_version: int | None,
        veto: VetoHook | None,
    ) -> tuple[UUID | None, list[UserError]]:
        record_id = decode_id_of(id, self.type_name)
        check = None if veto is None else (lambda writer: veto(writer, record_id))
        return await set_deleted_in_transaction(
            info, self.entity, record_id, deleted, expected_version, self.not_found(), check=check
        )

    def _answer(self, operation: Operation, result: Any, errors: list[UserError]) -> Any:
        result_field = "deleted_id" if operation is DELETE else self.result_field
        return self.payload(operation)(**{result_field: result, "errors": errors})

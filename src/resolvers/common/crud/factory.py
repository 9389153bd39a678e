"""``CrudMutations``: the base class an area subclasses to get its CRUD mutations and payloads."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from gateway.backends.base import RecordWriter
from resolvers.common.crud.actions import Action, declared_actions
from resolvers.common.crud.fields import argument, mutation_field, optional_argument, payload_type
from resolvers.common.crud.texts import (
    CREATE,
    CRUD,
    DELETE,
    RESTORE,
    UPDATE,
    Operation,
    Texts,
    default_texts,
    merged,
)
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    WritePlan,
    create_once,
    current_record,
    in_transaction,
    insert_planned,
    set_deleted_in_transaction,
    update_checked,
    update_planned,
    write_plan,
)
from resolvers.common.naming import to_camel, to_snake
from resolvers.common.node import NODE_TYPES
from resolvers.common.permissions import requires
from resolvers.common.references import RefField
from resolvers.common.validation import required_if_given


@dataclass
class Target:
    """What a change of one record works on: the open transaction and the record."""

    info: strawberry.Info
    writer: RecordWriter
    record_id: UUID
    expected_version: int | None
    stored: Any = field(default=None, kw_only=True)  # the stored record, once loaded (``stored()``)

    @property
    def actor(self) -> str:
        return self.info.context.actor  # type: ignore[no-any-return]


@dataclass
class Change(Target):
    """What an update works on: the target and the checked plan of the input."""

    plan: WritePlan


class CrudMutations:
    """An area's create, update, delete and restore: set the class attributes, override the hooks
    (``clean_*``, ``insert``, ``update``, ``veto_*``, ``not_found``) where the area differs, and
    declare its other mutations of one record as ``@action`` methods.

    Each mutation runs in one transaction (``in_transaction``: ``UserErrors`` roll it back, and events
    an area puts in the outbox are published only after commit). A create plans the input (columns,
    references, the required text, ``clean_create``) before its transaction and is idempotent by key;
    an update does the same with ``clean_update`` and refuses a stale ``expectedVersion``; deletes are
    soft and restorable. The record type's registered entity and kind (``register_node``) say where
    its rows are; a kind (events share a table) is written on create and checked on every change.
    """

    node: ClassVar[type]  # the record type, e.g. Contact: the payloads' field, the IDs' type name
    create_input: ClassVar[type]
    update_input: ClassVar[type]
    permissions: ClassVar[Mapping[Operation, str]]  # the catalog permission of each operation
    columns: ClassVar[Sequence[str]] = ()  # the input fields written as they are
    refs: ClassVar[Sequence[RefField]] = ()  # the input fields that reference other records
    required: ClassVar[tuple[str, str] | None] = None  # (column, seed code): a text never null or blank
    operations: ClassVar[tuple[Operation, ...]] = CRUD
    texts: ClassVar[Mapping[Operation, Texts]] = {}  # descriptions other than the default wording
    payloads: ClassVar[Mapping[Operation, type]] = {}  # the area's own payload types (shared ones)

    def __init__(self) -> None:
        self.type_name = get_object_definition(self.node, strict=True).name
        node_type = NODE_TYPES[self.type_name]
        self.entity, self.kind = node_type.entity, node_type.kind
        self.result_field = to_snake(self.type_name)
        self.noun = self.result_field.replace("_", " ")
        self._payloads = {op: self.payloads.get(op) or self._payload_type(op) for op in self.operations}

    # --- Hooks ------------------------------------------------------------------------------------

    def not_found(self, path: list[str] | None = None) -> UserError:
        return error(path or ["id"], f"Cannot find the {self.noun}.", UserErrorCode.NOT_FOUND)

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        """Check or complete a create's plan before the transaction (add to ``plan.problems``)."""

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        """Check or complete an update's plan before the transaction."""

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        return await insert_planned(writer, self.entity, plan, info.context.actor)

    async def update(self, change: Change) -> UUID:
        if self.kind is not None:
            await self.stored(change)  # NOT_FOUND for a record of another kind
        return await update_planned(
            change.writer,
            self.entity,
            change.record_id,
            change.plan,
            change.actor,
            change.expected_version,
            self.not_found(),
        )

    async def veto_delete(self, writer: RecordWriter, record_id: UUID) -> None:
        """Raise ``UserErrors`` to undo a delete (it runs after the row changed)."""
        await self._require_kind(writer, record_id)

    async def veto_restore(self, writer: RecordWriter, record_id: UUID) -> None:
        await self._require_kind(writer, record_id)

    async def veto_caller(self, info: strawberry.Info, writer: RecordWriter, record_id: UUID) -> None:
        """Raise ``UserErrors`` to refuse this caller a delete or restore (e.g. not the author); it runs
        after ``veto_delete`` / ``veto_restore``."""

    async def stored(self, target: Target) -> Any:
        """The live record being changed, loaded once; NOT_FOUND if there is none (of this kind)."""
        if target.stored is None:
            record = await current_record(
                target.writer, self.entity, target.record_id, self.not_found(), self.kind
            )
            target.stored = record
        return target.stored

    async def write(self, target: Target, values: dict[str, Any]) -> UUID:
        """Change columns of the target record; NOT_FOUND, or CONFLICT for a stale expected version."""
        return await update_checked(
            target.writer,
            self.entity,
            target.record_id,
            values,
            target.actor,
            target.expected_version,
            self.not_found(),
        )

    async def _require_kind(self, writer: RecordWriter, record_id: UUID) -> None:
        if self.kind is None:
            return
        rows = await writer.get_many(self.entity, [record_id], include_deleted=True)
        if getattr(rows.get(record_id), "kind", None) != self.kind:
            raise UserErrors([self.not_found()])

    # --- The GraphQL fields -------------------------------------------------------------------------

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
        """A type with the operations' fields in CRUD order, then the actions' in the order declared;
        an area's mutation type extends it (or places ``field(operation)`` among its own)."""
        fields = {to_snake(self.name(op)): self.field(op) for op in self.operations}
        for method_name, declared in declared_actions(type(self)).items():
            name = to_camel(self.result_field) + declared.name
            fields[to_snake(name)] = self._action_field(declared, getattr(self, method_name))
        return strawberry.type(type(f"{self.type_name}CrudMutation", (), fields))

    def payload(self, operation: Operation) -> type:
        return self._payloads[operation]

    def describe(self, operation: Operation) -> Texts:
        default = default_texts(operation, self.noun, to_camel(self.result_field))
        return merged(self.texts.get(operation, Texts()), default)

    def _action_field(self, declared: Action, run: Callable[..., Awaitable[UUID]]) -> StrawberryField:
        """``run(target, **arguments)`` in one transaction, answering the record after the change."""
        payload = declared.payload or self.payload_type(declared.name, declared.texts)

        async def act(
            info: strawberry.Info, id: strawberry.ID, expected_version: int | None = None, **values: Any
        ) -> Any:
            record_id = decode_id_of(id, self.type_name)

            async def work(writer: RecordWriter) -> UUID:
                return await run(Target(info, writer, record_id, expected_version), **values)

            done, errors = await in_transaction(info, work)
            return payload(**{self.result_field: await load_node(info, self.entity, done), "errors": errors})

        parameters = [self._id_argument(), *declared.arguments, self._version_argument()]
        description = declared.texts.mutation or ""
        return mutation_field(act, parameters, payload, description, requires(declared.permission))

    def payload_type(self, action: str, texts: Texts) -> type:
        """``{ <record> errors }``: the payload of the mutation named for ``action`` (e.g. "Complete")."""
        description = texts.payload or f"Result of `{to_camel(self.result_field)}{action}`."
        result = (self.result_field, self.node | None, texts.result or "")
        return payload_type(f"{self.type_name}{action}Payload", description, result, texts.errors or "")

    def _id_argument(self) -> inspect.Parameter:
        return argument("id", strawberry.ID, f"The {self.noun}'s ID.")

    def _version_argument(self) -> inspect.Parameter:
        return optional_argument("expected_version", ExpectedVersion)

    def _arguments(self, operation: Operation) -> list[inspect.Parameter]:
        id_argument, version = self._id_argument(), self._version_argument()
        if operation is CREATE:
            new = argument("input", self.create_input, f"The new {self.noun}.")
            return [new, optional_argument("idempotency_key", IdempotencyKey)]
        if operation is UPDATE:
            return [id_argument, argument("input", self.update_input, "The fields to change."), version]
        return [id_argument, version]

    def _payload_type(self, operation: Operation) -> type:
        texts = self.describe(operation)
        if operation is not DELETE:
            return self.payload_type(operation.value, texts)
        result = ("deleted_id", strawberry.ID | None, texts.result or "")
        return payload_type(f"{self.type_name}DeletePayload", texts.payload or "", result, texts.errors or "")

    def _answer(self, operation: Operation, result: Any, errors: list[UserError]) -> Any:
        result_field = "deleted_id" if operation is DELETE else self.result_field
        return self.payload(operation)(**{result_field: result, "errors": errors})

    # --- The operations ---------------------------------------------------------------------------

    def plan(self, info: strawberry.Info, input: Any, operation: Operation) -> WritePlan:
        """The input's values and references, checked as far as possible before the transaction."""
        plan = write_plan(input, self.columns, self.refs)
        if self.required is not None:
            name, seed_code = self.required
            blank = required_if_given(plan.values, name, ["input", to_camel(name)], seed_code)
            plan.problems = blank + plan.problems
        clean = self.clean_create if operation is CREATE else self.clean_update
        clean(info, input, plan)
        return plan

    async def prepare(self, info: strawberry.Info, plan: WritePlan) -> None:
        """Reads a write needs, done before its transaction opens: a read inside it would hold a second
        connection while the transaction holds the first (with a small pool or PgBouncer, a wait)."""

    async def _create(self, info: strawberry.Info, input: Any, idempotency_key: str | None = None) -> Any:
        plan = self.plan(info, input, CREATE)
        if plan.problems:
            return self._answer(CREATE, None, plan.problems)
        await self.prepare(info, plan)
        if self.kind is not None:
            plan.values["kind"] = self.kind

        async def create(writer: RecordWriter) -> UUID:
            return await self.insert(info, writer, plan)

        record_id, errors = await create_once(
            info, self.entity, self.name(CREATE), idempotency_key, input, create
        )
        return self._answer(CREATE, await load_node(info, self.entity, record_id), errors)

    async def _update(
        self, info: strawberry.Info, id: strawberry.ID, input: Any, expected_version: int | None = None
    ) -> Any:
        record_id = decode_id_of(id, self.type_name)
        plan = self.plan(info, input, UPDATE)
        if plan.problems:
            return self._answer(UPDATE, None, plan.problems)
        await self.prepare(info, plan)

        async def change(writer: RecordWriter) -> UUID:
            return await self.update(Change(info, writer, record_id, expected_version, plan))

        done, errors = await in_transaction(info, change)
        return self._answer(UPDATE, await load_node(info, self.entity, done), errors)

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
        veto: Callable[[RecordWriter, UUID], Awaitable[None]],
    ) -> tuple[UUID | None, list[UserError]]:
        record_id = decode_id_of(id, self.type_name)

        async def check(writer: RecordWriter) -> None:
            await veto(writer, record_id)
            await self.veto_caller(info, writer, record_id)

        return await set_deleted_in_transaction(
            info, self.entity, record_id, deleted, expected_version, self.not_found(), check=check
        )
